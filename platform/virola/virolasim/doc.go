// Package virolasim is a local Virola Server for tests, benchmarks and
// "parley sim virola": a real HTTP server on loopback (HTTPS with a
// self-signed certificate on request) with the Web API under /api/v1 and
// the events WebSocket /api/v1/events, over an in-memory world of users,
// rooms, messages, comments and attachments that tests script.
//
// It is written from the protocol notes, independently of package virola,
// so that it checks the client rather than mirroring it.
//
// # Using it in a test
//
//	sim := virolasim.New()
//	if err := sim.Start(); err != nil { t.Fatal(err) }
//	defer sim.Close()
//	bot := sim.AddUser("bot", "Bot", "secret")       // log in as bot/secret, or use sim.Token(bot.UserID)
//	alice := sim.AddUser("alice", "Alice", "pw")
//	room, _ := sim.NewPrivateRoom(alice.UserID, bot.UserID) // RoomCreated to both
//	sim.Post(alice.UserID, room.RoomID, "hello")       // TextMessagesCreated to both
//
// # Behaviour reproduced
//
//   - Authentication by "Authorization: Bearer <token>" or by the
//     VirolaUserSessionId cookie that POST /api/v1/login sets; refusals
//     are 401 with the server's texts ("Wrong Bearer, please renew Web API
//     Access Token", "The username or password is invalid.", …). RenewToken
//     invalidates a token as the desktop client does; ExpireSessions ends
//     every session. WithEventsCookieOnly makes the events socket accept
//     only the cookie (whether the real one takes the token is not known).
//   - Every error is {"errorText","httpStatusCode"} with the same status.
//   - Message and comment ids come from one server-wide counter, so they
//     grow across rooms. Posting answers {"httpStatusCode":200} without the
//     new id. Lists take cursor, limit and direction and answer oldest
//     first; the cursor message is included unless WithExclusiveCursor.
//     A room's lastMessage is its newest main-thread message: comments do
//     not move it.
//   - Every change goes as a {"type","data"} frame to every socket of every
//     member of the room, the author included: TextMessagesCreated for
//     posts and comments, TextMessagesUpdated for edits, read marks, new
//     comment counts and attachments, TextMessageDeleted, RoomCreated,
//     RoomUpdated and RoomDeleted. Nothing is kept for sockets that are
//     closed: what happened meanwhile is found through the lists.
//   - Permissions per member and room (canSendMessagesInMainThread, …) are
//     enforced for posting: a refused post is 403.
//
// # Faults
//
// DropAfter drops the connection at the n-th next frame (a socket frame,
// or a REST answer, cut after the request was carried out), DropEvery
// does so every n frames, DropAll
// closes every socket, SetEventDelay delays frames, InjectRaw sends any
// frame (malformed, or of a type clients do not know), FailNext answers
// the next request of a route with an error, CutNextPost carries the next
// post out and cuts its answer and the sockets, and HoldNextPost keeps
// the next post waiting (the client may time out) until it is released
// and carried out, the sockets staying up; HoldNext does so for the next
// request of any route.
package virolasim
