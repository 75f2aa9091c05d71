package playground

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// ErrUnsupported is returned (wrapped) by Do and Fault for an action or
// fault the simulator does not have.
var ErrUnsupported = errors.New("playground: not supported by this simulator")

// Action kinds: what a person can do in a simulated world. A simulator
// lists the kinds it supports in World.Actions.
const (
	// Connect makes a new contact named Name ask to connect to the bot.
	Connect = "connect"
	// Send makes As write Text in Chat (a reply to Item when set).
	Send = "send"
	// Edit makes As change the text of its message Item in Chat to Text.
	Edit = "edit"
	// Delete makes As delete its message Item in Chat.
	Delete = "delete"
	// React makes As react to message Item in Chat with Emoji.
	React = "react"
	// File makes As offer a file named Name in Chat, with Text as caption.
	File = "file"
	// NewGroup makes contact As create a group named Name with new
	// members named in Members, and add (or invite) the bot to it.
	NewGroup = "new_group"
	// AddMember makes member As of group Chat add a new member Name.
	AddMember = "add_member"
	// RemoveMember makes member As remove member Target from group Chat.
	RemoveMember = "remove_member"
	// SetRole makes member As give member Target the role Role.
	SetRole = "set_role"
	// Leave makes member As leave group Chat.
	Leave = "leave"
)

// Fault kinds a simulator may offer in World.Faults.
const (
	// FaultDrop closes the bot's connections at once.
	FaultDrop = "drop"
	// FaultDelay delays every answer to the bot (toggles).
	FaultDelay = "delay"
	// FaultMalformed sends the bot a frame that does not parse.
	FaultMalformed = "malformed"
)

// Action is one thing a person does. IDs are the simulator's own, as
// strings, as World reports them.
type Action struct {
	Kind string `json:"kind"`
	// As is who acts: a person's ID in a direct chat, a member's ID in a
	// group. Empty for Connect.
	As string `json:"as,omitempty"`
	// Chat is the chat acted in.
	Chat string `json:"chat,omitempty"`
	// Item is the message acted on (edit, delete, react, reply).
	Item string `json:"item,omitempty"`
	// Target is the member acted on (remove, role).
	Target string `json:"target,omitempty"`
	Text   string `json:"text,omitempty"`
	// Name names a new contact, group, member or file.
	Name    string   `json:"name,omitempty"`
	Members []string `json:"members,omitempty"`
	Role    string   `json:"role,omitempty"`
	Emoji   string   `json:"emoji,omitempty"`
}

// World is a snapshot of a simulated world, for display.
type World struct {
	// Platform is the platform's name; Bot the bot's display name.
	Platform string `json:"platform"`
	Bot      string `json:"bot"`
	// Connections is how many connections the bot has open to the
	// simulator now.
	Connections int `json:"connections"`
	// People are the bot's contacts and people asking to become one.
	People []Person `json:"people"`
	// Chats are the direct chats and groups, oldest first.
	Chats []Chat `json:"chats"`
	// Actions are the action kinds Do supports; Roles the group roles,
	// weakest first; Emoji the reactions allowed (empty: any).
	Actions []string `json:"actions"`
	Roles   []string `json:"roles,omitempty"`
	Emoji   []string `json:"emoji,omitempty"`
	// Faults are the faults Fault supports.
	Faults []FaultInfo `json:"faults"`
	// Delayed reports whether the delay fault is on.
	Delayed bool `json:"delayed"`
}

// Person is a contact of the bot or someone asking to be one.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// State is "requested" (waiting for the bot), "connected",
	// "rejected" or "blocked".
	State string `json:"state"`
	// Chat is the direct chat's ID, "" while there is none.
	Chat string `json:"chat,omitempty"`
}

// Chat is a direct chat or a group.
type Chat struct {
	ID    string `json:"id"`
	Group bool   `json:"group"`
	Name  string `json:"name"`
	// BotState is the bot's place in a group: "invited", "member",
	// "removed"…; "" in direct chats.
	BotState string `json:"botState,omitempty"`
	BotRole  string `json:"botRole,omitempty"`
	// Members are the group's members other than the bot; in a direct
	// chat, the one contact (its ID is the person's).
	Members  []Member  `json:"members"`
	Messages []Message `json:"messages"`
}

// Member is a person in a chat.
type Member struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role,omitempty"`
	Status string `json:"status,omitempty"`
	// Active is false for members who left or were removed.
	Active bool `json:"active"`
}

// Message is a chat item.
type Message struct {
	ID string `json:"id"`
	// From is the sender's member (or person) ID, "" for the bot; FromName
	// its name. Info marks a notice of the chat itself (member added…).
	From      string         `json:"from"`
	FromName  string         `json:"fromName"`
	Bot       bool           `json:"bot"`
	Info      bool           `json:"info,omitempty"`
	Text      string         `json:"text"`
	ReplyTo   string         `json:"replyTo,omitempty"`
	File      string         `json:"file,omitempty"`
	Edited    bool           `json:"edited,omitempty"`
	Deleted   bool           `json:"deleted,omitempty"`
	Reactions map[string]int `json:"reactions,omitempty"`
	// Status is the delivery status of the bot's messages, as the
	// platform names it.
	Status string `json:"status,omitempty"`
}

// FaultInfo describes one fault a simulator can inject.
type FaultInfo struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
}

// Sim is a running simulator as the playground drives it. Its methods
// are safe for concurrent use.
type Sim interface {
	// URL is the address bots connect to.
	URL() string
	// Settings returns the [bots.<platform>] keys that point a bot at
	// url (a tap in front of URL); the playground merges them over the
	// bot's own table.
	Settings(url string) map[string]any
	// World returns a snapshot of the world.
	World() World
	// Changed returns a channel closed at the next change of the world.
	Changed() <-chan struct{}
	// Do acts as a person. It returns the ID of what it created (a
	// contact, message or group), if anything.
	Do(ctx context.Context, a Action) (string, error)
	// Fault injects a fault of World.Faults.
	Fault(kind string) error
	// Close stops the simulator.
	Close() error
}

// Options are what Start gets.
type Options struct {
	// BotName is the display name of the bot's account.
	BotName string
}

// Provider registers a simulator with the playground.
type Provider struct {
	// Name is the platform's name, as in platform = "…".
	Name string
	// Start starts a simulator on loopback.
	Start func(Options) (Sim, error)
}

var providers = struct {
	sync.RWMutex
	m map[string]Provider
}{m: map[string]Provider{}}

var nameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

// Register makes a simulator available to the playground. Call it from an
// init function; it panics on an invalid or taken name or a nil Start.
func Register(p Provider) {
	if !nameRE.MatchString(p.Name) {
		panic(fmt.Sprintf("playground: invalid name %q", p.Name))
	}
	if p.Start == nil {
		panic(fmt.Sprintf("playground: %q has a nil Start", p.Name))
	}
	providers.Lock()
	defer providers.Unlock()
	if _, dup := providers.m[p.Name]; dup {
		panic(fmt.Sprintf("playground: %q registered twice", p.Name))
	}
	providers.m[p.Name] = p
}

// Lookup returns the provider registered for platform name.
func Lookup(name string) (Provider, bool) {
	providers.RLock()
	defer providers.RUnlock()
	p, ok := providers.m[name]
	return p, ok
}

// Names returns the registered platform names, sorted.
func Names() []string {
	providers.RLock()
	defer providers.RUnlock()
	out := make([]string, 0, len(providers.m))
	for n := range providers.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Unsupported returns an error wrapping ErrUnsupported for what.
func Unsupported(what string) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, what)
}
