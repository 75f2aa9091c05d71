package tadasim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/platform/tada"
	"github.com/parleybot/parley/playground"
)

// PlaygroundDelay is how long frames and REST answers wait while the
// playground's delay fault is on.
const PlaygroundDelay = 2 * time.Second

func init() {
	playground.Register(playground.Provider{Name: "tada", Start: startPlayground})
}

// startPlayground starts a simulator for "parley playground". Tada has no
// contact requests: a new contact is a new member of the team, who can
// write to the bot at once.
func startPlayground(o playground.Options) (playground.Sim, error) {
	name := o.BotName
	if name == "" {
		name = DefaultBotName
	}
	s := New(WithBot(name, DefaultBotToken))
	if err := s.Start(); err != nil {
		return nil, err
	}
	return &pgSim{s: s}, nil
}

type pgSim struct{ s *Server }

func (p *pgSim) URL() string  { return p.s.URL() }
func (p *pgSim) Close() error { return p.s.Close() }

func (p *pgSim) Settings(url string) map[string]any {
	return map[string]any{"url": url, "team": p.s.Team(), "token": DefaultBotToken}
}

func (p *pgSim) Changed() <-chan struct{} {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.s.changed
}

func (p *pgSim) Fault(kind string) error {
	s := p.s
	switch kind {
	case playground.FaultDrop:
		s.DropAfter(1)
		// The bot's next frame is the drop; a small chat makes one.
		s.SendRaw(`{"event":"server.warning","params":{"message":"playground: dropping the connection"}}`)
	case playground.FaultDelay:
		s.mu.Lock()
		d := PlaygroundDelay
		if s.delay > 0 {
			d = 0
		}
		s.mu.Unlock()
		s.SetDelay(d)
		s.mu.Lock()
		s.notify()
		s.mu.Unlock()
	case playground.FaultMalformed:
		s.SendRaw(`{"event":"server.message.updated","params":`)
	default:
		return playground.Unsupported("fault " + kind)
	}
	return nil
}

func (p *pgSim) World() playground.World {
	s := p.s
	bot := s.Bot()
	conns := s.BotSockets()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.w
	out := playground.World{
		Platform: "tada", Bot: bot.Name, Connections: conns, Delayed: s.delay > 0,
		Actions: []string{playground.Connect, playground.Send, playground.Edit, playground.Delete, playground.React,
			playground.NewGroup, playground.AddMember, playground.RemoveMember, playground.SetRole, playground.Leave},
		Roles: []string{"member", "admin", "owner"},
		Faults: []playground.FaultInfo{
			{Kind: playground.FaultDrop, Label: "Drop the connection"},
			{Kind: playground.FaultDelay, Label: fmt.Sprintf("Delay frames and answers %v", PlaygroundDelay)},
			{Kind: playground.FaultMalformed, Label: "Send a malformed frame"},
		},
	}
	for _, jid := range w.order {
		u := w.users[jid]
		if u == nil || u.Bot {
			continue
		}
		chat := convKey(u.JID, w.botJID)
		out.People = append(out.People, playground.Person{ID: u.JID, Name: u.Name, State: "connected", Chat: chat})
		out.Chats = append(out.Chats, playground.Chat{ID: chat, Name: u.Name,
			Members:  []playground.Member{{ID: u.JID, Name: u.Name, Active: true}},
			Messages: p.messages(chat)})
	}
	gids := make([]string, 0, len(w.groups))
	for id := range w.groups {
		gids = append(gids, id)
	}
	slices.Sort(gids)
	for _, id := range gids {
		g := w.groups[id]
		ch := playground.Chat{ID: g.JID, Group: true, Name: g.Name, BotState: "removed", Messages: p.messages(g.JID)}
		if st, ok := g.Members[w.botJID]; ok {
			ch.BotState, ch.BotRole = "member", st
		}
		for _, jid := range w.order {
			if st, ok := g.Members[jid]; ok && jid != w.botJID {
				ch.Members = append(ch.Members, playground.Member{ID: jid, Name: w.users[jid].Name, Role: st, Active: true})
			}
		}
		out.Chats = append(out.Chats, ch)
	}
	return out
}

