package privittysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// JSON-RPC error codes the daemon uses.
const (
	codeParse    = -32700
	codeMethod   = -32601
	codeParams   = -32602
	codeInternal = -32603
	codeLicense  = -32001
)

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func errf(code int, format string, a ...any) *rpcErr {
	return &rpcErr{Code: code, Message: fmt.Sprintf(format, a...)}
}

// noResult marks methods answered with HTTP 204.
type noResult struct{}

type params []json.RawMessage

func (p params) int(i int) (int64, *rpcErr) {
	if i >= len(p) {
		return 0, errf(codeParams, "Invalid params: missing parameter %d", i)
	}
	var n int64
	if err := json.Unmarshal(p[i], &n); err != nil {
		return 0, errf(codeParams, "Invalid params: parameter %d: %v", i, err)
	}
	return n, nil
}

func (p params) optInt(i int) (int64, bool, *rpcErr) {
	if i >= len(p) || string(p[i]) == "null" {
		return 0, false, nil
	}
	n, e := p.int(i)
	return n, e == nil, e
}

func (p params) str(i int) (string, *rpcErr) {
	if i >= len(p) {
		return "", errf(codeParams, "Invalid params: missing parameter %d", i)
	}
	var s string
	if err := json.Unmarshal(p[i], &s); err != nil {
		return "", errf(codeParams, "Invalid params: parameter %d: %v", i, err)
	}
	return s, nil
}

func (p params) ids(i int) ([]int64, *rpcErr) {
	if i >= len(p) {
		return nil, errf(codeParams, "Invalid params: missing parameter %d", i)
	}
	var v []int64
	if err := json.Unmarshal(p[i], &v); err != nil {
		return nil, errf(codeParams, "Invalid params: parameter %d: %v", i, err)
	}
	return v, nil
}

