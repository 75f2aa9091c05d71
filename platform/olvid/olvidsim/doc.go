// Package olvidsim is a simulated Olvid bot daemon for tests, demos and
// "parley sim olvid": a real gRPC server on loopback that serves the
// daemon's services from the same protocol definitions as package olvid,
// for one identity.
//
// It checks the daemon-client-key metadata on every call but Ping (and
// daemon-identity-id for admin keys), answering UNAUTHENTICATED otherwise.
// Its world (world.go) holds contacts, discussions, groups, inbound and
// outbound messages (numbered apart), attachments, invitations and
// settings; tests script it (AddContact, Invite, NewGroup, ContactSend,
// …) and read what the bot did (BotSent). Every change is published to
// each open notification stream whose subscription filter takes it; a
// stream with a count ends with OK after that many notifications. A
// message counts as read once it was listed by MessageList or written to
// a live MessageReceived stream, which is what MessageList{unread: true}
// leaves out; messages that arrive while no stream is open stay unread,
// as do those queued to a stream whose client went away before they were
// written (the server sees a killed client's connection close at once).
// One written just before the client went away is read all the same.
//
// Faults: FailNext (an error reply), SetDelay, SetUnavailable, CutStreams
// (streams end with UNAVAILABLE), DropConnections, DropAfter and DropEvery (TCP
// connections close, possibly with notifications or, for DropEvery, a
// unary answer in flight), and Hold (a call waits, then is carried out even
// if its connection dropped meanwhile).
package olvidsim
