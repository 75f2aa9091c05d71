package virola

// WithQueueLimit sets how many frames may wait between the socket's
// reader and the session, so tests can overflow it.
func WithQueueLimit(n int) Option { return optionFunc(func(o *options) { o.queueLimit = max(n, 1) }) }