func (p params) into(i int, v any) *rpcErr {
	if i >= len(p) {
		return errf(codeParams, "Invalid params: missing parameter %d", i)
	}
	if err := json.Unmarshal(p[i], v); err != nil {
		return errf(codeParams, "Invalid params: parameter %d: %v", i, err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

func (s *Sim) serveRPC(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	// The request is read before it is held: only then does the server
	// see its client go away, so that a held call whose client gave up is
	// not carried out when the daemon resumes.
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	if !s.hold(r) {
		return
	}
	var req struct {
		JSONRPC string          `json:"jsonrpc"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
		ID      json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Method == "" {
		writeJSON(w, map[string]any{"jsonrpc": "2.0", "error": errf(codeParse, "Parse error"), "id": nil})
		return
	}
	id := req.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.closing:
			t.Stop()
			return
		}
	}
	var p params
	trimmed := bytes.TrimSpace(req.Params)
	if len(trimmed) > 0 && string(trimmed) != "null" {
		if trimmed[0] != '[' || json.Unmarshal(trimmed, &p) != nil {
			writeJSON(w, map[string]any{"jsonrpc": "2.0", "error": errf(codeParams, "Invalid params"), "id": id})
			return
		}
	}
	res, e := s.call(req.Method, p)
	s.mu.Lock()
	cut := s.drops.Cut()
	if cut {
		for sub := range s.subs {
			sub.close()
		}
	}
	s.mu.Unlock()
	if cut {
		// The call was carried out; its answer is lost with the
		// connection.
		panic(http.ErrAbortHandler)
	}
	if e != nil {
		writeJSON(w, map[string]any{"jsonrpc": "2.0", "error": e, "id": id})
		return
	}
	if _, ok := res.(noResult); ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, map[string]any{"jsonrpc": "2.0", "result": res, "id": id})
}

type method func(s *Sim, p params) (any, *rpcErr)

var methods map[string]method

func init() {
	methods = map[string]method{
		"get_all_account_ids":           func(*Sim, params) (any, *rpcErr) { return []int64{1}, nil },
		"get_config":                    (*Sim).getConfig,
		"set_config":                    (*Sim).setConfig,
		"get_info":                      (*Sim).getInfo,
		"get_connectivity":              func(*Sim, params) (any, *rpcErr) { return 4000, nil },
		"get_contact_ids":               (*Sim).getContactIDs,
		"get_contact":                   (*Sim).getContact,
		"lookup_contact_id_by_addr":     (*Sim).lookupContact,
		"create_chat_by_contact_id":     (*Sim).createChat,
		"get_chat_contacts":             (*Sim).getChatContacts,
		"add_contact_to_chat":           (*Sim).addContactToChat,
		"remove_contact_from_chat":      (*Sim).removeContactFromChat,
		"get_chatlist_entries":          (*Sim).getChatlistEntries,
		"get_chatlist_items_by_entries": (*Sim).getChatlistItems,
		"get_full_chat_by_id":           func(s *Sim, p params) (any, *rpcErr) { return s.getChat(p, true) },
		"get_basic_chat_info":           func(s *Sim, p params) (any, *rpcErr) { return s.getChat(p, false) },
		"accept_chat":                   (*Sim).acceptChat,
		"block_chat":                    (*Sim).blockChat,
		"get_message_ids":               (*Sim).getMessageIDs,
		"get_message":                   (*Sim).getMessage,
		"get_message_html":              (*Sim).getMessageHTML,
		"get_messages":                  (*Sim).getMessages,
		"send_msg":                      (*Sim).sendMsg,
		"misc_send_text_message":        (*Sim).sendText,
		"send_reaction":                 (*Sim).sendReaction,
		"send_edit_request":             (*Sim).sendEdit,
		"delete_messages":               (*Sim).deleteMessages,
		"markseen_msgs":                 (*Sim).markseen,
		"get_fresh_msgs":                (*Sim).getFreshMsgs,
		"get_next_msgs":                 (*Sim).getNextMsgs,
		"get_chat_securejoin_qr_code":   (*Sim).getQR,
		"secure_join":                   (*Sim).secureJoin,
		"privitty_send_file":            (*Sim).privittySendFile,
		"privitty_send_group_file":      (*Sim).privittyRecorded,
		"privitty_revoke_file_access":   (*Sim).privittyRecorded,
	}
}

// call runs one method with the lock held; events it causes are published
// after the lock is released, in order.
func (s *Sim) call(name string, p params) (any, *rpcErr) {
	s.mu.Lock()
	s.stats.RPCCalls++
	s.calls[name]++
	if fs := s.faults[name]; len(fs) > 0 {
		s.faults[name] = fs[1:]
		s.notifyLocked()
		s.mu.Unlock()
		return nil, &rpcErr{Code: fs[0].code, Message: fs[0].message}
	}
	if strings.HasPrefix(name, "privitty_") && s.license != "active" && s.license != "grace_period" {
		lic := s.license
		s.mu.Unlock()
		return nil, errf(codeLicense, "Privitty license required: status is '%s'. Run `privitty-edge license activate <url>` to install or renew.", lic)
	}
	m, ok := methods[name]
	if !ok {
		s.mu.Unlock()
		return nil, errf(codeMethod, "Method not found")
	}
	if name != "get_all_account_ids" {
		acct, e := p.int(0)
		if e != nil {
			s.mu.Unlock()
			return nil, e
		}
		if acct != 1 {
			s.mu.Unlock()
			return nil, errf(codeInternal, "account %d does not exist", acct)
		}
	}
	s.pending = s.pending[:0]
	res, e := m(s, p)
	evs := s.pending
	s.pending = nil
	s.notifyLocked()
	s.mu.Unlock()
	for _, ev := range evs {
		s.emit(ev)
	}
	return res, e
}

// later queues an event to emit once the current call released the lock.
func (s *Sim) later(ev map[string]any) { s.pending = append(s.pending, ev) }

func (s *Sim) chatArg(p params, i int) (*chat, *rpcErr) {
	id, e := p.int(i)
	if e != nil {
		return nil, e
	}
	c := s.w.chats[id]
	if c == nil {
		return nil, errf(codeInternal, "chat %d not found", id)
	}
	return c, nil
}

func (s *Sim) getConfig(p params) (any, *rpcErr) {
	k, e := p.str(1)
	if e != nil {
		return nil, e
	}
	if v, ok := s.w.conf[k]; ok {
		return v, nil
	}
	return nil, nil
}

func (s *Sim) setConfig(p params) (any, *rpcErr) {
	k, e := p.str(1)
	if e != nil {
		return nil, e
	}
	if len(p) > 2 && string(p[2]) != "null" {
		v, e := p.str(2)
		if e != nil {
			return nil, e
		}
		s.w.conf[k] = v
	} else {
		delete(s.w.conf, k)
	}
	return noResult{}, nil
}

func (s *Sim) getInfo(params) (any, *rpcErr) {
	info := map[string]string{"deltachat_core_version": "2.20.0", "configured_addr": s.w.conf["addr"],
		"n_msgs_in_db": strconv.Itoa(len(s.w.msgs)), "blobdir": "/var/lib/privitty/blobs"}
	if !s.cfg.noKey {
		info["fingerprint"] = s.w.fingerprint
	}
	return info, nil
}

func (s *Sim) getContactIDs(params) (any, *rpcErr) {
	ids := []int64{}
	for id, c := range s.w.contacts {
		if !c.blocked {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func (s *Sim) getContact(p params) (any, *rpcErr) {
	id, e := p.int(1)
	if e != nil {
		return nil, e
	}
	c := s.w.contactJSON(id)
	if c == nil {
		return nil, errf(codeInternal, "contact %d not found", id)
	}
	return c, nil
}

func (s *Sim) lookupContact(p params) (any, *rpcErr) {
	addr, e := p.str(1)
	if e != nil {
		return nil, e
	}
	for _, c := range s.w.contacts {
		if strings.EqualFold(c.addr, addr) {
			return c.id, nil
		}
	}
	return nil, nil
}

func (s *Sim) createChat(p params) (any, *rpcErr) {
	id, e := p.int(1)
	if e != nil {
		return nil, e
	}
	ct := s.w.contacts[id]
	if ct == nil {
		return nil, errf(codeInternal, "contact %d not found", id)
	}
	if c := s.w.directChat(id); c != nil {
		c.request = false
		return c.id, nil
	}
	return s.w.addChat(ct.name, false, id).id, nil
}

func (s *Sim) getChatContacts(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	ids := append([]int64{}, c.members...)
	if c.group && !c.selfGone {
		ids = append(ids, selfID)
	}
	return ids, nil
}

// groupMemberArgs reads the chat and contact of add_contact_to_chat and
// remove_contact_from_chat: a group the bot is still in, and a contact.
func (s *Sim) groupMemberArgs(p params) (*chat, int64, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, 0, e
	}
	id, e := p.int(2)
	if e != nil {
		return nil, 0, e
	}
	switch {
	case !c.group:
		return nil, 0, errf(codeInternal, "chat %d is not a group", c.id)
	case c.selfGone:
		return nil, 0, errf(codeInternal, "not a member of chat %d", c.id)
	case id != selfID && s.w.contacts[id] == nil:
		return nil, 0, errf(codeInternal, "contact %d not found", id)
	}
	return c, id, nil
}

// addContactToChat: the bot adds a contact to a group; the core stores
// and sends the "member added" message.
func (s *Sim) addContactToChat(p params) (any, *rpcErr) {
	c, id, e := s.groupMemberArgs(p)
	if e != nil {
		return nil, e
	}
	if id == selfID || slices.Contains(c.members, id) {
		return noResult{}, nil
	}
	c.members = append(c.members, id)
	for _, ev := range s.memberInfoLocked(c, selfID, id, sysMemberAdded) {
		s.later(ev)
	}
	s.actions = append(s.actions, Action{Method: "add_contact_to_chat", ChatID: c.id})
	return noResult{}, nil
}

// removeContactFromChat: the bot removes a member (or itself: leaving).
// Every member may remove members in Delta Chat groups.
func (s *Sim) removeContactFromChat(p params) (any, *rpcErr) {
	c, id, e := s.groupMemberArgs(p)
	if e != nil {
		return nil, e
	}
	if id != selfID && !slices.Contains(c.members, id) {
		return nil, errf(codeInternal, "contact %d is not a member of chat %d", id, c.id)
	}
	for _, ev := range s.memberInfoLocked(c, selfID, id, sysMemberRemoved) {
		s.later(ev)
	}
	if id == selfID {
		c.selfGone = true
	} else {
		c.members = slices.DeleteFunc(slices.Clone(c.members), func(x int64) bool { return x == id })
	}
	s.actions = append(s.actions, Action{Method: "remove_contact_from_chat", ChatID: c.id})
	return noResult{}, nil
}

const (
	flagArchivedOnly = 0x01
	flagNoSpecials   = 0x02
)

func (s *Sim) getChatlistEntries(p params) (any, *rpcErr) {
	flags, _, e := p.optInt(1)
	if e != nil {
		return nil, e
	}
	var list []*chat
	for _, c := range s.w.chats {
		if c.blocked || c.archived != (flags&flagArchivedOnly != 0) {
			continue
		}
		list = append(list, c)
	}
	last := func(c *chat) int64 {
		if n := len(c.msgs); n > 0 {
			return c.msgs[n-1]
		}
		return c.id
	}
	sort.Slice(list, func(i, j int) bool { return last(list[i]) > last(list[j]) })
	ids := make([]int64, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.id)
	}
	return ids, nil
}

func (s *Sim) getChatlistItems(p params) (any, *rpcErr) {
	ids, e := p.ids(1)
	if e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, id := range ids {
		k := strconv.FormatInt(id, 10)
		if c := s.w.chats[id]; c != nil {
			out[k] = s.w.chatListItemJSON(c)
		} else {
			out[k] = s.w.obj("kind", "Error", "id", id, "error", "chat not found")
		}
	}
	return out, nil
}

func (s *Sim) getChat(p params, full bool) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	return s.w.chatJSON(c, full), nil
}

func (s *Sim) acceptChat(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	c.request, c.blocked = false, false
	s.actions = append(s.actions, Action{Method: "accept_chat", ChatID: c.id})
	s.later(map[string]any{"type": "ChatModified", "account_id": 1, "chat_id": c.id})
	return noResult{}, nil
}

func (s *Sim) blockChat(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	c.blocked, c.request = true, false
	for _, id := range c.members {
		if ct := s.w.contacts[id]; ct != nil && !c.group {
			ct.blocked = true
		}
	}
	s.actions = append(s.actions, Action{Method: "block_chat", ChatID: c.id})
	return noResult{}, nil
}

func (s *Sim) getMessageIDs(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	return append([]int64{}, c.msgs...), nil
}

func (s *Sim) getMessage(p params) (any, *rpcErr) {
	id, e := p.int(1)
	if e != nil {
		return nil, e
	}
	m := s.w.msgs[id]
	if m == nil {
		return nil, errf(codeInternal, "Failed to load msg %d: message not found", id)
	}
	return s.w.msgJSON(m), nil
}

// getMessageHTML answers the whole text of a message the core cut, as the
// HTML the core makes of plain text; null for other messages.
func (s *Sim) getMessageHTML(p params) (any, *rpcErr) {
	m, e := s.msgArg(p, 1)
	if e != nil {
		return nil, e
	}
	if m.full == "" {
		return nil, nil
	}
	return plainHTML(m.full), nil
}

func (s *Sim) getMessages(p params) (any, *rpcErr) {
	ids, e := p.ids(1)
	if e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, id := range ids {
		k := strconv.FormatInt(id, 10)
		if m := s.w.msgs[id]; m != nil {
			o := s.w.msgJSON(m)
			o["kind"] = "message"
			out[k] = o
		} else {
			out[k] = map[string]any{"kind": "loadingError", "error": fmt.Sprintf("message %d not found", id)}
		}
	}
	return out, nil
}

type messageData struct {
	Text            string `json:"text"`
	ViewType        string `json:"viewtype"`
	File            string `json:"file"`
	Filename        string `json:"filename"`
	QuotedMessageID int64  `json:"quotedMessageId"`
	QuotedText      string `json:"quotedText"`
}

func (s *Sim) send(c *chat, d messageData) (any, *rpcErr) {
	if c.blocked {
		return nil, errf(codeInternal, "chat %d is blocked", c.id)
	}
	if c.selfGone {
		return nil, errf(codeInternal, "not a member of chat %d", c.id)
	}
	// An empty message is sent as it is, as the core does: refusing it is
	// the client's job.
	if d.QuotedMessageID != 0 && s.w.msgs[d.QuotedMessageID] == nil {
		return nil, errf(codeInternal, "quoted message %d not found", d.QuotedMessageID)
	}
	// Sending to a contact request accepts it, as the core does.
	c.request = false
	m := s.w.addMsg(c, &msg{fromID: selfID, text: d.Text, quoteID: d.QuotedMessageID, file: d.File,
		fileName: d.Filename, viewType: d.ViewType, state: stateOut})
	s.sent = append(s.sent, Sent{MsgID: m.id, ChatID: c.id, Text: d.Text, QuotedMessageID: d.QuotedMessageID,
		File: d.File, ViewType: m.viewType})
	s.later(map[string]any{"type": "MsgsChanged", "account_id": 1, "chat_id": c.id, "msg_id": m.id})
	s.later(map[string]any{"type": "MsgDelivered", "account_id": 1, "chat_id": c.id, "msg_id": m.id})
	return m.id, nil
}

func (s *Sim) sendMsg(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	var d messageData
	if e := p.into(2, &d); e != nil {
		return nil, e
	}
	return s.send(c, d)
}

func (s *Sim) sendText(p params) (any, *rpcErr) {
	c, e := s.chatArg(p, 1)
	if e != nil {
		return nil, e
	}
	text, e := p.str(2)
	if e != nil {
		return nil, e
	}
	return s.send(c, messageData{Text: text})
}

func (s *Sim) msgArg(p params, i int) (*msg, *rpcErr) {
	id, e := p.int(i)
	if e != nil {
		return nil, e
	}
	m := s.w.msgs[id]
	if m == nil {
		return nil, errf(codeInternal, "message %d not found", id)
	}
	return m, nil
}

func (s *Sim) sendReaction(p params) (any, *rpcErr) {
	m, e := s.msgArg(p, 1)
	if e != nil {
		return nil, e
	}
	var emoji []string
	if e := p.into(2, &emoji); e != nil {
		return nil, e
	}
	if m.react == nil {
		m.react = map[int64][]string{}
	}
	if len(emoji) == 0 {
		delete(m.react, selfID)
	} else {
		m.react[selfID] = emoji
	}
	s.actions = append(s.actions, Action{Method: "send_reaction", ChatID: m.chatID, MsgIDs: []int64{m.id}})
	return m.id, nil
}

func (s *Sim) sendEdit(p params) (any, *rpcErr) {
	m, e := s.msgArg(p, 1)
	if e != nil {
		return nil, e
	}
	text, e := p.str(2)
	if e != nil {
		return nil, e
	}
	if m.fromID != selfID {
		return nil, errf(codeInternal, "can edit only own messages")
	}
	m.text, m.edited = text, true
	s.actions = append(s.actions, Action{Method: "send_edit_request", ChatID: m.chatID, MsgIDs: []int64{m.id}})
	return noResult{}, nil
}

func (s *Sim) deleteMessages(p params) (any, *rpcErr) {
	ids, e := p.ids(1)
	if e != nil {
		return nil, e
	}
	for _, id := range ids {
		m := s.w.msgs[id]
		if m == nil {
			continue
		}
		delete(s.w.msgs, id)
		if c := s.w.chats[m.chatID]; c != nil {
			c.msgs = slices.DeleteFunc(c.msgs, func(x int64) bool { return x == id })
		}
	}
	s.actions = append(s.actions, Action{Method: "delete_messages", MsgIDs: ids})
	return noResult{}, nil
}

func (s *Sim) markseen(p params) (any, *rpcErr) {
	ids, e := p.ids(1)
	if e != nil {
		return nil, e
	}
	noticed := map[int64]bool{}
	for _, id := range ids {
		if m := s.w.msgs[id]; m != nil && m.fromID != selfID && m.state < stateSeen {
			m.state = stateSeen
			if !noticed[m.chatID] {
				noticed[m.chatID] = true
				s.later(map[string]any{"type": "MsgsNoticed", "account_id": 1, "chat_id": m.chatID})
			}
		}
		s.w.lastMsgID = max(s.w.lastMsgID, id)
	}
	s.actions = append(s.actions, Action{Method: "markseen_msgs", MsgIDs: ids})
	return noResult{}, nil
}

func (s *Sim) getFreshMsgs(params) (any, *rpcErr) {
	ids := []int64{}
	for id, m := range s.w.msgs {
		c := s.w.chats[m.chatID]
		if m.state == stateFresh && c != nil && !c.request && !c.muted && !c.blocked {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return ids, nil
}

func (s *Sim) getNextMsgs(params) (any, *rpcErr) {
	ids := []int64{}
	for id, m := range s.w.msgs {
		if id > s.w.lastMsgID && m.fromID != selfID && !m.info {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func (s *Sim) getQR(p params) (any, *rpcErr) {
	chatID, set, e := p.optInt(1)
	if e != nil {
		return nil, e
	}
	if set && s.w.chats[chatID] == nil {
		return nil, errf(codeInternal, "chat %d not found", chatID)
	}
	return fmt.Sprintf("https://i.privittytech.com/#sim-%d-%d", chatID, s.w.nextID), nil
}

func (s *Sim) secureJoin(p params) (any, *rpcErr) {
	qr, e := p.str(1)
	if e != nil {
		return nil, e
	}
	if !strings.HasPrefix(qr, "https://i.privittytech.com/#") && !strings.HasPrefix(qr, "OPENPGP4FPR:") {
		return nil, errf(codeInternal, "QR code not supported: %q", qr)
	}
	ct := s.w.addContact("inviter")
	c := s.w.addChat(ct.name, false, ct.id)
	s.later(map[string]any{"type": "SecurejoinJoinerProgress", "account_id": 1, "contact_id": ct.id, "progress": 1000})
	return c.id, nil
}

func (s *Sim) privittySendFile(p params) (any, *rpcErr) {
	if _, e := s.chatArg(p, 1); e != nil {
		return nil, e
	}
	path, e := p.str(3)
	if e != nil {
		return nil, e
	}
	s.actions = append(s.actions, Action{Method: "privitty_send_file"})
	return map[string]any{"encrypted_path": path + ".prv"}, nil
}

func (s *Sim) privittyRecorded(params) (any, *rpcErr) {
	s.actions = append(s.actions, Action{Method: "privitty_call"})
	return noResult{}, nil
}
