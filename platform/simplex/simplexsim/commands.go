package simplexsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MaxEncodedMsgLength is the CLI's limit for one encoded chat message
// (maxEncodedMsgLength). A /_send whose encoded message exceeds it fails with
// errorStore largeMsg.
const MaxEncodedMsgLength = 15602

// msgEnvelopeOverhead approximates the protocol envelope around msgContent
// ({"v":"1-17","msgId":"…","event":"x.msg.new","params":{"content":…}}).
const msgEnvelopeOverhead = 80

func ok(resp any) *result { return &result{resp: resp} }

func fail(chatErr any) *result { return &result{resp: chatCmdError(chatErr)} }

// parseFail is the answer to a command the parser does not take.
func parseFail() *result {
	r := fail(cmdError(parseFailed))
	r.parseErr = true
	return r
}

// scan walks a command string token by token; JSON arguments are taken raw
// from the rest of the line.
type scan struct{ s string }

// word returns the next space-delimited token.
func (p *scan) word() (string, bool) {
	if p.s == "" {
		return "", false
	}
	i := strings.IndexByte(p.s, ' ')
	if i < 0 {
		w := p.s
		p.s = ""
		return w, true
	}
	w := p.s[:i]
	p.s = p.s[i+1:]
	return w, w != ""
}

// opt consumes an optional "key=value" token and returns its value.
func (p *scan) opt(key string) (string, bool) {
	if !strings.HasPrefix(p.s, key+"=") {
		return "", false
	}
	w, _ := p.word()
	return w[len(key)+1:], true
}

func (p *scan) done() bool { return p.s == "" }

