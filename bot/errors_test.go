package bot_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/parleybot/parley/bot"
)

func TestOutcomeNamesEachKindOfFailure(t *testing.T) {
	notSent := bot.KindError(bot.ErrNotSent, "x: not sent")
	unknown := bot.KindError(bot.ErrOutcomeUnknown, "x: outcome unknown")
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{notSent, "not_sent"},
		{fmt.Errorf("send: %w", notSent), "not_sent"},
		{fmt.Errorf("send: %w", unknown), "unknown"},
		{errors.New("refused"), "error"},
		{&bot.UnsupportedError{Platform: "x", Capability: "y", What: "z"}, "error"},
	} {
		if got := bot.Outcome(c.err); got != c.want {
			t.Errorf("Outcome(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
