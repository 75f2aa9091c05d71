// Package playground is what a simulator offers to "parley playground":
// a view of its simulated world, a way to act in it as a person, and the
// faults it can inject. It is a small leaf package so that simulators can
// register themselves without pulling in the web server, which lives in
// package playground/web.
//
// A simulator registers a Provider from its package's init function:
//
//	func init() {
//		playground.Register(playground.Provider{Name: "simplex", Start: startPlayground})
//	}
//
// Start returns a running Sim. The playground reads its World to draw the
// page, calls Do when the person at the browser acts (connects, writes,
// edits, reacts, creates a group, removes a member…) and Fault when they
// break something on purpose. It never needs to know which platform it is
// talking to: World says which actions the simulator supports, and Do
// reports unsupported ones with ErrUnsupported.
//
// Terminal drives the same Sim from a terminal, for "parley sim NAME
// --interactive": the person at it chats with the bot, makes groups and
// speaks as their members, with the same commands on every platform.
package playground
