// Package olvidpb is the Go code generated from the Olvid bot daemon's
// protocol as written in platform/olvid/proto: the messages of the
// olvid.daemon.datatypes.v1, command.v1 and notification.v1 packages and
// the gRPC services of olvid.daemon.services.v1, with the daemon's full
// method names. Run "make proto" to regenerate it; most code should use
// package olvid instead.
package olvidpb
