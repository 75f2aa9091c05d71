package virola

import "context"

// WithQueueLimit sets how many frames may wait between the socket's
// reader and the session, so tests can overflow it.
func WithQueueLimit(n int) Option { return optionFunc(func(o *options) { o.queueLimit = max(n, 1) }) }

// FlushNow runs one write of the cursors and what follows it (the mark,
// the read marks), as the periodic flush does, so tests can order one.
func (p *Platform) FlushNow(ctx context.Context) error { return p.d.Flush(ctx) }
