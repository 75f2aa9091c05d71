package main

// The platforms, simulators and modules this binary offers. Each registers
// itself with package registry when imported; adding one to parley is one
// line here.
import (
	_ "github.com/parleybot/parley/modules/echo"
	_ "github.com/parleybot/parley/modules/moderation"
	_ "github.com/parleybot/parley/platform/privitty"
	_ "github.com/parleybot/parley/platform/privitty/privittysim"
	_ "github.com/parleybot/parley/platform/simplex"
	_ "github.com/parleybot/parley/platform/simplex/simplexsim"
	_ "github.com/parleybot/parley/platform/tada"
	_ "github.com/parleybot/parley/platform/tada/tadasim"
	_ "github.com/parleybot/parley/platform/virola"
	_ "github.com/parleybot/parley/platform/virola/virolasim"
)
