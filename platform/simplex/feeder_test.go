package simplex_test

// feeder is the stand-in for the SimpleX CLI that the echo benchmarks run
// against. It speaks the CLI's WebSocket protocol with frames shaped like
// the captured ones in testdata (a received direct message is about 3 KB),
// but does nothing else, so that it is never the bottleneck: frames are
// built by appending to a byte template, commands are parsed only as far
// as the benchmark needs. It answers "/user", "/_send @N json …" (with a
// newChatItems response carrying the sent item, as the CLI does),
// "/_get chat @N after=ID count=N" from the history of what it injected and
// what the bot sent, and "/_read chat items" with cmdOk; anything else
// gets a chatCmdError, so a benchmark that grows new commands fails loudly.
//
// The feeder checks the echoes itself: each injected message i carries the
// text "e<i>", and the bot's /_send for it must quote its item and carry
// the same text. It records when each message was written and when its
// echo command arrived, so latencies need no clock shared with the bot
// process.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const feederUser = `{"userId":1,"agentUserId":"1","userContactId":1,"localDisplayName":"parley","profile":{"profileId":1,"displayName":"parley","fullName":"","peerType":"bot","localAlias":""},"fullPreferences":{"timedMessages":{"allow":"yes"},"fullDelete":{"allow":"no"},"reactions":{"allow":"yes"},"voice":{"allow":"yes"},"files":{"allow":"no"},"calls":{"allow":"yes"},"sessions":{"allow":"no"},"commands":[]},"activeUser":true,"activeOrder":1,"showNtfs":true,"sendRcptsContacts":true,"sendRcptsSmallGroups":true,"autoAcceptMemberContacts":false,"userChatRelay":false}`

// feederContact renders the chatInfo of a direct chat with contact id.
func feederContact(b []byte, id int64) []byte {
	n := strconv.FormatInt(id, 10)
	b = append(b, `{"type":"direct","contact":{"contactId":`...)
	b = append(b, n...)
	b = append(b, `,"localDisplayName":"user`...)
	b = append(b, n...)
	b = append(b, `","profile":{"profileId":`...)
	b = append(b, n...)
	b = append(b, `,"displayName":"user`...)
	b = append(b, n...)
	b = append(b, `","fullName":"","localAlias":""},"activeConn":{"connId":`...)
	b = append(b, n...)
	b = append(b, `,"agentConnId":"aE5HajNVS2hyOTJ6ZEFMSQ==","connChatVersion":17,"peerChatVRange":{"minVersion":1,"maxVersion":17},"connLevel":0,"viaUserContactLink":1,"viaGroupLink":false,"connType":"contact","connStatus":{"type":"ready"},"contactConnInitiated":false,"localAlias":"","entityId":`...)
	b = append(b, n...)
	b = append(b, `,"pqSupport":true,"pqEncryption":true,"pqSndEnabled":true,"pqRcvEnabled":true,"authErrCounter":0,"quotaErrCounter":0,"createdAt":"2026-06-28T11:21:20.27497632Z"},"contactUsed":true,"contactStatus":"active","chatSettings":{"enableNtfs":"all","favorite":false},"userPreferences":{},"mergedPreferences":{"timedMessages":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"fullDelete":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"reactions":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"voice":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"files":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"calls":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"sessions":{"enabled":{"forUser":true,"forContact":true},"userPreference":{"type":"user","preference":{"allow":"yes"}},"contactPreference":{"allow":"yes"}},"commands":[]},"createdAt":"2026-06-28T11:21:20.079045222Z","updatedAt":"2026-06-28T11:21:20.079045222Z","chatTs":"2026-06-28T16:46:44.758895679Z","contactRequestId":2,"contactGrpInvSent":false,"chatTags":[],"chatDeleted":false}}`...)
	return b
}

// feederItem renders a direct chat item: received (with its text) or
// sent by the bot (quoting quote).
func feederItem(b []byte, id int64, text string, sent bool, quote int64) []byte {
	dir, status, content := "directRcv", "rcvNew", "rcvMsgContent"
	if sent {
		dir, status, content = "directSnd", "sndNew", "sndMsgContent"
	}
	qt := strconv.Quote(text) // the texts are plain ASCII
	b = append(b, `{"chatDir":{"type":"`...)
	b = append(b, dir...)
	b = append(b, `"},"meta":{"itemId":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"itemTs":"2026-08-15T15:30:48Z","itemText":`...)
	b = append(b, qt...)
	b = append(b, `,"itemStatus":{"type":"`...)
	b = append(b, status...)
	b = append(b, `"},"itemSharedMsgId":"dXQ3UnhqVi9YSnhCTlhydg==","itemEdited":false,"userMention":false,"hasLink":false,"deletable":false,"editable":false,"showGroupAsSender":false,"createdAt":"2026-08-15T15:30:48.826924846Z","updatedAt":"2026-08-15T15:30:48.826924846Z"},"content":{"type":"`...)
	b = append(b, content...)
	b = append(b, `","msgContent":{"type":"text","text":`...)
	b = append(b, qt...)
	b = append(b, `}},`...)
	if sent && quote != 0 {
		b = append(b, `"quotedItem":{"chatDir":{"type":"directRcv"},"itemId":`...)
		b = strconv.AppendInt(b, quote, 10)
		b = append(b, `,"sentAt":"2026-08-15T15:30:48Z","content":{"type":"text","text":""},"formattedText":[]},`...)
	}
	return append(b, `"mentions":{},"reactions":[]}`...)
}