// parseID accepts a decimal id: digits only, as the CLI's decimal parser.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseIDs(s string) ([]int64, bool) {
	var out []int64
	for _, part := range strings.Split(s, ",") {
		id, ok := parseID(part)
		if !ok {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// commandRole reports whether r is a role the command parser takes.
// Commands.hs memberRole offers " owner", " admin", " moderator", " member"
// and " observer": "author" exists as a role but does not parse.
func commandRole(r string) bool {
	return r != "author" && roleRank(r) >= 0
}

func parseOnOff(s string) (bool, bool) {
	switch s {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

// parseRef parses a ChatRef: @<contactId>, #<groupId>, #<groupId>(_support),
// #<groupId>(_support:<groupMemberId>). Display names do not parse.
func parseRef(s string) (chatRef, bool) {
	if len(s) < 2 || (s[0] != '@' && s[0] != '#') {
		return chatRef{}, false
	}
	r := chatRef{kind: s[0]}
	rest := s[1:]
	if r.kind == '#' {
		if i := strings.IndexByte(rest, '('); i >= 0 {
			scope := rest[i:]
			rest = rest[:i]
			switch {
			case scope == "(_support)":
				r.support = true
			case strings.HasPrefix(scope, "(_support:") && strings.HasSuffix(scope, ")"):
				gm, ok := parseID(scope[len("(_support:") : len(scope)-1])
				if !ok {
					return chatRef{}, false
				}
				r.support, r.scopeGM = true, gm
			default:
				return chatRef{}, false
			}
		}
	}
	id, ok := parseID(rest)
	if !ok {
		return chatRef{}, false
	}
	r.id = id
	return r, true
}

// jsonArg decodes a raw JSON argument strictly enough to mirror the CLI:
// malformed JSON or a wrong shape is a parse failure.
func jsonArg(s string, v any) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	return json.Unmarshal([]byte(s), v) == nil
}

func compactJSON(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return append(json.RawMessage(nil), b...)
	}
	return buf.Bytes()
}

// encodedLen is the size of a JSON value as the CLI re-encodes it: UTF-8
// text unescaped, whatever escapes the client used.
func encodedLen(raw []byte) int {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return len(raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return len(raw)
	}
	return buf.Len() - 1 // Encode appends a newline
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// run parses and executes one command; the caller holds s.mu. A command
// the parser does not take is answered with the parse error before any
// check that needs the database, as the CLI parses first (parses).
func (s *Sim) run(cmd string) *result {
	if !s.parses(cmd) {
		return parseFail()
	}
	return s.exec(cmd)
}

// parses reports whether the chat core's parser takes cmd. The CLI parses a
// command in the socket's receive thread (apps/simplex-chat/Server.hs,
// receive: case parseChatCommand ... of Left e -> sendError (Just corrId) e)
// and only a parsed command waits for its turn, so parsing must not depend
// on the database. The handlers are the one grammar: parses runs them in
// parse-only mode against a scratch database with a user, where whatever
// they change is thrown away, and any answer but the parse error means the
// command parsed. Safe to call without s.mu.
func (s *Sim) parses(cmd string) bool {
	scratch := &Sim{cfg: s.cfg, log: s.log, parseOnly: true, w: newWorld(s.cfg.name, true, s.cfg.now)}
	return !scratch.exec(cmd).parseErr
}

// exec executes a command that parses; the caller holds s.mu.
func (s *Sim) exec(cmd string) *result {
	// Commands.hs: parseChatCommand = A.parseOnly chatCommandP . B.dropWhileEnd isSpace,
	// and every alternative may end in spaces: trailing blanks never matter.
	cmd = strings.TrimRightFunc(cmd, unicode.IsSpace)
	w := s.w
	switch cmd {
	case "/user", "/u":
		if !w.hasUser {
			return fail(errType("noActiveUser"))
		}
		return ok(body("activeUser").set("user", w.userJSON()))
	case "/users":
		return s.cmdUsers()
	case "/show_address":
		return s.needUser(func() *result { return s.showAddress() })
	case "/address", "/ad":
		return s.needUser(func() *result { return s.createAddress() })
	case "/_start":
		// Commands.hs: "/_start" $> StartChat {mainApp = True, ...}
		return s.startChat()
	case "/_stop":
		// Commands.hs: "/_stop" $> APIStopChat -> CRChatStopped
		s.stopped = true
		return ok(body("chatStopped"))
	case "/get subs":
		return s.cmdAgentSubs()
	}
	type handler struct {
		prefix string
		fn     func(p *scan) *result
	}
	handlers := []handler{
		{"/_create user ", s.cmdCreateUser},
		{"/_start ", s.cmdStart},
		{"/_profile_address ", s.cmdProfileAddress},
		{"/_profile ", s.cmdProfile},
		{"/_address_settings ", s.cmdAddressSettings},
		{"/_address ", s.cmdAddress},
		{"/_show_address ", s.cmdShowAddress},
		{"/_delete_address ", s.cmdDeleteAddress},
		{"/auto_accept ", s.cmdAutoAccept},
		{"/set bot commands ", s.cmdSetBotCommands},
		{"/_send ", s.cmdSend},
		{"/_share address ", s.cmdShareAddress},
		{"/_update item ", s.cmdUpdate},
		{"/_delete member item ", s.cmdModerate},
		{"/_delete item ", s.cmdDelete},
		{"/_delete ", s.cmdDeleteChat},
		{"/_reaction ", s.cmdReaction},
		{"/freceive ", s.cmdReceiveFile},
		{"/fcancel ", s.cmdCancelFile},
		{"/_accept member ", s.cmdAcceptMember},
		{"/_accept", s.cmdAccept},
		{"/_reject ", s.cmdReject},
		{"/_group_profile ", s.cmdGroupProfile},
		{"/_group ", s.cmdNewGroup},
		{"/_join ", s.cmdJoin},
		{"/_add ", s.cmdAddMember},
		{"/_member role ", s.cmdMemberRole},
		{"/_block ", s.cmdBlock},
		{"/_remove ", s.cmdRemove},
		{"/_leave ", s.cmdLeave},
		{"/_members ", s.cmdMembers},
		{"/_contacts ", s.cmdContacts},
		{"/_groups", s.cmdGroups},
		{"/_get chats ", s.cmdGetChats},
		{"/_get chat ", s.cmdGetChat},
		{"/_get link ", s.cmdGetLink},
		{"/_create link ", s.cmdCreateLink},
		{"/_set prefs ", s.cmdSetPrefs},
		{"/_set custom ", s.cmdSetCustom},
		{"/_read chat items ", s.cmdReadItems},
		{"/_read chat ", s.cmdReadChat},
		{"/_connect ", s.cmdConnect},
		{"/_info ", s.cmdInfo},
	}
	for _, h := range handlers {
		if strings.HasPrefix(cmd, h.prefix) {
			return h.fn(&scan{s: cmd[len(h.prefix):]})
		}
	}
	return parseFail()
}

// cmdStart is StartChat. Commands.hs: "/_start " *> do mainApp <- "main=" *> onOffP;
// enableSndFiles <- " snd_files=" *> onOffP <|> pure mainApp; largeLinkData <- " large_link_data=" *> onOffP <|> pure False.
// Anything else after "/_start " (the old "subscribe=on expire=on") is a parse error.
func (s *Sim) cmdStart(p *scan) *result {
	v, has := p.opt("main")
	if _, good := parseOnOff(v); !has || !good {
		return parseFail()
	}
	for _, key := range []string{"snd_files", "large_link_data"} {
		if v, has := p.opt(key); has {
			if _, good := parseOnOff(v); !good {
				return parseFail()
			}
		}
	}
	if !p.done() {
		return parseFail()
	}
	return s.startChat()
}

// startChat answers chatRunning, or chatStarted after /_stop (Commands.hs
// StartChat: Just _ -> CRChatRunning; _ -> ... CRChatStarted).
func (s *Sim) startChat() *result {
	if !s.w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if s.stopped {
		s.stopped = false
		return ok(body("chatStarted"))
	}
	return ok(body("chatRunning"))
}

func (s *Sim) needUser(fn func() *result) *result {
	if !s.w.hasUser {
		return fail(errType("noActiveUser"))
	}
	return fn()
}

// userArg parses and checks a <userId> argument.
func (s *Sim) userArg(p *scan) (ok bool, r *result) {
	word, _ := p.word()
	id, good := parseID(word)
	if !good {
		return false, parseFail()
	}
	if s.parseOnly {
		return true, nil // which users exist is not the parser's business
	}
	if !s.w.hasUser {
		return false, fail(errType("noActiveUser"))
	}
	if _, other := s.w.others[id]; id != s.w.activeID && !other {
		return false, fail(errStore("userNotFound", "userId", id))
	}
	return true, nil
}

type profileArg struct {
	DisplayName string          `json:"displayName"`
	FullName    string          `json:"fullName"`
	ShortDescr  string          `json:"shortDescr"`
	Image       string          `json:"image"`
	ContactLink string          `json:"contactLink"`
	Preferences json.RawMessage `json:"preferences"`
	PeerType    string          `json:"peerType"`
}

// profile is the Profile the CLI decodes; false if its preferences do not
// decode, which fails the command's parse (jsonP).
func (a profileArg) profile() (wProfile, bool) {
	p := wProfile{DisplayName: a.DisplayName, FullName: a.FullName, ShortDescr: a.ShortDescr, Image: a.Image,
		ContactLink: a.ContactLink, PeerType: a.PeerType}
	prefs, good := normPreferences(a.Preferences)
	p.Preferences = prefs
	return p, good
}

// wPreferences is Preferences as the CLI decodes and re-encodes it
// (Types/Preferences.hs, TYPES.md Preferences): a record of optional
// members written in field order with Nothing left out, so members it does
// not know and nulls do not come back, and a member of the wrong shape
// fails the decode.
type wPreferences struct {
	TimedMessages *wTimedPref  `json:"timedMessages,omitempty"`
	FullDelete    *wSimplePref `json:"fullDelete,omitempty"`
	Reactions     *wSimplePref `json:"reactions,omitempty"`
	Voice         *wSimplePref `json:"voice,omitempty"`
	Files         *wSimplePref `json:"files,omitempty"`
	Calls         *wSimplePref `json:"calls,omitempty"`
	Sessions      *wSimplePref `json:"sessions,omitempty"`
	Commands      *[]menuItem  `json:"commands,omitempty"`
}

// wSimplePref is SimplePreference {allow :: FeatureAllowed}.
type wSimplePref struct {
	Allow string `json:"allow"`
}

// wTimedPref is TimedMessagesPreference {allow, ttl :: Maybe Int}.
type wTimedPref struct {
	Allow string `json:"allow"`
	TTL   *int64 `json:"ttl,omitempty"`
}

// normPreferences decodes preferences as the CLI does and encodes them as
// it writes them; nil for none. false if they do not decode.
func normPreferences(raw json.RawMessage) (json.RawMessage, bool) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, true
	}
	var p wPreferences
	if json.Unmarshal(raw, &p) != nil {
		return nil, false
	}
	allowed := func(a string) bool { return a == "always" || a == "yes" || a == "no" } // FeatureAllowed
	for _, sp := range []*wSimplePref{p.FullDelete, p.Reactions, p.Voice, p.Files, p.Calls, p.Sessions} {
		if sp != nil && !allowed(sp.Allow) {
			return nil, false
		}
	}
	if p.TimedMessages != nil && !allowed(p.TimedMessages.Allow) {
		return nil, false
	}
	if p.Commands != nil && !validMenu(*p.Commands) {
		return nil, false
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, false
	}
	return b, true
}

// validMenu checks ChatBotCommand values: "command" with a keyword and a
// label, or "menu" with a label and its commands.
func validMenu(items []menuItem) bool {
	for _, it := range items {
		switch it.Type {
		case "command":
			if it.Keyword == "" || it.Label == "" || it.Commands != nil {
				return false
			}
		case "menu":
			if it.Label == "" || it.Keyword != "" || it.Params != "" || !validMenu(it.Commands) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func validName(n string) bool {
	return n != "" && strings.TrimSpace(n) == n && !strings.ContainsAny(n, "@#'\"\n")
}

func (s *Sim) cmdCreateUser(p *scan) *result {
	var nu struct {
		Profile *profileArg `json:"profile"`
	}
	if !jsonArg(p.s, &nu) {
		return parseFail()
	}
	var prof wProfile
	if nu.Profile != nil {
		var good bool
		if prof, good = nu.Profile.profile(); !good {
			return parseFail()
		}
	}
	w := s.w
	if nu.Profile != nil && w.userNamed(nu.Profile.DisplayName) {
		// Commands.hs CreateActiveUser: when (n == displayName) . throwChatError $ CEUserExists displayName
		return fail(errType("userExists", "contactName", nu.Profile.DisplayName))
	}
	if nu.Profile == nil || !validName(nu.Profile.DisplayName) {
		name := ""
		if nu.Profile != nil {
			name = nu.Profile.DisplayName
		}
		return fail(errType("invalidDisplayName", "displayName", name, "validName", strings.TrimSpace(name)))
	}
	// A new name makes a new user, and it becomes the active one
	// (createUserRecordAt ... True; writeTVar u $ Just user).
	if w.hasUser {
		w.others[w.activeID] = w.userProfile
		w.activeID = w.nextUser
		w.nextUser++
	}
	w.hasUser = true
	w.userProfile = prof
	return ok(body("activeUser").set("user", w.userJSON()))
}

func (s *Sim) cmdProfile(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	var pa profileArg
	if !jsonArg(p.s, &pa) {
		return parseFail()
	}
	prof, good := pa.profile()
	if !good {
		return parseFail()
	}
	if !validName(pa.DisplayName) {
		return fail(errType("invalidDisplayName", "displayName", pa.DisplayName, "validName", strings.TrimSpace(pa.DisplayName)))
	}
	return s.setProfile(prof)
}

func (s *Sim) setProfile(np wProfile) *result {
	w := s.w
	from := w.userProfile
	a, _ := json.Marshal(from)
	b, _ := json.Marshal(np)
	if bytes.Equal(a, b) {
		return ok(body("userProfileNoChange").set("user", w.userJSON()))
	}
	w.userProfile = np
	n := 0
	for _, c := range w.contacts {
		if c.status == "active" {
			n++
		}
	}
	summary := fields().set("updateSuccesses", n).set("updateFailures", 0).set("changedContacts", []wContact{})
	return ok(body("userProfileUpdated").set("user", w.userJSON()).set("fromProfile", from).set("toProfile", np).
		set("updateSummary", summary))
}

func (w *world) addressLinks() wConnLink {
	id := strconv.FormatInt(w.addr.id, 10)
	return wConnLink{
		ConnFullLink:  "simplex:/contact#/?v=2-7&smp=smp%3A%2F%2Fc2lt%40smp.sim.invalid%2Faddr" + id + "%23%2F%3Fv%3D1-4%26dh%3DMCowBQYDK2VuAyEA",
		ConnShortLink: "https://smp.sim.invalid/a#addr" + id,
	}
}

func (w *world) contactLinkJSON() wContactLink {
	return wContactLink{UserContactLinkID: w.addr.id, ConnLinkContact: w.addressLinks(), ShortLinkDataSet: true,
		AddressSettings: w.addr.settings}
}

func (s *Sim) createAddress() *result {
	w := s.w
	if w.addr != nil {
		return fail(errStore("duplicateContactLink"))
	}
	w.addr = &address{id: w.id(&w.nextLink)}
	return ok(body("userContactLinkCreated").set("user", w.userJSON()).set("connLinkContact", w.addressLinks()))
}

func (s *Sim) showAddress() *result {
	w := s.w
	if w.addr == nil {
		return fail(errStore("userContactLinkNotFound"))
	}
	return ok(body("userContactLink").set("user", w.userJSON()).set("contactLink", w.contactLinkJSON()))
}

func (s *Sim) cmdAddress(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if v, has := p.opt("pq_ratchet"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	if !p.done() {
		return parseFail()
	}
	return s.createAddress()
}

// cmdShareAddress is APIShareMyAddress {toSendRef}: the bot's address as
// a contact card to send into a chat, signed with the address key and
// bound to that chat (simplex-chat plans/…-directory-businesses: "/_share
// address" parsed with sendRefP at Commands.hs:5472, handled at :1200 like
// APIShareChatMsgContent). The answer is CRChatMsgContent (chatMsgContent)
// with MCChat {text = the short link, chatLink = MCLContact {connLink,
// profile, business}, ownerSig = LinkOwnerSig {chatBinding, ownerSig}}, as
// tests/ChatTests/ChatRelays.hs builds MCChat (T.pack sLink) (MCLGroup …).
// The signature here is a stand-in: nothing in the simulator checks it.
func (s *Sim) cmdShareAddress(p *scan) *result {
	word, _ := p.word()
	// sendRefP: '@' <contactId> | '#' <groupId> [scope] [(as_group=on|off)]
	word, asGroup := strings.CutSuffix(word, "(as_group=on)")
	if !asGroup {
		word, _ = strings.CutSuffix(word, "(as_group=off)")
	}
	ref, good := parseRef(word)
	if !good || !p.done() || (asGroup && ref.kind != '#') {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if w.addr == nil {
		return fail(errStore("userContactLinkNotFound"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	link := w.addressLinks().ConnShortLink
	binding := base64.RawURLEncoding.EncodeToString([]byte("simplexsim:" + ref.String()))
	sig := base64.RawURLEncoding.EncodeToString([]byte("simplexsim-signature:" + link + ":" + ref.String()))
	chatLink := fields().set("type", "contact").set("connLink", link).set("profile", w.userProfile).
		set("business", w.addr.settings.BusinessAddress)
	mc := fields().set("type", "chat").set("text", link).set("chatLink", chatLink).
		set("ownerSig", fields().set("chatBinding", binding).set("ownerSig", sig))
	return ok(body("chatMsgContent").set("user", w.userJSON()).set("msgContent", mc))
}

func (s *Sim) cmdShowAddress(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if !p.done() {
		return parseFail()
	}
	return s.showAddress()
}

func (s *Sim) cmdDeleteAddress(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if !p.done() {
		return parseFail()
	}
	w := s.w
	if w.addr == nil {
		return fail(errStore("userContactLinkNotFound"))
	}
	w.addr = nil
	w.userProfile.ContactLink = ""
	return ok(body("userContactLinkDeleted").set("user", w.userJSON()))
}

func (s *Sim) cmdAddressSettings(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if v, has := p.opt("pq_ratchet"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	var as struct {
		BusinessAddress bool            `json:"businessAddress"`
		AutoAccept      json.RawMessage `json:"autoAccept"`
		AutoReply       json.RawMessage `json:"autoReply"`
	}
	if !jsonArg(p.s, &as) {
		return parseFail()
	}
	settings := wAddressSettings{BusinessAddress: as.BusinessAddress}
	if len(as.AutoAccept) > 0 && string(as.AutoAccept) != "null" {
		settings.AutoAccept = compactJSON(as.AutoAccept)
	}
	if len(as.AutoReply) > 0 && string(as.AutoReply) != "null" {
		if msgType(as.AutoReply) == "" {
			return parseFail()
		}
		settings.AutoReply = compactJSON(as.AutoReply)
	}
	return s.setAddressSettings(settings)
}

// cmdAutoAccept is SetAddressSettings. Commands.hs autoAcceptP builds the
// settings from the arguments alone, replacing what was set before:
//
//	autoAcceptP = ifM onOffP (businessAA <|> addressAA) (pure $ AddressSettings False Nothing Nothing)
//	addressAA = AddressSettings False <$> (Just . AutoAccept <$> (" incognito=" *> onOffP <|> pure False)) <*> autoReply
//	businessAA = " business" *> (AddressSettings True (Just $ AutoAccept False) <$> autoReply)
//	autoReply = optional (A.space *> msgContentP)
//
// so "/auto_accept on" clears a welcome set earlier, and "/auto_accept off"
// clears everything.
func (s *Sim) cmdAutoAccept(p *scan) *result {
	word, _ := p.word()
	on, good := parseOnOff(word)
	if !good {
		return parseFail()
	}
	var settings wAddressSettings
	if on {
		incognito := false
		if p.s == "business" || strings.HasPrefix(p.s, "business ") {
			p.word()
			settings.BusinessAddress = true
		} else if v, has := p.opt("incognito"); has {
			if incognito, good = parseOnOff(v); !good {
				return parseFail()
			}
		}
		settings.AutoAccept = json.RawMessage(`{"acceptIncognito":` + strconv.FormatBool(incognito) + `}`)
		if !p.done() {
			mc, good := msgContentArg(p.s)
			if !good {
				return parseFail()
			}
			settings.AutoReply = mc
		}
	} else if !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	return s.setAddressSettings(settings)
}

// msgContentArg parses Commands.hs msgContentP: "text " *> mcTextP <|> "json " *> jsonP.
func msgContentArg(s string) (json.RawMessage, bool) {
	if t, ok := strings.CutPrefix(s, "text "); ok {
		return textContent(t), true
	}
	if j, ok := strings.CutPrefix(s, "json "); ok {
		var mc json.RawMessage
		if !jsonArg(j, &mc) || msgType(mc) == "" {
			return nil, false
		}
		return compactJSON(mc), true
	}
	return nil, false
}

// setAddressSettings is APISetAddressSettings once parsed (Commands.hs:
// incognito is refused on an address with short link data and on a
// business address; the answer is userContactLinkUpdated).
func (s *Sim) setAddressSettings(settings wAddressSettings) *result {
	w := s.w
	if w.addr == nil {
		return fail(errStore("userContactLinkNotFound"))
	}
	var aa struct {
		AcceptIncognito bool `json:"acceptIncognito"`
	}
	if settings.AutoAccept != nil && json.Unmarshal(settings.AutoAccept, &aa) == nil && aa.AcceptIncognito {
		if settings.BusinessAddress {
			return fail(cmdError("requests to business address cannot be accepted incognito"))
		}
		return fail(cmdError("incognito not allowed for address with short link data"))
	}
	w.addr.settings = settings
	return ok(body("userContactLinkUpdated").set("user", w.userJSON()).set("contactLink", w.contactLinkJSON()))
}

func (s *Sim) cmdProfileAddress(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	word, _ := p.word()
	on, good := parseOnOff(word)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	np := w.userProfile
	if on {
		if w.addr == nil {
			return fail(errStore("userContactLinkNotFound"))
		}
		np.ContactLink = w.addressLinks().ConnShortLink
	} else {
		np.ContactLink = ""
	}
	return s.setProfile(np)
}

// Chat resolution shared by commands.

// chatFor resolves a ref to a chat the bot can read; ok is false with the
// error result otherwise.
func (s *Sim) chatFor(r chatRef) (*result, bool) {
	w := s.w
	switch r.kind {
	case '@':
		if w.contacts[r.id] == nil {
			return fail(errStore("contactNotFound", "contactId", r.id)), false
		}
	case '#':
		g := w.groups[r.id]
		if g == nil || g.bot == nil {
			return fail(errStore("groupNotFound", "groupId", r.id)), false
		}
		if r.support && r.scopeGM != 0 && g.member(r.scopeGM) == nil {
			return fail(errStore("groupMemberNotFound", "groupMemberId", r.scopeGM)), false
		}
	}
	return nil, true
}

// groupFor resolves a group the bot is an active member of.
func (s *Sim) groupFor(id int64) (*group, *result) {
	w := s.w
	g := w.groups[id]
	if g == nil || g.bot == nil {
		return nil, fail(errStore("groupNotFound", "groupId", id))
	}
	switch g.bot.status {
	case "invited", "accepted":
		return nil, fail(errType("groupNotJoined", "groupInfo", w.groupJSON(g)))
	case "left", "removed", "deleted":
		return nil, fail(errType("groupMemberUserRemoved"))
	}
	return g, nil
}

// requireRole checks the bot's role in g.
func (s *Sim) requireRole(g *group, role string) *result {
	if roleRank(g.bot.role) < roleRank(role) {
		return fail(errType("groupUserRole", "groupInfo", s.w.groupJSON(g), "requiredRole", role))
	}
	return nil
}

// sendable checks that the bot may post into the chat.
func (s *Sim) sendable(r chatRef) *result {
	w := s.w
	switch r.kind {
	case '@':
		c := w.contacts[r.id]
		if c == nil {
			return fail(errStore("contactNotFound", "contactId", r.id))
		}
		if c.status != "active" {
			return fail(errType("contactNotActive", "contact", w.contactJSON(c)))
		}
		if !c.ready() {
			return fail(errType("contactNotReady", "contact", w.contactJSON(c)))
		}
		return nil
	}
	g, res := s.groupFor(r.id)
	if res != nil {
		return res
	}
	if r.support && r.scopeGM != 0 && g.member(r.scopeGM) == nil {
		return fail(errStore("groupMemberNotFound", "groupMemberId", r.scopeGM))
	}
	if !r.support {
		if res := s.requireRole(g, "author"); res != nil {
			return res
		}
	}
	return nil
}

// itemIn finds an item of the chat (scope included).
func (w *world) itemIn(r chatRef, id int64) *item {
	it := w.items[id]
	if it == nil || it.chat != r {
		return nil
	}
	return it
}

type composed struct {
	MsgContent   json.RawMessage  `json:"msgContent"`
	Mentions     map[string]int64 `json:"mentions"`
	QuotedItemID *int64           `json:"quotedItemId"`
	FileSource   *struct {
		FilePath string `json:"filePath"`
	} `json:"fileSource"`
	FilePath string `json:"filePath"`
}

func (s *Sim) cmdSend(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	// Commands.hs: "/_send " *> (APISendMessages <$> sendRefP <*> liveMessageP <*> sendMessageTTLP
	// <*> (" json " *> jsonP <|> " text " *> composedMessagesTextP)): live= before ttl=,
	// ttl=<seconds> or ttl=default.
	var live bool
	var ttl int
	if v, has := p.opt("live"); has {
		if live, good = parseOnOff(v); !good {
			return parseFail()
		}
	}
	if v, has := p.opt("ttl"); has && v != "default" {
		n, good := parseID(v)
		if !good {
			return parseFail()
		}
		ttl = int(n)
	}
	var msgs []composed
	if text, isText := strings.CutPrefix(p.s, "text "); isText {
		// composedMessagesTextP: the rest of the line is one text message.
		msgs = []composed{{MsgContent: textContent(text)}}
	} else {
		raw, isJSON := strings.CutPrefix(p.s, "json ")
		raw = strings.TrimSpace(raw)
		if !isJSON || !strings.HasPrefix(raw, "[") {
			return parseFail() // a bare object is not a list
		}
		if !jsonArg(raw, &msgs) || len(msgs) == 0 {
			return parseFail()
		}
	}
	for _, m := range msgs {
		if msgType(m.MsgContent) == "" {
			return parseFail()
		}
	}
	for _, m := range msgs {
		// Commands.hs APISendMessages: assertAllowedContent' refuses reports,
		// and a direct chat has no mentions (assertNoMentions).
		if msgType(m.MsgContent) == "report" {
			return fail(cmdError("sending reports via this API is not supported"))
		}
		if ref.kind == '@' && len(m.Mentions) > 0 {
			return fail(cmdError("mentions are not supported in this chat"))
		}
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res := s.sendable(ref); res != nil {
		return res
	}
	// Validate everything before creating anything.
	type prepared struct {
		mc       json.RawMessage
		quote    *item
		mentions map[string]wMention
		formats  []wFormatted
		path     string
		size     int64
	}
	preps := make([]prepared, len(msgs))
	for i, m := range msgs {
		pr := prepared{mc: compactJSON(m.MsgContent)}
		if m.QuotedItemID != nil {
			q := w.itemIn(ref, *m.QuotedItemID)
			if q == nil {
				return fail(errStore("chatItemNotFound", "itemId", *m.QuotedItemID))
			}
			if q.deleted != nil || q.msgContent == nil {
				// Commands.hs quoteData: quoteData ChatItem {meta = CIMeta
				// {itemDeleted = Just _}} = throwChatError CEInvalidQuote, and
				// so does an item that is not message content.
				return fail(errType("invalidQuote"))
			}
			pr.quote = q
		}
		if ref.kind == '#' && len(m.Mentions) > 0 {
			g := w.groups[ref.id]
			pr.mentions = map[string]wMention{}
			for name, gmID := range m.Mentions {
				mem := g.member(gmID)
				if mem == nil {
					return fail(errStore("groupMemberNotFound", "groupMemberId", gmID))
				}
				pr.mentions[name] = wMention{MemberID: b64id('m', mem.id), MemberRef: &wMemberRef{
					GroupMemberID: mem.id, DisplayName: mem.name, MemberRole: mem.role}}
			}
		}
		path := m.FilePath
		if m.FileSource != nil {
			path = m.FileSource.FilePath
		}
		if path != "" {
			st, err := os.Stat(path)
			if err != nil || st.IsDir() {
				return fail(errType("fileNotFound", "message", path))
			}
			pr.path, pr.size = path, st.Size()
		}
		size := encodedLen(pr.mc) + msgEnvelopeOverhead
		if pr.quote != nil {
			size += len(pr.quote.sharedMsgID) + 64
		}
		if size > MaxEncodedMsgLength {
			return fail(errStore("largeMsg"))
		}
		preps[i] = pr
	}
	var items []*item
	var ais []wAChatItem
	for i, pr := range preps {
		it := &item{chat: ref, snd: true, ciTag: "sndMsgContent", msgContent: pr.mc, text: msgText(pr.mc),
			status: wItemStatus{Type: "sndNew"}, live: live, ttl: ttl, mentions: pr.mentions}
		if pr.quote != nil {
			it.quote = w.quoteOf(pr.quote)
		}
		w.addItem(it)
		if pr.path != "" {
			f := &file{id: w.id(&w.nextFile), itemID: it.id, name: filepath.Base(pr.path), size: pr.size,
				path: pr.path, status: "sndStored", snd: true}
			w.files[f.id] = f
			it.fileID = f.id
		}
		items = append(items, it)
		ais = append(ais, w.aItem(it))
		si := SentItem{ChatRef: ref.String(), ItemID: it.id, Text: it.text, MsgType: msgType(pr.mc),
			FilePath: pr.path, Mentions: msgs[i].Mentions, Live: live, TTL: ttl}
		if pr.quote != nil {
			si.QuotedItemID = pr.quote.id
		}
		w.sent = append(w.sent, si)
	}
	res := ok(body("newChatItems").set("user", w.userJSON()).set("chatItems", ais))
	if s.cfg.autoDelivery {
		res.after = w.deliver(items)
	}
	return res
}

func (s *Sim) cmdUpdate(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	idWord, _ := p.word()
	itemID, good := parseID(idWord)
	if !good {
		return parseFail()
	}
	if v, has := p.opt("live"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	// Commands.hs: (" json" *> jsonP <|> " text " *> updatedMessagesTextP); jsonP
	// takes the rest of the line, so "json{...}" parses too.
	var um struct {
		MsgContent json.RawMessage  `json:"msgContent"`
		Mentions   map[string]int64 `json:"mentions"`
	}
	if text, isText := strings.CutPrefix(p.s, "text "); isText {
		um.MsgContent = textContent(text)
	} else {
		raw, isJSON := strings.CutPrefix(p.s, "json")
		var keys map[string]json.RawMessage
		if !isJSON || !jsonArg(raw, &keys) || keys["mentions"] == nil || !jsonArg(raw, &um) || msgType(um.MsgContent) == "" {
			return parseFail() // UpdatedMessage requires "mentions"
		}
	}
	if ref.kind == '@' && len(um.Mentions) > 0 {
		// Commands.hs APIUpdateChatItem CTDirect: unless (null mentions) $ throwCmdError ...
		return fail(cmdError("mentions are not supported in this chat"))
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	it := w.itemIn(ref, itemID)
	if it == nil {
		return fail(errStore("chatItemNotFound", "itemId", itemID))
	}
	if !it.snd || it.msgContent == nil || it.deleted != nil {
		return fail(errType("invalidChatItemUpdate"))
	}
	mc := compactJSON(um.MsgContent)
	if sameJSON(mc, it.msgContent) {
		return ok(body("chatItemNotChanged").set("user", w.userJSON()).set("chatItem", w.aItem(it)))
	}
	if encodedLen(mc)+msgEnvelopeOverhead > MaxEncodedMsgLength {
		return fail(errStore("largeMsg"))
	}
	it.msgContent, it.text, it.edited, it.updated = mc, msgText(mc), true, w.now()
	it.formatted = formatText(it.text)
	w.actions = append(w.actions, Action{Kind: ActionUpdate, ChatRef: ref.String(), ItemIDs: []int64{itemID}, Text: it.text})
	return ok(body("chatItemUpdated").set("user", w.userJSON()).set("chatItem", w.aItem(it)))
}

func (s *Sim) cmdDelete(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good {
		return parseFail()
	}
	mode, _ := p.word()
	if (mode != "broadcast" && mode != "internal" && mode != "internalMark") || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	var items []*item
	for _, id := range ids {
		it := w.itemIn(ref, id)
		if it == nil {
			return fail(errStore("chatItemNotFound", "itemId", id))
		}
		if mode == "broadcast" && (!it.snd || it.deleted != nil) {
			return fail(errType("invalidChatItemDelete"))
		}
		items = append(items, it)
	}
	chatType := "direct"
	if ref.kind == '#' {
		chatType = "group"
	}
	var dels []wDeletion
	for _, it := range items {
		d := wDeletion{DeletedChatItem: w.aItem(it)}
		if mode == "internal" {
			w.removeItem(it.id)
		} else {
			it.deleted = &wItemDeleted{Type: "deleted", DeletedTs: ts(w.now()), ChatType: chatType}
			it.updated = w.now()
			after := w.aItem(it)
			d.ToChatItem = &after
		}
		dels = append(dels, d)
	}
	w.actions = append(w.actions, Action{Kind: ActionDelete, ChatRef: ref.String(), ItemIDs: ids, Mode: mode})
	return ok(body("chatItemsDeleted").set("user", w.userJSON()).set("chatItemDeletions", dels).
		set("byUser", true).set("timed", false))
}

// groupArg parses "#<groupId>" (no scope).
func groupArg(p *scan) (int64, bool) {
	word, _ := p.word()
	if !strings.HasPrefix(word, "#") {
		return 0, false
	}
	return parseID(word[1:])
}

func (s *Sim) cmdModerate(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	if res := s.requireRole(g, "moderator"); res != nil {
		return res
	}
	var items []*item
	for _, id := range ids {
		it := w.items[id]
		if it == nil || it.chat.kind != '#' || it.chat.id != gid {
			return fail(errStore("chatItemNotFound", "itemId", id))
		}
		if it.snd || it.deleted != nil {
			return fail(errType("invalidChatItemDelete"))
		}
		author := g.member(it.senderGM)
		// The bot must outrank the author.
		if author != nil && roleRank(author.role) >= roleRank(g.bot.role) {
			req := "owner"
			if r := roleRank(author.role) + 1; r < len(roles) {
				req = roles[r]
			}
			return fail(errType("groupUserRole", "groupInfo", w.groupJSON(g), "requiredRole", req))
		}
		items = append(items, it)
	}
	var dels []wDeletion
	for _, it := range items {
		d := wDeletion{DeletedChatItem: w.aItem(it)}
		mj := w.memberJSON(g.bot)
		it.deleted = &wItemDeleted{Type: "moderated", DeletedTs: ts(w.now()), ByGroupMember: &mj}
		it.updated = w.now()
		after := w.aItem(it)
		d.ToChatItem = &after
		dels = append(dels, d)
	}
	var members []int64
	for _, it := range items {
		members = append(members, it.senderGM)
	}
	w.actions = append(w.actions, Action{Kind: ActionModerate, ChatRef: "#" + strconv.FormatInt(gid, 10), ItemIDs: ids, MemberIDs: members})
	return ok(body("chatItemsDeleted").set("user", w.userJSON()).set("chatItemDeletions", dels).
		set("byUser", true).set("timed", false))
}

func (s *Sim) cmdReaction(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	idWord, _ := p.word()
	itemID, good := parseID(idWord)
	if !good {
		return parseFail()
	}
	onWord, _ := p.word()
	add, good := parseOnOff(onWord)
	if !good {
		return parseFail()
	}
	var mr struct {
		Type  string `json:"type"`
		Emoji string `json:"emoji"`
	}
	if !jsonArg(p.s, &mr) || mr.Type != "emoji" || !validEmoji(mr.Emoji) {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	it := w.itemIn(ref, itemID)
	if it == nil || it.deleted != nil {
		return fail(errStore("chatItemNotFound", "itemId", itemID))
	}
	it.react(mr.Emoji, add, true)
	dir := wChatDir{Type: "directSnd"}
	if ref.kind == '#' {
		dir = wChatDir{Type: "groupSnd"}
	}
	w.actions = append(w.actions, Action{Kind: ActionReaction, ChatRef: ref.String(), ItemIDs: []int64{itemID}, Mode: mr.Emoji, Added: add})
	return ok(w.reactionEvent(it, dir, mr.Emoji, add))
}

func (s *Sim) cmdReceiveFile(p *scan) *result {
	idWord, _ := p.word()
	fileID, good := parseID(idWord)
	if !good {
		return parseFail()
	}
	path := ""
	for !p.done() {
		if v, has := p.opt("approved_relays"); has {
			if _, good := parseOnOff(v); !good {
				return parseFail()
			}
			continue
		}
		if v, has := p.opt("encrypt"); has {
			if _, good := parseOnOff(v); !good {
				return parseFail()
			}
			continue
		}
		if v, has := p.opt("inline"); has {
			if _, good := parseOnOff(v); !good {
				return parseFail()
			}
			continue
		}
		path = p.s
		p.s = ""
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	f := w.files[fileID]
	if f == nil {
		// The handler looks the file's user up first (Store/Profiles.hs
		// getUserByFileId), so an unknown id is a store error about the user.
		return fail(errStore("userNotFoundByFileId", "fileId", fileID))
	}
	if f.snd {
		return fail(errType("fileNotFound", "message", fmt.Sprintf("file %d not found", fileID)))
	}
	if f.status != "rcvInvitation" {
		return fail(errType("fileAlreadyReceiving", "message", f.name))
	}
	it := w.items[f.itemID]
	path, res := s.rcvFilePath(path, f.name)
	if res != nil {
		return res
	}
	if err := os.WriteFile(path, f.fileContent(), 0o600); err != nil {
		return fail(errType("fileWrite", "filePath", path, "message", err.Error()))
	}
	f.status, f.path = "rcvAccepted", path
	accepted := w.aItem(it)
	f.status = "rcvTransfer"
	start := w.aItem(it)
	f.status = "rcvComplete"
	complete := w.aItem(it)
	w.actions = append(w.actions, Action{Kind: ActionReceiveFile, ChatRef: it.chat.String(), ItemIDs: []int64{it.id}, FileID: f.id})
	res = ok(body("rcvFileAccepted").set("user", w.userJSON()).set("chatItem", accepted))
	res.after = []any{
		body("rcvFileStart").set("user", w.userJSON()).set("chatItem", start),
		body("rcvFileComplete").set("user", w.userJSON()).set("chatItem", complete),
	}
	return res
}

// rcvFilePath chooses where a received file goes, as the CLI's
// getRcvFilePath does: without a path, a new name in the files folder;
// a folder, a new name in it; a file path, that path unless it exists
// (CEFileAlreadyExists). New names follow uniqueCombine: "a.pdf", then
// "a_1.pdf", "a_2.pdf"…
func (s *Sim) rcvFilePath(path, name string) (string, *result) {
	if path == "" {
		dir, err := s.filesFolder()
		if err != nil {
			return "", fail(errType("fileWrite", "filePath", name, "message", err.Error()))
		}
		return uniqueCombine(dir, name), nil
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return uniqueCombine(path, name), nil
	case err == nil:
		return "", fail(errType("fileAlreadyExists", "filePath", path))
	}
	return path, nil
}

// filesFolder is the folder for received files: WithFilesFolder's, or a
// temporary one made now and removed on Close.
func (s *Sim) filesFolder() (string, error) {
	if s.cfg.filesDir != "" {
		return s.cfg.filesDir, os.MkdirAll(s.cfg.filesDir, 0o700)
	}
	if s.tmpFiles == "" {
		dir, err := os.MkdirTemp("", "simplexsim-files-")
		if err != nil {
			return "", err
		}
		s.tmpFiles = dir
	}
	return s.tmpFiles, nil
}

// uniqueCombine joins dir and name, adding _1, _2… before the extensions
// (splitExtensions: from the first dot) until the path is free.
func uniqueCombine(dir, name string) string {
	base, ext := name, ""
	if i := strings.IndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	for n := 0; ; n++ {
		candidate := base + ext
		if n > 0 {
			candidate = base + "_" + strconv.Itoa(n) + ext
		}
		p := filepath.Join(dir, candidate)
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}

// fileContent is what a received file holds: the offered content, or
// size bytes of filler.
func (f *file) fileContent() []byte {
	if f.content != nil {
		return f.content
	}
	const filler = "simplexsim file\n"
	b := make([]byte, f.size)
	for i := range b {
		b[i] = filler[i%len(filler)]
	}
	return b
}

func (s *Sim) cmdCancelFile(p *scan) *result {
	idWord, _ := p.word()
	fileID, good := parseID(idWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	f := w.files[fileID]
	if f == nil {
		return fail(errStore("userNotFoundByFileId", "fileId", fileID))
	}
	switch f.status {
	case "rcvComplete", "rcvCancelled", "sndComplete", "sndCancelled":
		return fail(errType("fileCancel", "fileId", f.id, "message", "file transfer is already finished"))
	}
	it := w.items[f.itemID]
	w.actions = append(w.actions, Action{Kind: ActionCancelFile, ChatRef: it.chat.String(), ItemIDs: []int64{it.id}, FileID: f.id})
	if f.snd {
		f.status = "sndCancelled"
		meta := fields().set("fileId", f.id).set("fileName", f.name).set("filePath", f.path).set("fileSize", f.size).
			set("chunkSize", 16384).set("cancelled", true)
		return ok(body("sndFileCancelled").set("user", w.userJSON()).set("chatItem_", w.aItem(it)).
			set("fileTransferMeta", meta).set("sndFileTransfers", []any{}))
	}
	f.status = "rcvCancelled"
	return ok(body("rcvFileCancelled").set("user", w.userJSON()).set("chatItem_", w.aItem(it)).
		set("rcvFileTransfer", w.rcvTransfer(f, it)))
}

// cmdAccept is APIAcceptContact. Commands.hs: "/_accept" *> (APIAcceptContact
// <$> incognitoOnOffP <* A.space <*> A.decimal), incognitoOnOffP =
// (A.space *> "incognito=" *> onOffP) <|> pure False.
//
// What the CLI does, in order: it joins the requester's connection
// synchronously (acceptCReq: acceptContactRequest), which the queue secures
// at once, so the contact it answers with is already sndReady
// (updateConnectionStatusFromTo db conn ConnNew ConnSndReady); it sends the
// address welcome within the command (when sqSecured $ sendWelcomeMsg:
// newChatItems before the answer); contactConnected comes later from CON.
// No contactSndReady: Subscriber.hs emits it on JOINED only as the
// continuation of an async join (when (corrId /= "") $ withCompletedCommand),
// and /_accept does not join asynchronously.
func (s *Sim) cmdAccept(p *scan) *result {
	if !strings.HasPrefix(p.s, " ") {
		return parseFail()
	}
	p.s = p.s[1:]
	incognito := false
	if v, has := p.opt("incognito"); has {
		var good bool
		if incognito, good = parseOnOff(v); !good {
			return parseFail()
		}
	}
	idWord, _ := p.word()
	reqID, good := parseID(idWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if w.addr == nil {
		// Without an address the CLI has no link to accept on.
		return fail(errStore("userContactLinkNotFound"))
	}
	if incognito {
		// The simulated address always has short link data.
		return fail(cmdError("incognito not allowed for address with short link data"))
	}
	r := w.reqs[reqID]
	if r == nil || r.state != "pending" {
		return fail(errStore("contactRequestNotFound", "contactRequestId", reqID))
	}
	r.state = "accepted"
	c := w.newContact(r.name, true, r.id)
	c.profileID = r.profileID
	r.contactID = c.id
	c.connStatus = "sndReady"
	var before []any
	if ar := w.addr.settings.AutoReply; ar != nil {
		it := w.addItem(&item{chat: chatRef{kind: '@', id: c.id}, snd: true, ciTag: "sndMsgContent",
			msgContent: ar, text: msgText(ar), status: wItemStatus{Type: "sndNew"}})
		before = append(before, body("newChatItems").set("user", w.userJSON()).set("chatItems", []wAChatItem{w.aItem(it)}))
	}
	accepting := w.contactJSON(c)
	c.connStatus = "ready"
	after := []any{body("contactConnected").set("user", w.userJSON()).set("contact", w.contactJSON(c))}
	w.actions = append(w.actions, Action{Kind: ActionAcceptContact, ContactID: c.id, ChatRef: "@" + strconv.FormatInt(c.id, 10)})
	return &result{
		resp:   body("acceptingContactRequest").set("user", w.userJSON()).set("contact", accepting),
		before: before,
		after:  after,
	}
}

func (s *Sim) cmdReject(p *scan) *result {
	idWord, _ := p.word()
	reqID, good := parseID(idWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	r := w.reqs[reqID]
	if r == nil || r.state != "pending" {
		return fail(errStore("contactRequestNotFound", "contactRequestId", reqID))
	}
	r.state = "rejected"
	w.actions = append(w.actions, Action{Kind: ActionRejectContact, ContactID: 0, Mode: strconv.FormatInt(reqID, 10)})
	return ok(body("contactRequestRejected").set("user", w.userJSON()).set("contactRequest", w.requestJSON(r)))
}

func (s *Sim) cmdNewGroup(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if v, has := p.opt("incognito"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	var gp groupProfileArg
	if !jsonArg(p.s, &gp) {
		return parseFail()
	}
	if !validName(gp.DisplayName) {
		return fail(errType("invalidDisplayName", "displayName", gp.DisplayName, "validName", strings.TrimSpace(gp.DisplayName)))
	}
	w := s.w
	now := w.now()
	prof := wGroupProfile{DisplayName: gp.DisplayName, FullName: gp.FullName, ShortDescr: gp.ShortDescr,
		Description: gp.Description, Image: gp.Image, GroupPreferences: defaultGroupPreferences}
	if len(gp.GroupPreferences) > 0 && string(gp.GroupPreferences) != "null" {
		prof.GroupPreferences = compactJSON(gp.GroupPreferences)
	}
	if len(gp.MemberAdmission) > 0 && string(gp.MemberAdmission) != "null" {
		prof.MemberAdmission = compactJSON(gp.MemberAdmission)
	}
	g := &group{id: w.id(&w.nextGroup), name: gp.DisplayName, profile: prof, created: now, updated: now}
	g.bot = &member{id: w.id(&w.nextMember), groupID: g.id, index: 1, role: "owner", category: "user", status: "creator",
		invitedBy: wInvitedBy{Type: "user"}, name: w.userProfile.DisplayName, profileID: 1, created: now, updated: now}
	w.groups[g.id] = g
	return ok(body("groupCreated").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)))
}

func (s *Sim) cmdJoin(p *scan) *result {
	gid, good := groupArg(p)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g := w.groups[gid]
	if g == nil || g.bot == nil {
		return fail(errStore("groupNotFound", "groupId", gid))
	}
	switch g.bot.status {
	case "invited":
	case "connected", "creator", "accepted":
		return fail(errStore("groupAlreadyJoined"))
	default:
		return fail(errType("groupMemberUserRemoved"))
	}
	var host *member
	for _, m := range g.members {
		if m.id == g.bot.invitedByGM {
			host = m
		}
	}
	g.bot.status, g.bot.updated = "accepted", w.now()
	res := ok(body("userAcceptedGroupSent").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)))
	if host != nil {
		if c := w.contacts[host.contactID]; c != nil {
			res.resp.(*obj).set("hostContact", w.contactJSON(c))
		}
	}
	g.bot.status = "connected"
	joined := body("userJoinedGroup").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g))
	if host != nil {
		joined.set("hostMember", w.memberJSON(host))
	}
	res.after = []any{joined}
	w.actions = append(w.actions, Action{Kind: ActionJoin, ChatRef: "#" + strconv.FormatInt(gid, 10)})
	return res
}

func (s *Sim) cmdAddMember(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	cWord, _ := p.word()
	cid, good := parseID(cWord)
	if !good {
		return parseFail()
	}
	role, _ := p.word()
	if !commandRole(role) || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	c := w.contacts[cid]
	if c == nil {
		return fail(errStore("contactNotFound", "contactId", cid))
	}
	if res := s.requireRole(g, "admin"); res != nil {
		return res
	}
	if roleRank(role) > roleRank(g.bot.role) {
		return fail(errType("groupUserRole", "groupInfo", w.groupJSON(g), "requiredRole", role))
	}
	for _, m := range g.members {
		if m.contactID == cid && (m.active() || m.status == "invited") {
			return fail(errType("groupDuplicateMember", "contactName", c.name))
		}
	}
	m := w.newMember(g, c.name, role, "invitee", "invited", cid)
	m.invitedBy = wInvitedBy{Type: "user"}
	w.actions = append(w.actions, Action{Kind: ActionAddMember, ChatRef: "#" + strconv.FormatInt(gid, 10), ContactID: cid, MemberIDs: []int64{m.id}, Role: role})
	return ok(body("sentGroupInvitation").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
		set("contact", w.contactJSON(c)).set("member", w.memberJSON(m)))
}

func (s *Sim) cmdAcceptMember(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	mWord, _ := p.word()
	gmID, good := parseID(mWord)
	if !good {
		return parseFail()
	}
	role, _ := p.word()
	if !commandRole(role) || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	if res := s.requireRole(g, "moderator"); res != nil {
		return res
	}
	m := g.member(gmID)
	if m == nil {
		return fail(errStore("groupMemberNotFound", "groupMemberId", gmID))
	}
	if m.status != "pending_approval" && m.status != "pending_review" {
		return fail(errType("groupMemberNotActive"))
	}
	m.status, m.role, m.updated = "connected", role, w.now()
	w.actions = append(w.actions, Action{Kind: ActionAcceptMember, ChatRef: "#" + strconv.FormatInt(gid, 10), MemberIDs: []int64{gmID}, Role: role})
	return ok(body("memberAccepted").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).set("member", w.memberJSON(m)))
}

// targets resolves a list of member ids that the bot, with at least minRole,
// may act on (their role must not exceed the bot's).
func (s *Sim) targets(g *group, ids []int64, minRole string) ([]*member, *result) {
	if res := s.requireRole(g, minRole); res != nil {
		return nil, res
	}
	var out []*member
	for _, id := range ids {
		m := g.member(id)
		if m == nil || m.status == "removed" || m.status == "left" || m.status == "deleted" {
			return nil, fail(errType("groupMemberNotFound"))
		}
		if roleRank(m.role) > roleRank(g.bot.role) {
			return nil, fail(errType("groupUserRole", "groupInfo", s.w.groupJSON(g), "requiredRole", m.role))
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *Sim) membersJSON(ms []*member) []wMember {
	out := make([]wMember, 0, len(ms))
	for _, m := range ms {
		out = append(out, s.w.memberJSON(m))
	}
	return out
}

func (s *Sim) cmdMemberRole(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good {
		return parseFail()
	}
	role, _ := p.word()
	if !commandRole(role) || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	ms, res := s.targets(g, ids, "admin")
	if res != nil {
		return res
	}
	if roleRank(role) > roleRank(g.bot.role) {
		return fail(errType("groupUserRole", "groupInfo", w.groupJSON(g), "requiredRole", role))
	}
	for _, m := range ms {
		m.role, m.updated = role, w.now()
	}
	w.actions = append(w.actions, Action{Kind: ActionRole, ChatRef: "#" + strconv.FormatInt(gid, 10), MemberIDs: ids, Role: role})
	return ok(body("membersRoleUser").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
		set("members", s.membersJSON(ms)).set("toRole", role))
}

func (s *Sim) cmdBlock(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good {
		return parseFail()
	}
	v, has := p.opt("blocked")
	blocked, good := parseOnOff(v)
	if !has || !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	ms, res := s.targets(g, ids, "moderator")
	if res != nil {
		return res
	}
	for _, m := range ms {
		m.blocked, m.updated = blocked, w.now()
	}
	w.actions = append(w.actions, Action{Kind: ActionBlock, ChatRef: "#" + strconv.FormatInt(gid, 10), MemberIDs: ids, Blocked: blocked})
	return ok(body("membersBlockedForAllUser").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
		set("members", s.membersJSON(ms)).set("blocked", blocked))
}

func (s *Sim) cmdRemove(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good {
		return parseFail()
	}
	withMessages := false
	if v, has := p.opt("messages"); has {
		if withMessages, good = parseOnOff(v); !good {
			return parseFail()
		}
	}
	if !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	ms, res := s.targets(g, ids, "admin")
	if res != nil {
		return res
	}
	for _, m := range ms {
		m.status, m.updated = "removed", w.now()
		if withMessages {
			mj := w.memberJSON(g.bot)
			for _, it := range w.chatItems(chatRef{kind: '#', id: gid}) {
				if !it.snd && it.senderGM == m.id && it.deleted == nil {
					it.deleted = &wItemDeleted{Type: "moderated", DeletedTs: ts(w.now()), ByGroupMember: &mj}
				}
			}
		}
	}
	mode := ""
	if withMessages {
		mode = "messages=on"
	}
	w.actions = append(w.actions, Action{Kind: ActionRemove, ChatRef: "#" + strconv.FormatInt(gid, 10), MemberIDs: ids, Mode: mode})
	return ok(body("userDeletedMembers").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).
		set("members", s.membersJSON(ms)).set("withMessages", withMessages))
}

func (s *Sim) cmdLeave(p *scan) *result {
	gid, good := groupArg(p)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	g.bot.status, g.bot.updated = "left", w.now()
	w.actions = append(w.actions, Action{Kind: ActionLeave, ChatRef: "#" + strconv.FormatInt(gid, 10)})
	return ok(body("leftMemberUser").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)))
}

func (s *Sim) cmdMembers(p *scan) *result {
	gid, good := groupArg(p)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g := w.groups[gid]
	if g == nil || g.bot == nil {
		return fail(errStore("groupNotFound", "groupId", gid))
	}
	var ms []*member
	for _, m := range g.members {
		if m.status != "removed" && m.status != "left" && m.status != "deleted" {
			ms = append(ms, m)
		}
	}
	grp := fields().set("groupInfo", w.groupJSON(g)).set("members", s.membersJSON(ms))
	return ok(body("groupMembers").set("user", w.userJSON()).set("group", grp))
}

func (s *Sim) cmdContacts(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if !p.done() {
		return parseFail()
	}
	w := s.w
	ids := make([]int64, 0, len(w.contacts))
	for id, c := range w.contacts {
		if c.status == "active" {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cs := make([]wContact, 0, len(ids))
	for _, id := range ids {
		cs = append(cs, w.contactJSON(w.contacts[id]))
	}
	return ok(body("contactsList").set("user", w.userJSON()).set("contacts", cs))
}

func (s *Sim) knownGroups() []*group {
	var gs []*group
	for _, g := range s.w.groups {
		if g.bot != nil {
			gs = append(gs, g)
		}
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].id < gs[j].id })
	return gs
}

// cmdGroups is APIListGroups. Commands.hs parses
// `"/_groups" *> (APIListGroups <$> A.decimal <*> optional (" @" *> A.decimal) <*> optional (A.space *> stringP))`:
// the user id follows "/_groups" with no space, so "/_groups 1" is a parse
// error and "/_groups1" lists the groups.
func (s *Sim) cmdGroups(p *scan) *result {
	n := 0
	for n < len(p.s) && p.s[n] >= '0' && p.s[n] <= '9' {
		n++
	}
	uid, good := parseID(p.s[:n])
	if !good {
		return parseFail()
	}
	p.s = p.s[n:]
	if p.s != "" && p.s[0] != ' ' {
		return parseFail()
	}
	p.s = strings.TrimPrefix(p.s, " ")
	var contactID int64
	if strings.HasPrefix(p.s, "@") {
		word, _ := p.word()
		id, good := parseID(word[1:])
		if !good {
			return parseFail()
		}
		contactID = id
	}
	search := strings.TrimSpace(p.s)
	if !s.w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if _, other := s.w.others[uid]; uid != s.w.activeID && !other {
		return fail(errStore("userNotFound", "userId", uid))
	}
	w := s.w
	if contactID != 0 && w.contacts[contactID] == nil {
		return fail(errStore("contactNotFound", "contactId", contactID))
	}
	gs := []wGroupInfo{}
	for _, g := range s.knownGroups() {
		if search != "" && !strings.Contains(strings.ToLower(g.name), strings.ToLower(search)) {
			continue
		}
		if contactID != 0 {
			found := false
			for _, m := range g.members {
				found = found || m.contactID == contactID
			}
			if !found {
				continue
			}
		}
		gs = append(gs, w.groupJSON(g))
	}
	return ok(body("groupsList").set("user", w.userJSON()).set("groups", gs))
}

func (s *Sim) chatStats(r chatRef) wChatStats {
	st := wChatStats{}
	w := s.w
	ids := w.byChat[r]
	from := w.unreadFrom[r]
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= from })
	for _, id := range ids[i:] {
		it := w.items[id]
		if !it.snd && !it.read && it.msgContent != nil {
			st.UnreadCount++
			if it.userMention {
				st.UnreadMentions++
			}
			if st.MinUnreadItemID == 0 {
				st.MinUnreadItemID = it.id
			}
		}
	}
	switch {
	case st.MinUnreadItemID != 0:
		w.unreadFrom[r] = st.MinUnreadItemID
	case len(ids) > 0:
		w.unreadFrom[r] = ids[len(ids)-1] + 1
	}
	return st
}

func (s *Sim) cmdGetChats(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	// Commands.hs: "/_get chats " *> (APIGetChats <$> A.decimal
	// <*> (" pcc=on" $> True <|> " pcc=off" $> False <|> pure False)
	// <*> (A.space *> paginationByTimeP <|> pure (PTLast 5000))
	// <*> (A.space *> jsonP <|> pure clqNoFilters)), where paginationByTimeP is
	// count=<n> | after=<ts> count=<n> | before=<ts> count=<n>.
	if v, has := p.opt("pcc"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	count := int64(5000)
	var after, before time.Time
	if v, has := p.opt("after"); has {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return parseFail()
		}
		after = t
	} else if v, has := p.opt("before"); has {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return parseFail()
		}
		before = t
	}
	if v, has := p.opt("count"); has {
		n, good := parseID(v)
		if !good {
			return parseFail()
		}
		count = n
	} else if !after.IsZero() || !before.IsZero() {
		return parseFail()
	}
	if rest := strings.TrimSpace(p.s); rest != "" {
		var filter map[string]any
		if !jsonArg(rest, &filter) {
			return parseFail()
		}
	}
	w := s.w
	var refs []chatRef
	for id, c := range w.contacts {
		if c.status == "active" {
			refs = append(refs, chatRef{kind: '@', id: id})
		}
	}
	for _, g := range s.knownGroups() {
		refs = append(refs, chatRef{kind: '#', id: g.id})
	}
	last := func(r chatRef) int64 {
		if it := w.lastItem(r); it != nil {
			return it.id
		}
		return 0
	}
	sort.SliceStable(refs, func(i, j int) bool {
		li, lj := last(refs[i]), last(refs[j])
		if li != lj {
			return li > lj
		}
		if refs[i].kind != refs[j].kind {
			return refs[i].kind == '@'
		}
		return refs[i].id < refs[j].id
	})
	chatTs := func(r chatRef) time.Time {
		if it := w.lastItem(r); it != nil {
			return it.created
		}
		if r.kind == '@' {
			return w.contacts[r.id].created
		}
		return w.groups[r.id].created
	}
	chats := []wAChat{}
	for _, r := range refs {
		if int64(len(chats)) >= count {
			break
		}
		if t := chatTs(r); !after.IsZero() && !t.After(after) || !before.IsZero() && !t.Before(before) {
			continue
		}
		ch := wAChat{ChatInfo: w.chatInfo(r), ChatItems: []wChatItem{}, ChatStats: s.chatStats(r)}
		if it := w.lastItem(r); it != nil {
			ch.ChatItems = append(ch.ChatItems, w.itemJSON(it))
		}
		chats = append(chats, ch)
	}
	return ok(body("apiChats").set("user", w.userJSON()).set("chats", chats))
}

// cmdGetChat is APIGetChat. Commands.hs: "/_get chat " *> (APIGetChat <$> chatRefP
// <*> optional (" content=" *> strP) <* A.space <*> chatPaginationP
// <*> optional (" search=" *> stringP)), chatPaginationP being count=<n> |
// after=<id> count=<n> | before=<id> count=<n> | around=<id> count=<n> |
// initial=<n>. A content filter is for groups only ("content filter not
// supported" in a direct chat).
func (s *Sim) cmdGetChat(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	content := ""
	if v, has := p.opt("content"); has {
		if v == "" {
			return parseFail()
		}
		content = v
	}
	var anchor int64
	mode := "last"
	for _, m := range []string{"after", "before", "around"} {
		if v, has := p.opt(m); has {
			if anchor, good = parseID(v); !good {
				return parseFail()
			}
			mode = m
			break
		}
	}
	var count int64
	if v, has := p.opt("initial"); has && mode == "last" {
		if count, good = parseID(v); !good {
			return parseFail()
		}
		mode = "initial"
	} else {
		v, has := p.opt("count")
		if count, good = parseID(v); !has || !good {
			return parseFail()
		}
	}
	search := ""
	if v, has := p.opt("search"); has {
		search = v
		if p.s != "" {
			search += " " + p.s
		}
		p.s = ""
	}
	if !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if content != "" && ref.kind == '@' {
		return fail(cmdError("content filter not supported"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	var sel []*item
	if mode == "after" && search == "" && content == "" {
		// A catch-up's page: only the page is read, not the whole chat.
		sel = w.itemsAfter(ref, anchor, int(count))
		mode = "page"
	} else {
		for _, it := range w.chatItems(ref) {
			if search != "" && !strings.Contains(it.text, search) {
				continue
			}
			if content != "" && msgType(it.msgContent) != content {
				continue
			}
			sel = append(sel, it)
		}
	}
	n := int(count)
	switch mode {
	case "page": // itemsAfter made the page
	case "after":
		i := 0
		for i < len(sel) && sel[i].id <= anchor {
			i++
		}
		sel = sel[i:min(len(sel), i+n)]
	case "before":
		i := 0
		for i < len(sel) && sel[i].id < anchor {
			i++
		}
		sel = sel[max(0, i-n):i]
	case "around":
		// count items on each side of the anchor, the anchor included.
		i := 0
		for i < len(sel) && sel[i].id < anchor {
			i++
		}
		sel = sel[max(0, i-n):min(len(sel), i+n+1)]
	case "initial":
		// The first unread item with count before and after it; the last
		// count items when all are read.
		i := len(sel)
		for j, it := range sel {
			if !it.snd && !it.read {
				i = j
				break
			}
		}
		if i == len(sel) {
			sel = sel[max(0, len(sel)-n):]
		} else {
			sel = sel[max(0, i-n):min(len(sel), i+n)]
		}
	default:
		sel = sel[max(0, len(sel)-n):]
	}
	items := make([]wChatItem, 0, len(sel))
	for _, it := range sel {
		items = append(items, w.itemJSON(it))
	}
	chat := wAChat{ChatInfo: w.chatInfo(ref), ChatItems: items, ChatStats: s.chatStats(ref)}
	return ok(body("apiChat").set("user", w.userJSON()).set("chat", chat))
}

// cmdCreateLink is APICreateGroupLink. Commands.hs: "/_create link #" *>
// (APICreateGroupLink <$> A.decimal <*> (memberRole <|> pure GRMember)).
func (s *Sim) cmdCreateLink(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	role := "member"
	if !p.done() {
		role, _ = p.word()
	}
	if !commandRole(role) || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	g, res := s.groupFor(gid)
	if res != nil {
		return res
	}
	if res := s.requireRole(g, "admin"); res != nil {
		return res
	}
	if roleRank(role) > roleRank("member") {
		return fail(errType("groupUserRole", "groupInfo", w.groupJSON(g), "requiredRole", role))
	}
	if g.link != nil {
		return fail(errStore("duplicateGroupLink", "groupInfo", w.groupJSON(g)))
	}
	id := w.id(&w.nextLink)
	sid := strconv.FormatInt(id, 10)
	g.link = &wGroupLink{UserContactLinkID: id, ConnLinkContact: wConnLink{
		ConnFullLink:  "simplex:/contact#/?v=2-7&smp=smp%3A%2F%2Fc2lt%40smp.sim.invalid%2Fgroup" + sid + "%23%2F%3Fv%3D1-4",
		ConnShortLink: "https://smp.sim.invalid/g#group" + sid,
	}, ShortLinkDataSet: true, GroupLinkID: b64id('g', id), AcceptMemberRole: role}
	return ok(body("groupLinkCreated").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).set("groupLink", *g.link))
}

func (s *Sim) cmdSetPrefs(p *scan) *result {
	word, _ := p.word()
	if !strings.HasPrefix(word, "@") {
		return parseFail()
	}
	cid, good := parseID(word[1:])
	if !good {
		return parseFail()
	}
	var prefs map[string]json.RawMessage
	if !jsonArg(p.s, &prefs) {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	c := w.contacts[cid]
	if c == nil {
		return fail(errStore("contactNotFound", "contactId", cid))
	}
	from := w.contactJSON(c)
	c.userPrefs = compactJSON([]byte(p.s))
	c.updated = w.now()
	return ok(body("contactPrefsUpdated").set("user", w.userJSON()).set("fromContact", from).set("toContact", w.contactJSON(c)))
}

func (s *Sim) cmdReadItems(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	idsWord, _ := p.word()
	ids, good := parseIDs(idsWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	var items []*item
	for _, id := range ids {
		it := w.itemIn(ref, id)
		if it == nil {
			return fail(errStore("chatItemNotFound", "itemId", id))
		}
		items = append(items, it)
	}
	for _, it := range items {
		it.markRead()
	}
	w.actions = append(w.actions, Action{Kind: ActionRead, ChatRef: ref.String(), ItemIDs: ids})
	// Commands.hs APIChatItemsRead: pure $ CRItemsReadForChat user (AChatInfo ...)
	ci := w.chatInfo(chatRef{kind: ref.kind, id: ref.id})
	return ok(body("itemsReadForChat").set("user", w.userJSON()).set("chatInfo", ci))
}

func (s *Sim) cmdReadChat(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good || !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if res, good := s.chatFor(ref); !good {
		return res
	}
	var ids []int64
	for _, it := range w.chatItems(ref) {
		if !it.snd && !it.read {
			it.markRead()
			ids = append(ids, it.id)
		}
	}
	w.actions = append(w.actions, Action{Kind: ActionRead, ChatRef: ref.String(), ItemIDs: ids})
	return ok(body("cmdOk").set("user_", w.userJSON()))
}

func (it *item) markRead() {
	it.read = true
	if it.status.Type == "rcvNew" {
		it.status = wItemStatus{Type: "rcvRead"}
	}
}

// groupProfileArg is the GroupProfile JSON of /_group and /_group_profile.
type groupProfileArg struct {
	DisplayName      string          `json:"displayName"`
	FullName         string          `json:"fullName"`
	ShortDescr       string          `json:"shortDescr"`
	Description      string          `json:"description"`
	Image            string          `json:"image"`
	GroupPreferences json.RawMessage `json:"groupPreferences"`
	MemberAdmission  json.RawMessage `json:"memberAdmission"`
}
