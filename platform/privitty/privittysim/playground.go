package privittysim

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/playground"
)

// PlaygroundDelay is how long /rpc answers wait while the playground's
// delay fault is on.
const PlaygroundDelay = 2 * time.Second

func init() {
	playground.Register(playground.Provider{Name: "privitty", Start: startPlayground})
}

// startPlayground starts a simulator for "parley playground". New
// contacts write first, as a contact request the bot's policy decides.
func startPlayground(o playground.Options) (playground.Sim, error) {
	var opts []Option
	if o.BotName != "" {
		opts = append(opts, WithBotName(o.BotName))
	}
	s := New(opts...)
	if err := s.Start(); err != nil {
		return nil, err
	}
	return &pgSim{s: s}, nil
}

// pgSim is a Sim as the playground sees it.
type pgSim struct{ s *Sim }

func (p *pgSim) URL() string  { return p.s.URL() }
func (p *pgSim) Close() error { return p.s.Close() }

func (p *pgSim) Settings(url string) map[string]any { return map[string]any{"url": url} }

func (p *pgSim) Changed() <-chan struct{} {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.s.changed
}

func (p *pgSim) Fault(kind string) error {
	s := p.s
	switch kind {
	case playground.FaultDrop:
		s.DropStream()
	case playground.FaultDelay:
		s.mu.Lock()
		d := PlaygroundDelay
		if s.delay > 0 {
			d = 0
		}
		s.mu.Unlock()
		s.SetDelay(d)
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
	case playground.FaultMalformed:
		s.SendMalformed()
	default:
		return playground.Unsupported("fault " + kind)
	}
	return nil
}

func (p *pgSim) World() playground.World {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &s.w
	out := playground.World{
		Platform: "privitty", Bot: s.cfg.botName, Connections: len(s.subs), Delayed: s.delay > 0,
		Actions: []string{playground.Connect, playground.Send, playground.File, playground.NewGroup,
			playground.AddMember, playground.RemoveMember, playground.Leave},
		Faults: []playground.FaultInfo{
			{Kind: playground.FaultDrop, Label: "Drop the event stream"},
			{Kind: playground.FaultDelay, Label: fmt.Sprintf("Delay /rpc answers %v", PlaygroundDelay)},
			{Kind: playground.FaultMalformed, Label: "Send a malformed event"},
		},
	}
	ids := make([]int64, 0, len(w.chats))
	for id := range w.chats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := w.chats[id]
		ch := playground.Chat{ID: strconv.FormatInt(c.id, 10), Group: c.group, Name: c.name}
		if c.group {
			ch.BotState = "member"
			if c.selfGone {
				ch.BotState = "removed"
			}
		} else if len(c.members) == 1 {
			ct := w.contacts[c.members[0]]
			state := "connected"
			switch {
			case c.blocked || ct.blocked:
				state = "blocked"
			case c.request:
				state = "requested"
			}
			out.People = append(out.People, playground.Person{ID: strconv.FormatInt(ct.id, 10), Name: ct.name,
				State: state, Chat: ch.ID})
		}
		for _, m := range c.members {
			ch.Members = append(ch.Members, playground.Member{ID: strconv.FormatInt(m, 10), Name: w.name(m), Active: true})
		}
		for _, mid := range c.msgs {
			m := w.msgs[mid]
			if m == nil {
				continue
			}
			pm := playground.Message{ID: strconv.FormatInt(m.id, 10), Text: m.text, Bot: m.fromID == selfID && !m.info,
				Info: m.info, Edited: m.edited, File: m.fileName}
			if pm.File == "" && m.file != "" {
				pm.File = path.Base(m.file)
			}
			if m.fromID != selfID {
				pm.From, pm.FromName = strconv.FormatInt(m.fromID, 10), w.name(m.fromID)
			} else {
				pm.FromName = s.cfg.botName
				pm.Status = strconv.Itoa(m.state)
			}
			if m.quoteID != 0 {
				pm.ReplyTo = strconv.FormatInt(m.quoteID, 10)
			}
			for _, es := range m.react {
				for _, e := range es {
					if pm.Reactions == nil {
						pm.Reactions = map[string]int{}
					}
					pm.Reactions[e]++
				}
			}
			ch.Messages = append(ch.Messages, pm)
		}
		out.Chats = append(out.Chats, ch)
	}
	return out
}

func pgID(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("privittysim: invalid %s %q", what, s)
	}
	return n, nil
}

func (p *pgSim) Do(_ context.Context, a playground.Action) (string, error) {
	s := p.s
	str := func(n int64, err error) (string, error) {
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	}
	switch a.Kind {
	case playground.Connect:
		name := strings.TrimSpace(a.Name)
		if name == "" {
			return "", fmt.Errorf("privittysim: a new contact needs a name")
		}
		c, err := s.ConnectContact(name, true)
		return str(c.ID, err)
	case playground.NewGroup:
		by, err := pgID("contact", a.As)
		if err != nil {
			return "", err
		}
		var members []string
		for _, n := range a.Members {
			if n = strings.TrimSpace(n); n != "" {
				members = append(members, n)
			}
		}
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "group"
		}
		id, _, err := s.AddedToGroup(name, by, members...)
		return str(id, err)
	}
	chat, err := pgID("chat", a.Chat)
	if err != nil {
		return "", err
	}
	as, err := pgID("person", a.As)
	if err != nil {
		return "", err
	}
	switch a.Kind {
	case playground.Send, playground.File:
		m := Msg{Text: a.Text}
		if a.Item != "" {
			if m.QuoteID, err = pgID("message", a.Item); err != nil {
				return "", err
			}
		}
		if a.Kind == playground.File {
			m.FileName = a.Name
			if m.FileName == "" {
				m.FileName = "file.txt"
			}
			m.File, m.FileSize = "/tmp/privittysim/"+path.Base(m.FileName), 1024
		}
		return str(s.MemberSendMsg(chat, as, m))
	case playground.AddMember:
		name := strings.TrimSpace(a.Name)
		if name == "" {
			name = "member"
		}
		return str(s.AddMember(chat, as, name))
	case playground.RemoveMember:
		target := Self
		if a.Target != "bot" {
			if target, err = pgID("member", a.Target); err != nil {
				return "", err
			}
		}
		return "", s.RemoveMember(chat, as, target)
	case playground.Leave:
		return "", s.RemoveMember(chat, as, as)
	}
	return "", playground.Unsupported(a.Kind)
}