// feederNewItems renders a newChatItems frame with one item.
func feederNewItems(b []byte, corrID string, contact, id int64, text string, sent bool, quote int64) []byte {
	b = append(b, '{')
	if corrID != "" {
		b = append(b, `"corrId":`...)
		b = strconv.AppendQuote(b, corrID)
		b = append(b, ',')
	}
	b = append(b, `"resp":{"type":"newChatItems","user":`...)
	b = append(b, feederUser...)
	b = append(b, `,"chatItems":[{"chatInfo":`...)
	b = feederContact(b, contact)
	b = append(b, `,"chatItem":`...)
	b = feederItem(b, id, text, sent, quote)
	return append(b, `}]}}`...)
}

// feederRecord is one item of a contact's history.
type feederRecord struct {
	id    int64
	text  string
	sent  bool
	quote int64
}

// feeder is one stand-in CLI; see the top of the file.
type feeder struct {
	srv *httptest.Server

	nextID atomic.Int64 // item ids, shared by all chats as in the CLI's database

	mu      sync.Mutex
	history map[int64][]feederRecord // contact → items, oldest first
	run     *feedRun
	conns   int
	open    map[*websocket.Conn]struct{}
	sent    []string // texts of the /_send commands, in arrival order
	// Faults for tests: answers to /_send are held back while hold is
	// set (and lost with the connection), and the next failSends of them
	// are refused with a chatCmdError.
	hold      bool
	held      [][]byte
	failSends int

	// The connection's writer takes responses before injected events.
	resp   chan []byte
	events chan feedEvent
	failed atomic.Pointer[string]
}

// feedEvent is a message to inject: its frame, and the index it is
// recorded under (-1 for the warm-up).
type feedEvent struct {
	frame []byte
	index int
}

// feedRun is one series of messages and their echoes.
type feedRun struct {
	base    time.Time
	n       int
	itemOf  []int64        // item id of message i
	sentAt  []atomic.Int64 // ns after base when message i was written
	echoAt  []atomic.Int64 // ns after base when its echo command arrived
	echoed  atomic.Int64
	bad     atomic.Int64 // duplicated, foreign or misquoted echoes
	warm    chan struct{}
	warmed  sync.Once
	done    chan struct{}
	doneOne sync.Once
}

