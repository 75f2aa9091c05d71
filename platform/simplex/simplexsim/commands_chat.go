package simplexsim

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Commands a bot uses beyond messages and groups: users, chat lifecycle,
// connections, info, custom data, links, the command menu. Each follows the
// parser line of Commands.hs quoted above it.

const simServer = "smp://c2lt@smp.sim.invalid"

// cmdUsers is ListUsers. Commands.hs: "/users" $> ListUsers ->
// CRUsersList <$> getUsersInfo: every user with its unread count.
func (s *Sim) cmdUsers() *result {
	w := s.w
	users := []any{}
	if w.hasUser {
		ids := []int64{w.activeID}
		for id := range w.others {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		unread := 0
		for _, id := range w.order {
			if it := w.items[id]; it != nil && !it.snd && !it.read && it.msgContent != nil {
				unread++
			}
		}
		for _, id := range ids {
			p, active, n := w.userProfile, true, unread
			if id != w.activeID {
				p, active, n = w.others[id], false, 0
			}
			users = append(users, fields().set("user", w.userJSONOf(id, p, active)).set("unreadCount", n))
		}
	}
	return ok(body("usersList").set("users", users))
}

// cmdAgentSubs is GetAgentSubs, the usual liveness probe. Commands.hs:
// "/get subs" $> GetAgentSubs -> CRAgentSubs {activeSubs, pendingSubs,
// removedSubs}, maps keyed by server.
func (s *Sim) cmdAgentSubs() *result {
	w := s.w
	n := 0
	if w.addr != nil {
		n++
	}
	for _, c := range w.contacts {
		if c.status == "active" {
			n++
		}
	}
	for _, g := range w.groups {
		if g.joined() {
			for _, m := range g.members {
				if m.active() {
					n++
				}
			}
		}
	}
	active := map[string]int{}
	if n > 0 {
		active[simServer] = n
	}
	return ok(body("agentSubs").set("activeSubs", active).set("pendingSubs", map[string]int{}).
		set("removedSubs", map[string][]string{}))
}

// cmdDeleteChat is APIDeleteChat. Commands.hs: "/_delete " *> (APIDeleteChat
// <$> chatRefP <*> chatDeleteMode), chatDeleteMode = " full" notify |
// " entity" notify | " messages" | notify (full), notify = " notify=" on|off.
func (s *Sim) cmdDeleteChat(p *scan) *result {
	refWord, _ := p.word()
	ref, good := parseRef(refWord)
	if !good {
		return parseFail()
	}
	mode := "full"
	switch {
	case p.s == "messages":
		mode, p.s = "messages", ""
	case p.s == "full" || strings.HasPrefix(p.s, "full "):
		p.word()
	case p.s == "entity" || strings.HasPrefix(p.s, "entity "):
		mode = "entity"
		p.word()
	}
	if mode != "messages" {
		if v, has := p.opt("notify"); has {
			if _, good := parseOnOff(v); !good {
				return parseFail()
			}
		}
	}
	if !p.done() {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if ref.kind == '#' {
		if ref.support {
			return fail(cmdError("not supported"))
		}
		g := w.groups[ref.id]
		if g == nil || g.bot == nil {
			return fail(errStore("groupNotFound", "groupId", ref.id))
		}
		// canDelete = isOwner || not (memberCurrent membership)
		if g.bot.role != "owner" && g.bot.active() {
			return fail(errType("groupUserRole", "groupInfo", w.groupJSON(g), "requiredRole", "owner"))
		}
		gi := w.groupJSON(g)
		w.clearChat(chatRef{kind: '#', id: g.id})
		delete(w.groups, g.id)
		w.actions = append(w.actions, Action{Kind: ActionDeleteChat, ChatRef: ref.String(), Mode: mode})
		return ok(body("groupDeletedUser").set("user", w.userJSON()).set("groupInfo", gi))
	}
	c := w.contacts[ref.id]
	if c == nil {
		return fail(errStore("contactNotFound", "contactId", ref.id))
	}
	w.clearChat(ref)
	var ct wContact
	switch mode {
	case "full":
		ct = w.contactJSON(c)
		delete(w.contacts, c.id)
	case "entity":
		c.status, c.updated = "deletedByUser", w.now()
		ct = w.contactJSON(c)
	default:
		c.chatDeleted = true
		ct = w.contactJSON(c)
	}
	w.actions = append(w.actions, Action{Kind: ActionDeleteChat, ChatRef: ref.String(), ContactID: c.id, Mode: mode})
	return ok(body("contactDeleted").set("user", w.userJSON()).set("contact", ct))
}

// clearChat removes every item of a chat.
func (w *world) clearChat(r chatRef) {
	for _, it := range w.chatItems(r) {
		w.removeItem(it.id)
	}
	for k := range w.byChat {
		if k.kind == r.kind && k.id == r.id {
			for _, id := range w.byChat[k] {
				w.removeItem(id)
			}
		}
	}
}

// cmdConnect is APIAddContact or APIConnect. Commands.hs:
// "/_connect " *> (APIAddContact <$> A.decimal <*> incognitoOnOffP) and
// "/_connect " *> (APIConnect <$> A.decimal <*> incognitoOnOffP <* A.space <*> connLinkP).
// A new invitation answers invitation; connecting via a one-time link
// sentConfirmation, via an address sentInvitation.
func (s *Sim) cmdConnect(p *scan) *result {
	if good, r := s.userArg(p); !good {
		return r
	}
	if v, has := p.opt("incognito"); has {
		if _, good := parseOnOff(v); !good {
			return parseFail()
		}
	}
	link, _ := p.word()
	short, _ := p.word()
	if !p.done() {
		return parseFail()
	}
	kind := ""
	if link != "" {
		if kind = linkKind(link); kind == "" || short != "" && linkKind(short) != kind {
			return parseFail()
		}
	}
	w := s.w
	now := ts(w.now())
	id := w.id(&w.nextConn)
	pcc := fields().set("pccConnId", id).set("pccAgentConnId", b64id('c', id)).set("pccConnStatus", "new").
		set("viaContactUri", kind == "contact")
	switch kind {
	case "":
		sid := strconv.FormatInt(id, 10)
		inv := wConnLink{
			ConnFullLink:  "simplex:/invitation#/?v=2-7&smp=smp%3A%2F%2Fc2lt%40smp.sim.invalid%2Finv" + sid + "%23%2F%3Fv%3D1-4",
			ConnShortLink: "https://smp.sim.invalid/i#inv" + sid,
		}
		pcc.set("connLinkInv", inv).set("localAlias", "").set("createdAt", now).set("updatedAt", now)
		return ok(body("invitation").set("user", w.userJSON()).set("connLinkInvitation", inv).set("connection", pcc))
	case "invitation":
		pcc.set("pccConnStatus", "joined").set("localAlias", "").set("createdAt", now).set("updatedAt", now)
		return ok(body("sentConfirmation").set("user", w.userJSON()).set("connection", pcc))
	default:
		pcc.set("pccConnStatus", "joined").set("localAlias", "").set("createdAt", now).set("updatedAt", now)
		return ok(body("sentInvitation").set("user", w.userJSON()).set("connection", pcc))
	}
}

// linkKind tells a one-time invitation link from an address (contact)
// link, in their full (simplex:/invitation#…, https://simplex.chat/contact#…)
// and short (https://host/i#…, /a#…, /c#…) forms; "" for anything else.
func linkKind(l string) string {
	rest, ok := strings.CutPrefix(l, "simplex:")
	if !ok {
		if rest, ok = strings.CutPrefix(l, "https://"); !ok {
			return ""
		}
		if i := strings.IndexByte(rest, '/'); i > 0 {
			rest = rest[i:]
		} else {
			return ""
		}
	}
	switch {
	case strings.HasPrefix(rest, "/invitation#") || strings.HasPrefix(rest, "/i#"):
		return "invitation"
	case strings.HasPrefix(rest, "/contact#") || strings.HasPrefix(rest, "/a#") || strings.HasPrefix(rest, "/c#") ||
		strings.HasPrefix(rest, "/g#"):
		return "contact"
	}
	return ""
}

func connectionStats() *obj {
	return fields().set("connAgentVersion", 7).
		set("rcvQueuesInfo", []any{fields().set("rcvServer", simServer).set("status", "active").set("canAbortSwitch", false)}).
		set("sndQueuesInfo", []any{fields().set("sndServer", simServer)}).
		set("ratchetSyncState", "ok").set("ratchetSyncSupported", true)
}

// cmdInfo is APIContactInfo, APIGroupInfo or APIGroupMemberInfo.
// Commands.hs: "/_info #" *> (APIGroupMemberInfo <$> A.decimal <* A.space <*> A.decimal),
// "/_info #" *> (APIGroupInfo <$> A.decimal), "/_info @" *> (APIContactInfo <$> A.decimal).
func (s *Sim) cmdInfo(p *scan) *result {
	word, _ := p.word()
	if len(word) < 2 || word[0] != '@' && word[0] != '#' {
		return parseFail()
	}
	id, good := parseID(word[1:])
	if !good {
		return parseFail()
	}
	var gmID int64
	if word[0] == '#' && !p.done() {
		mw, _ := p.word()
		if gmID, good = parseID(mw); !good {
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
	if word[0] == '@' {
		c := w.contacts[id]
		if c == nil {
			return fail(errStore("contactNotFound", "contactId", id))
		}
		return ok(body("contactInfo").set("user", w.userJSON()).set("contact", w.contactJSON(c)).
			set("connectionStats_", connectionStats()))
	}
	g := w.groups[id]
	if g == nil || g.bot == nil {
		return fail(errStore("groupNotFound", "groupId", id))
	}
	if gmID == 0 {
		return ok(body("groupInfo").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)))
	}
	m := g.member(gmID)
	if g.bot.id == gmID {
		m = g.bot
	}
	if m == nil {
		return fail(errStore("groupMemberNotFound", "groupMemberId", gmID))
	}
	res := body("groupMemberInfo").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).set("member", w.memberJSON(m))
	if m != g.bot && m.active() {
		res.set("connectionStats_", connectionStats())
	}
	return ok(res)
}

// cmdSetCustom is APISetGroupCustomData / APISetContactCustomData:
// "/_set custom #<groupId>[ <json>]", "/_set custom @<contactId>[ <json>]"
// answering cmdOk; without JSON the data is cleared. The data shows as
// customData on the group or contact.
func (s *Sim) cmdSetCustom(p *scan) *result {
	word, _ := p.word()
	if len(word) < 2 || word[0] != '@' && word[0] != '#' {
		return parseFail()
	}
	id, good := parseID(word[1:])
	if !good {
		return parseFail()
	}
	var data json.RawMessage
	if !p.done() {
		var obj map[string]json.RawMessage
		if !jsonArg(p.s, &obj) {
			return parseFail()
		}
		data = compactJSON([]byte(p.s))
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	if word[0] == '@' {
		c := w.contacts[id]
		if c == nil {
			return fail(errStore("contactNotFound", "contactId", id))
		}
		c.customData = data
	} else {
		g := w.groups[id]
		if g == nil || g.bot == nil {
			return fail(errStore("groupNotFound", "groupId", id))
		}
		g.customData = data
	}
	return ok(body("cmdOk").set("user_", w.userJSON()))
}

// cmdGetLink is APIGetGroupLink. Commands.hs: "/_get link #" *> (APIGetGroupLink <$> A.decimal).
func (s *Sim) cmdGetLink(p *scan) *result {
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
	if g.link == nil {
		return fail(errStore("groupLinkNotFound", "groupInfo", w.groupJSON(g)))
	}
	return ok(body("groupLink").set("user", w.userJSON()).set("groupInfo", w.groupJSON(g)).set("groupLink", *g.link))
}

// cmdGroupProfile is APIUpdateGroupProfile. Commands.hs: "/_group_profile #" *>
// (APIUpdateGroupProfile <$> A.decimal <* A.space <*> jsonP); only owners
// change the profile; the answer is groupUpdated.
func (s *Sim) cmdGroupProfile(p *scan) *result {
	gid, good := groupArg(p)
	if !good {
		return parseFail()
	}
	var gp groupProfileArg
	if !jsonArg(p.s, &gp) {
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
	if res := s.requireRole(g, "owner"); res != nil {
		return res
	}
	if !validName(gp.DisplayName) {
		return fail(errType("invalidDisplayName", "displayName", gp.DisplayName, "validName", strings.TrimSpace(gp.DisplayName)))
	}
	from := w.groupJSON(g)
	prof := wGroupProfile{DisplayName: gp.DisplayName, FullName: gp.FullName, ShortDescr: gp.ShortDescr,
		Description: gp.Description, Image: gp.Image}
	if len(gp.GroupPreferences) > 0 && string(gp.GroupPreferences) != "null" {
		prof.GroupPreferences = compactJSON(gp.GroupPreferences)
	}
	if len(gp.MemberAdmission) > 0 && string(gp.MemberAdmission) != "null" {
		prof.MemberAdmission = compactJSON(gp.MemberAdmission)
	}
	g.profile, g.name, g.updated = prof, gp.DisplayName, w.now()
	w.actions = append(w.actions, Action{Kind: ActionGroupProfile, ChatRef: "#" + strconv.FormatInt(gid, 10), Text: gp.DisplayName})
	return ok(body("groupUpdated").set("user", w.userJSON()).set("fromGroup", from).set("toGroup", w.groupJSON(g)))
}

// cmdSetBotCommands is "/set bot commands <menu>": the bot's command menu
// in its profile (preferences.commands), answered like a profile update.
// The menu syntax, from the bots' README: items separated by commas, each
// 'Label':/keyword, 'Label':/'keyword <params>' or 'Label':{submenu}.
func (s *Sim) cmdSetBotCommands(p *scan) *result {
	mp := menuParser{s: p.s}
	cmds, good := mp.list()
	if !good || mp.s != "" || len(cmds) == 0 {
		return parseFail()
	}
	w := s.w
	if !w.hasUser {
		return fail(errType("noActiveUser"))
	}
	np := w.userProfile
	prefs := map[string]json.RawMessage{}
	if len(np.Preferences) > 0 {
		_ = json.Unmarshal(np.Preferences, &prefs)
	}
	b, _ := json.Marshal(cmds)
	prefs["commands"] = b
	all, _ := json.Marshal(prefs)
	if np.Preferences, good = normPreferences(all); !good {
		return parseFail()
	}
	return s.setProfile(np)
}

type menuParser struct{ s string }

// menuItem is a ChatBotCommand as the CLI writes it.
type menuItem struct {
	Type     string     `json:"type"`
	Keyword  string     `json:"keyword,omitempty"`
	Label    string     `json:"label"`
	Params   string     `json:"params,omitempty"`
	Commands []menuItem `json:"commands,omitempty"`
}

func (m *menuParser) list() ([]menuItem, bool) {
	var out []menuItem
	for {
		it, good := m.item()
		if !good {
			return nil, false
		}
		out = append(out, it)
		if !strings.HasPrefix(m.s, ",") {
			return out, true
		}
		m.s = m.s[1:]
	}
}

func (m *menuParser) item() (menuItem, bool) {
	label, good := m.text(":")
	if !good || label == "" || !strings.HasPrefix(m.s, ":") {
		return menuItem{}, false
	}
	m.s = m.s[1:]
	switch {
	case strings.HasPrefix(m.s, "{"):
		m.s = m.s[1:]
		sub, good := m.list()
		if !good || !strings.HasPrefix(m.s, "}") {
			return menuItem{}, false
		}
		m.s = m.s[1:]
		return menuItem{Type: "menu", Label: label, Commands: sub}, true
	case strings.HasPrefix(m.s, "/"):
		m.s = m.s[1:]
		cmd, good := m.text(",}")
		if !good || cmd == "" {
			return menuItem{}, false
		}
		kw, params, _ := strings.Cut(cmd, " ")
		return menuItem{Type: "command", Keyword: kw, Label: label, Params: strings.TrimSpace(params)}, true
	}
	return menuItem{}, false
}

// text reads a quoted 'text' or a bare one up to any of stop.
func (m *menuParser) text(stop string) (string, bool) {
	if strings.HasPrefix(m.s, "'") {
		end := strings.IndexByte(m.s[1:], '\'')
		if end < 0 {
			return "", false
		}
		t := m.s[1 : 1+end]
		m.s = m.s[2+end:]
		return t, true
	}
	i := strings.IndexAny(m.s, stop)
	if i < 0 {
		i = len(m.s)
	}
	t := m.s[:i]
	m.s = m.s[i:]
	return strings.TrimSpace(t), true
}
