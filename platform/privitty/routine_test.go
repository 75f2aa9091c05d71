package privitty_test

import (
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/privitty"
)

// Receipts are logged at debug by the Logger.
var (
	_ middleware.Routine = (*privitty.MsgDelivered)(nil)
	_ middleware.Routine = (*privitty.MsgRead)(nil)
	_ middleware.Routine = (*privitty.MsgReadCountChanged)(nil)
)
