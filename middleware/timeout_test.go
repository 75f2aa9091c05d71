package middleware_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/parleytest"
)

func TestTimeout(t *testing.T) {
	own := errors.New("own failure")
	const d = 20 * time.Millisecond
	tests := []struct {
		name        string
		handler     func(c *bot.Context) error
		cancelOuter bool
		wantTimeout bool
		wantIs      []error
		wantNil     bool
	}{
		{
			name:        "error after deadline is wrapped",
			handler:     func(c *bot.Context) error { <-c.Context().Done(); return own },
			wantTimeout: true,
			wantIs:      []error{context.DeadlineExceeded, own},
		},
		{
			name:        "context error after deadline",
			handler:     func(c *bot.Context) error { <-c.Context().Done(); return c.Context().Err() },
			wantTimeout: true,
			wantIs:      []error{context.DeadlineExceeded},
		},
		{
			name:    "nil after deadline stays nil",
			handler: func(c *bot.Context) error { <-c.Context().Done(); return nil },
			wantNil: true,
		},
		{
			name:    "error before deadline is left alone",
			handler: func(c *bot.Context) error { return own },
			wantIs:  []error{own},
		},
		{
			name:        "outer cancellation is not a timeout",
			handler:     func(c *bot.Context) error { <-c.Context().Done(); return c.Context().Err() },
			cancelOuter: true,
			wantIs:      []error{context.Canceled},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelOuter {
				cancel()
			}
			var sawDeadline bool
			h := middleware.Timeout(d)(bot.HandlerFunc(func(c *bot.Context) error {
				dl, ok := c.Context().Deadline()
				sawDeadline = ok && time.Until(dl) <= d
				return tt.handler(c)
			}))
			err := h.Handle(bot.NewContext(ctx, &parleytest.PlainEvent{Name: "x"}, nil, nil))
			if !sawDeadline {
				t.Error("handler context had no deadline within the timeout")
			}
			if tt.wantNil {
				if err != nil {
					t.Fatalf("Handle = %v, want nil", err)
				}
				return
			}
			var te *middleware.TimeoutError
			if got := errors.As(err, &te); got != tt.wantTimeout {
				t.Fatalf("Handle = %v; TimeoutError %v, want %v", err, got, tt.wantTimeout)
			}
			if tt.wantTimeout && te.Timeout != d {
				t.Errorf("TimeoutError.Timeout = %v, want %v", te.Timeout, d)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
		})
	}
}

func TestTimeoutSetupPanics(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		mustPanic(t, "positive duration", func() { middleware.Timeout(d) })
	}
}