func newFeeder() *feeder {
	f := &feeder{history: map[int64][]feederRecord{}, open: map[*websocket.Conn]struct{}{},
		resp: make(chan []byte, 4096), events: make(chan feedEvent, 64)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *feeder) url() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

func (f *feeder) close() { f.srv.CloseClientConnections(); f.srv.Close() }

func (f *feeder) fail(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	f.failed.CompareAndSwap(nil, &s)
}

// err returns the first protocol failure the feeder saw.
func (f *feeder) err() error {
	if s := f.failed.Load(); s != nil {
		return errors.New(*s)
	}
	return nil
}

// begin starts a series of n messages.
func (f *feeder) begin(n int) *feedRun {
	r := &feedRun{n: n, itemOf: make([]int64, n), sentAt: make([]atomic.Int64, n), echoAt: make([]atomic.Int64, n),
		warm: make(chan struct{}), done: make(chan struct{})}
	f.mu.Lock()
	f.run = r
	f.mu.Unlock()
	return r
}

// message records message i (or the warm-up, i < 0) from contact in the
// history and returns its frame.
func (f *feeder) message(r *feedRun, i int, contact int64) feedEvent {
	id := f.nextID.Add(1)
	text := warmupText
	if i >= 0 {
		text = echoText(i)
		r.itemOf[i] = id
	}
	f.mu.Lock()
	f.history[contact] = append(f.history[contact], feederRecord{id: id, text: text})
	f.mu.Unlock()
	return feedEvent{frame: feederNewItems(make([]byte, 0, 3300), "", contact, id, text, false, 0), index: i}
}

// inject queues a message for the connection's writer.
func (f *feeder) inject(ctx context.Context, ev feedEvent) error {
	select {
	case f.events <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *feeder) serve(w http.ResponseWriter, req *http.Request) {
	ws, err := websocket.Accept(w, req, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	f.mu.Lock()
	f.conns++
	f.open[ws] = struct{}{}
	f.mu.Unlock()
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	defer func() {
		f.mu.Lock()
		delete(f.open, ws)
		f.mu.Unlock()
	}()
	go f.write(ctx, ws)
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			_ = ws.CloseNow()
			return
		}
		f.command(ctx, data)
	}
}

// write is the connection's one writer: responses go first, so an answer
// is never queued behind a flood of events.
func (f *feeder) write(ctx context.Context, ws *websocket.Conn) {
	defer ws.CloseNow()
	send := func(b []byte) bool { return ws.Write(ctx, websocket.MessageText, b) == nil }
	for {
		select {
		case b := <-f.resp:
			if !send(b) {
				return
			}
			continue
		default:
		}
		select {
		case b := <-f.resp:
			if !send(b) {
				return
			}
		case ev := <-f.events:
			f.mu.Lock()
			r := f.run
			f.mu.Unlock()
			if !send(ev.frame) {
				return
			}
			if ev.index >= 0 && r != nil {
				r.sentAt[ev.index].Store(int64(time.Since(r.base)))
			}
		case <-ctx.Done():
			return
		}
	}
}

type feederCmd struct {
	CorrID string `json:"corrId"`
	Cmd    string `json:"cmd"`
}

type feederComposed struct {
	MsgContent struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"msgContent"`
	QuotedItemID int64 `json:"quotedItemId"`
}

func (f *feeder) reply(ctx context.Context, b []byte) {
	select {
	case f.resp <- b:
	case <-ctx.Done():
	}
}

func (f *feeder) cmdError(ctx context.Context, corrID, msg string) {
	b := []byte(`{"corrId":` + strconv.Quote(corrID) + `,"resp":{"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"commandError","message":` + strconv.Quote(msg) + `}}}}`)
	f.reply(ctx, b)
}

// command answers one command frame.
func (f *feeder) command(ctx context.Context, data []byte) {
	var c feederCmd
	if err := json.Unmarshal(data, &c); err != nil || c.CorrID == "" {
		f.fail("feeder: bad command frame %q", data)
		return
	}
	switch {
	case c.Cmd == "/user":
		f.reply(ctx, []byte(`{"corrId":`+strconv.Quote(c.CorrID)+`,"resp":{"type":"activeUser","user":`+feederUser+`}}`))
	case strings.HasPrefix(c.Cmd, "/_send @"):
		f.send(ctx, c)
	case strings.HasPrefix(c.Cmd, "/_get chats "):
		// Unread markers are not kept: no chat is listed.
		f.reply(ctx, []byte(`{"corrId":`+strconv.Quote(c.CorrID)+`,"resp":{"type":"apiChats","user":`+feederUser+`,"chats":[]}}`))
	case strings.HasPrefix(c.Cmd, "/_get chat @"):
		f.getChat(ctx, c)
	case strings.HasPrefix(c.Cmd, "/_read chat items "):
		f.reply(ctx, []byte(`{"corrId":`+strconv.Quote(c.CorrID)+`,"resp":{"type":"cmdOk","user_":`+feederUser+`}}`))
	default:
		f.fail("feeder: unexpected command %q", c.Cmd)
		f.cmdError(ctx, c.CorrID, "unsupported by the feeder")
	}
}

// send answers "/_send @N json [msg]" and checks the echo.
func (f *feeder) send(ctx context.Context, c feederCmd) {
	ref, rest, _ := strings.Cut(strings.TrimPrefix(c.Cmd, "/_send @"), " ")
	contact, err := strconv.ParseInt(ref, 10, 64)
	js, ok := strings.CutPrefix(rest, "json ")
	var msgs []feederComposed
	if err != nil || !ok || json.Unmarshal([]byte(js), &msgs) != nil || len(msgs) != 1 {
		f.fail("feeder: bad /_send %q", c.Cmd)
		f.cmdError(ctx, c.CorrID, "bad /_send")
		return
	}
	m := msgs[0]
	f.mu.Lock()
	f.sent = append(f.sent, m.MsgContent.Text)
	if f.failSends > 0 {
		f.failSends--
		f.mu.Unlock()
		f.cmdError(ctx, c.CorrID, "refused by the feeder")
		return
	}
	id := f.nextID.Add(1)
	f.history[contact] = append(f.history[contact], feederRecord{id: id, text: m.MsgContent.Text, sent: true, quote: m.QuotedItemID})
	r := f.run
	answer := feederNewItems(make([]byte, 0, 3400), c.CorrID, contact, id, m.MsgContent.Text, true, m.QuotedItemID)
	if f.hold {
		f.held = append(f.held, answer)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.reply(ctx, answer)
	if r != nil {
		r.echo(m.MsgContent.Text, m.QuotedItemID)
	}
}

// sentTexts returns the texts of the /_send commands received so far.
func (f *feeder) sentTexts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// holdAnswers holds back the answers to /_send from now on.
func (f *feeder) holdAnswers() {
	f.mu.Lock()
	f.hold = true
	f.mu.Unlock()
}

// drop closes the open connections; answers held back are lost with them,
// and later ones are no longer held.
func (f *feeder) drop() {
	f.mu.Lock()
	f.hold, f.held = false, nil
	conns := make([]*websocket.Conn, 0, len(f.open))
	for ws := range f.open {
		conns = append(conns, ws)
	}
	f.mu.Unlock()
	for _, ws := range conns {
		_ = ws.CloseNow()
	}
}

// connections returns how many connections were made.
func (f *feeder) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns
}

// echo records the echo of a message.
func (r *feedRun) echo(text string, quote int64) {
	if text == warmupText {
		r.warmed.Do(func() { close(r.warm) })
		return
	}
	at := int64(time.Since(r.base))
	i, err := strconv.Atoi(strings.TrimPrefix(text, "e"))
	if err != nil || i < 0 || i >= r.n || r.itemOf[i] != quote {
		r.bad.Add(1)
		return
	}
	if !r.echoAt[i].CompareAndSwap(0, max(1, at)) {
		r.bad.Add(1)
		return
	}
	if r.echoed.Add(1) == int64(r.n) {
		r.doneOne.Do(func() { close(r.done) })
	}
}

// getChat answers "/_get chat @N after=ID count=N" from the history.
func (f *feeder) getChat(ctx context.Context, c feederCmd) {
	fields := strings.Fields(strings.TrimPrefix(c.Cmd, "/_get chat @"))
	var contact, after int64
	count := -1
	var err error
	if len(fields) > 0 {
		contact, err = strconv.ParseInt(fields[0], 10, 64)
	}
	for _, fl := range fields[min(1, len(fields)):] {
		k, v, _ := strings.Cut(fl, "=")
		n, perr := strconv.ParseInt(v, 10, 64)
		switch {
		case perr != nil:
			err = perr
		case k == "after":
			after = n
		case k == "count":
			count = int(n)
		default:
			err = fmt.Errorf("parameter %q", k)
		}
	}
	if err != nil || count <= 0 {
		f.fail("feeder: bad /_get chat %q", c.Cmd)
		f.cmdError(ctx, c.CorrID, "bad /_get chat")
		return
	}
	f.mu.Lock()
	h := f.history[contact]
	var page []feederRecord
	for _, rec := range h {
		if rec.id > after {
			page = append(page, rec)
			if len(page) == count {
				break
			}
		}
	}
	f.mu.Unlock()
	b := make([]byte, 0, 4096+len(page)*700)
	b = append(b, `{"corrId":`...)
	b = strconv.AppendQuote(b, c.CorrID)
	b = append(b, `,"resp":{"type":"apiChat","user":`...)
	b = append(b, feederUser...)
	b = append(b, `,"chat":{"chatInfo":`...)
	b = feederContact(b, contact)
	b = append(b, `,"chatItems":[`...)
	for i, rec := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = feederItem(b, rec.id, rec.text, rec.sent, rec.quote)
	}
	b = append(b, `],"chatStats":{"unreadCount":0,"unreadMentions":0,"reportsCount":0,"minUnreadItemId":0,"unreadChat":false}}}}`...)
	f.reply(ctx, b)
}

// BenchmarkFeeder measures how fast the feeder writes messages to a client
// that only reads them: the ceiling of the echo benchmarks' floods, which
// must stay well above what the clients under test reach.
func BenchmarkFeeder(b *testing.B) {
	const n = floodMessages
	fd := newFeeder()
	defer fd.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ws, _, err := websocket.Dial(ctx, fd.url(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		run := fd.begin(n)
		evs := make([]feedEvent, n)
		for i := range evs {
			evs[i] = fd.message(run, i, 1)
		}
		b.StartTimer()
		go func() {
			for _, ev := range evs {
				if fd.inject(ctx, ev) != nil {
					return
				}
			}
		}()
		for range n {
			if _, _, err := ws.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
