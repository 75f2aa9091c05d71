package router

import (
	"strings"

	"github.com/parleybot/parley/bot"
)

// HasText matches messages with text other than white space, leaving out
// files sent without a caption, stickers and the like.
func HasText() Filter {
	return func(c *bot.Context) bool {
		return strings.TrimSpace(c.Text()) != ""
	}
}

// Direct matches messages in one-to-one chats.
func Direct() Filter {
	return func(c *bot.Context) bool {
		m, ok := c.Message()
		return ok && m.Chat.Kind == bot.Direct
	}
}

// InGroup matches messages in group chats.
func InGroup() Filter {
	return func(c *bot.Context) bool {
		m, ok := c.Message()
		return ok && m.Chat.Kind == bot.Group
	}
}

// SenderRole matches messages whose sender has one of roles. Platforms
// without roles never match.
func SenderRole(roles ...string) Filter {
	if len(roles) == 0 {
		panic("router: SenderRole needs at least one role")
	}
	set := make(map[string]struct{}, len(roles))
	for _, r := range roles {
		set[r] = struct{}{}
	}
	return func(c *bot.Context) bool {
		m, ok := c.Message()
		if !ok {
			return false
		}
		_, in := set[m.Sender.Role]
		return in
	}
}

// Mentioned matches messages that mention the bot.
func Mentioned() Filter {
	return func(c *bot.Context) bool {
		m, ok := c.Message()
		return ok && m.MentionsBot
	}
}

// EventType matches events whose Type is one of types.
func EventType(types ...string) Filter {
	if len(types) == 0 {
		panic("router: EventType needs at least one type")
	}
	return func(c *bot.Context) bool {
		t := c.Event().Type()
		for _, x := range types {
			if x == t {
				return true
			}
		}
		return false
	}
}

// FromPlatform matches events of the named platform.
func FromPlatform(name string) Filter {
	return func(c *bot.Context) bool { return c.Platform() != nil && c.Platform().Name() == name }
}

// Not inverts f.
func Not(f Filter) Filter {
	if f == nil {
		panic("router: nil filter")
	}
	return func(c *bot.Context) bool { return !f(c) }
}

// AnyOf matches when at least one of fs matches.
func AnyOf(fs ...Filter) Filter {
	for _, f := range fs {
		if f == nil {
			panic("router: nil filter")
		}
	}
	return func(c *bot.Context) bool {
		for _, f := range fs {
			if f(c) {
				return true
			}
		}
		return false
	}
}
