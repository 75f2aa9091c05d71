package simplex_test

import (
	"github.com/parleybot/parley/middleware"
	"github.com/parleybot/parley/platform/simplex"
)

// Delivery and subscription statuses are logged at debug by the Logger.
var (
	_ middleware.Routine = (*simplex.ChatItemsStatusesUpdated)(nil)
	_ middleware.Routine = (*simplex.SubscriptionStatus)(nil)
)
