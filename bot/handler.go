package bot

// Handler handles one delivered event.
type Handler interface {
	Handle(c *Context) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(c *Context) error

// Handle calls f(c).
func (f HandlerFunc) Handle(c *Context) error { return f(c) }

// Middleware wraps a Handler with behaviour that runs around it.
type Middleware func(Handler) Handler

// Chain wraps h in mws so that mws[0] runs first.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] == nil {
			panic("bot: nil middleware")
		}
		h = mws[i](h)
		if h == nil {
			panic("bot: middleware returned a nil handler")
		}
	}
	return h
}