// messages lists a conversation; s.mu is held.
func (p *pgSim) messages(key string) []playground.Message {
	w := p.s.w
	var out []playground.Message
	for _, id := range w.conv[key] {
		sm := w.msgs[id]
		if sm == nil {
			continue
		}
		m := sm.msg
		pm := playground.Message{ID: m.MessageID, From: m.From, Bot: m.From == w.botJID, Text: m.Content.Text,
			Edited: m.Edited != "", Deleted: m.Deleted()}
		if u := w.users[m.From]; u != nil {
			pm.FromName = u.Name
		}
		if pm.Bot {
			pm.From = ""
		}
		if m.ReplyTo != nil {
			pm.ReplyTo = m.ReplyTo.MessageID
		}
		for _, r := range m.Reactions {
			if pm.Reactions == nil {
				pm.Reactions = map[string]int{}
			}
			pm.Reactions[r.Name] = r.Counter
		}
		out = append(out, pm)
	}
	return out
}

func (p *pgSim) Do(_ context.Context, a playground.Action) (string, error) {
	s := p.s
	bot := s.Bot()
	switch a.Kind {
	case playground.Connect:
		name := strings.TrimSpace(a.Name)
		if name == "" {
			return "", fmt.Errorf("tadasim: a new contact needs a name")
		}
		return s.AddContact(name).JID, nil
	case playground.NewGroup:
		members := map[string]string{a.As: "owner", bot.JID: "admin"}
		for _, n := range a.Members {
			if n = strings.TrimSpace(n); n != "" {
				members[s.AddContact(n).JID] = "member"
			}
		}
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "group"
		}
		return s.NewGroup(name, members)
	}
	// The address to send to: the bot in a direct chat, else the group.
	to := a.Chat
	if tada.ChatTypeOf(a.Chat) != tada.ChatGroup {
		to = bot.JID
	}
	switch a.Kind {
	case playground.Send:
		m, err := s.SendParams(a.As, tada.MessageParams{To: to, ReplyTo: a.Item,
			Content: tada.MessageContent{Type: tada.ContentPlain, Text: a.Text}})
		return m.MessageID, err
	case playground.Edit:
		_, err := s.Edit(a.As, a.Item, a.Text)
		return "", err
	case playground.Delete:
		return "", s.Delete(a.As, a.Item)
	case playground.React:
		emoji := a.Emoji
		if emoji == "" {
			emoji = "👍"
		}
		return "", s.React(a.As, a.Item, emoji)
	case playground.AddMember, playground.RemoveMember, playground.SetRole, playground.Leave:
		return "", p.member(a, bot.JID)
	}
	return "", playground.Unsupported(a.Kind)
}

// member changes a group's membership directly: the simulator keeps
// members as a map, and the bot learns of changes on its next fetch.
func (p *pgSim) member(a playground.Action, botJID string) error {
	s := p.s
	target := a.Target
	if target == "bot" {
		target = botJID
	}
	var added string
	if a.Kind == playground.AddMember {
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "member"
		}
		added = s.AddContact(name).JID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.w.groups[a.Chat]
	if g == nil {
		return fmt.Errorf("tadasim: no group %s", a.Chat)
	}
	if _, ok := g.Members[a.As]; !ok {
		return fmt.Errorf("tadasim: %s is not in group %s", a.As, a.Chat)
	}
	switch a.Kind {
	case playground.AddMember:
		g.Members[added] = "member"
	case playground.RemoveMember:
		delete(g.Members, target)
	case playground.SetRole:
		if _, ok := g.Members[target]; !ok {
			return fmt.Errorf("tadasim: %s is not in group %s", target, a.Chat)
		}
		g.Members[target] = a.Role
	case playground.Leave:
		delete(g.Members, a.As)
	}
	var ev tada.ChatUpdated
	ev.Chats = []tada.Chat{s.w.groupChat(g)}
	s.send(s.w.audience("", g.JID), tada.EventChatUpdated, ev, false)
	s.notify()
	return nil
}
