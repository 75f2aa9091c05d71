package cli

// The platforms, simulators and modules the command's tests use; the
// parley binary gets them from cmd/parley/plugins.go.
import (
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/modules/moderation"
	_ "github.com/parleybot/parley/platform/olvid"
	_ "github.com/parleybot/parley/platform/olvid/olvidsim"
	_ "github.com/parleybot/parley/platform/privitty"
	_ "github.com/parleybot/parley/platform/privitty/privittysim"
	_ "github.com/parleybot/parley/platform/simplex"
	_ "github.com/parleybot/parley/platform/simplex/simplexsim"
	_ "github.com/parleybot/parley/platform/tada"
	_ "github.com/parleybot/parley/platform/tada/tadasim"
	_ "github.com/parleybot/parley/platform/virola"
	_ "github.com/parleybot/parley/platform/virola/virolasim"
)
