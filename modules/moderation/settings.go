package moderation

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/registry"
)

// LinkPolicy says what a group does with links.
type LinkPolicy string

// Link policies.
const (
	// LinksAllow lets every link through.
	LinksAllow LinkPolicy = "allow"
	// LinksDeny moderates every message with a link.
	LinksDeny LinkPolicy = "deny"
	// LinksAllowlist moderates links to hosts outside AllowedDomains.
	LinksAllowlist LinkPolicy = "allowlist"
)

// Action is what the bot does to a member beyond deleting the message.
type Action string

// Actions. The offending message is always deleted first; the others add
// a step against its author.
const (
	// ActionDelete only deletes the message (needs moderator).
	ActionDelete Action = "delete"
	// ActionBlock blocks the member for everyone (needs moderator, and a
	// platform that can block: bot.MemberBlocker).
	ActionBlock Action = "block"
	// ActionRemove removes the member from the group (needs admin, and
	// bot.MemberRemover).
	ActionRemove Action = "remove"
	// ActionObserver demotes the member to observer, who can read but not
	// write (needs admin, and bot.RoleSetter).
	ActionObserver Action = "observer"
)

// Limits on owner-supplied rules, so one group cannot grow without bound.
const (
	// MaxWords is the most banned words one group may have.
	MaxWords = 500
	// MaxWordLen is the longest banned word or phrase, in characters.
	MaxWordLen = 100
)

// Settings are the module's [bots.modules.moderation] table. The rule
// settings are the defaults a group starts with when the bot joins it;
// after that each group's owner changes its own copy with commands.
type Settings struct {
	// BannedWords are words or phrases, matched whole and ignoring case.
	BannedWords []string `toml:"banned_words"`
	// BannedPatterns are regular expressions (Go syntax, RE2) matched
	// against the message text; write (?i) to ignore case.
	BannedPatterns []string `toml:"banned_patterns"`
	// Links is "allow", "deny" or "allowlist".
	Links LinkPolicy `toml:"links"`
	// AllowedDomains are the hosts links may point to with
	// links = "allowlist"; subdomains are included. SimpleX links
	// (simplex:/…) count as simplex.chat.
	AllowedDomains []string `toml:"allowed_domains"`
	// FloodLimit is how many messages one member may send per minute;
	// the next ones are moderated. 0 turns the limit off.
	FloodLimit int `toml:"flood_limit"`
	// Action is "delete", "block", "remove" or "observer".
	Action Action `toml:"action"`
	// RemoveReported deletes a reported message and removes its author.
	// Off, reports are only passed on to the owner.
	RemoveReported bool `toml:"remove_reported"`
	// DryRun only tells the owner what would be done.
	DryRun bool `toml:"dry_run"`
	// Notify tells the owner about every action (on by default). Failures
	// and dry-run reports are sent either way.
	Notify bool `toml:"notify"`
	// MinRole is the least role the bot accepts an invitation with:
	// "moderator" (the default), "admin" or "owner". Platforms without
	// roles (Privitty) skip the check.
	MinRole string `toml:"min_role"`
	// Inviters, when set, are the only IDs (bot.Sender.ID of the inviting
	// contact, as in direct chats) whose invitations the bot accepts, or
	// who may add it to groups where there are no invitations. Empty
	// accepts any group owner or admin.
	Inviters []string `toml:"inviters"`
	// OwnerCommands lets owners change their group's rules by direct
	// message (on by default). Off, /rules and /status still answer.
	OwnerCommands bool `toml:"owner_commands"`
}

// DefaultSettings returns the defaults: no banned words or patterns, links
// allowed, no flood limit, delete only, notices on, moderator role needed,
// owner commands on.
func DefaultSettings() Settings {
	return Settings{
		Links:         LinksAllow,
		Action:        ActionDelete,
		Notify:        true,
		MinRole:       RoleModerator,
		OwnerCommands: true,
	}
}

// withDefaults fills the fields a Settings literal may leave empty.
func (s Settings) withDefaults() Settings {
	if s.Links == "" {
		s.Links = LinksAllow
	}
	if s.Action == "" {
		s.Action = ActionDelete
	}
	if s.MinRole == "" {
		s.MinRole = RoleModerator
	}
	return s
}

// Validate reports every problem with the settings, each tied to its key
// (registry.Field), so that `parley validate` points at the line. Empty
// enumerations count as their defaults.
func (s Settings) Validate() error {
	s = s.withDefaults()
	var errs []error
	add := func(key string, err error) { errs = append(errs, registry.Field(key, err)) }
	for i, w := range s.BannedWords {
		if err := checkWord(w); err != nil {
			add(fmt.Sprintf("banned_words[%d]", i), err)
		}
	}
	if len(s.BannedWords) > MaxWords {
		add("banned_words", fmt.Errorf("%d words: at most %d", len(s.BannedWords), MaxWords))
	}
	for i, p := range s.BannedPatterns {
		if _, err := compilePattern(p); err != nil {
			add(fmt.Sprintf("banned_patterns[%d]", i), err)
		}
	}
	switch s.Links {
	case LinksAllow, LinksDeny:
	case LinksAllowlist:
		if len(s.AllowedDomains) == 0 {
			add("allowed_domains", errors.New(`links = "allowlist" needs at least one allowed domain`))
		}
	default:
		add("links", fmt.Errorf("links %q: want \"allow\", \"deny\" or \"allowlist\"", s.Links))
	}
	for i, d := range s.AllowedDomains {
		if err := checkDomain(d); err != nil {
			add(fmt.Sprintf("allowed_domains[%d]", i), err)
		}
	}
	if s.FloodLimit < 0 {
		add("flood_limit", fmt.Errorf("flood_limit %d: want 0 (off) or more", s.FloodLimit))
	}
	if _, ok := actionRole[s.Action]; !ok {
		add("action", fmt.Errorf("action %q: want \"delete\", \"block\", \"remove\" or \"observer\"", s.Action))
	}
	if !atLeast(s.MinRole, RoleModerator) {
		add("min_role", fmt.Errorf("min_role %q: want \"moderator\", \"admin\" or \"owner\" (the bot cannot delete messages with less)", s.MinRole))
	}
	for i, id := range s.Inviters {
		if id == "" || strings.ContainsFunc(id, unicode.IsSpace) {
			add(fmt.Sprintf("inviters[%d]", i), fmt.Errorf("inviter %q: want a contact ID, without spaces", id))
		}
	}
	return errors.Join(errs...)
}

// actionRole is the role each action needs on platforms with roles.
var actionRole = map[Action]string{
	ActionDelete:   RoleModerator,
	ActionBlock:    RoleModerator,
	ActionRemove:   RoleAdmin,
	ActionObserver: RoleAdmin,
}

// actionCapability is the platform capability each action needs.
var actionCapability = map[Action]bot.Capability{
	ActionDelete:   bot.CanDelete,
	ActionBlock:    bot.CanBlock,
	ActionRemove:   bot.CanRemove,
	ActionObserver: bot.CanSetRole,
}

// normWord trims a banned word, folds its case and collapses its inner
// white space, the form it is stored and matched in.
func normWord(w string) string { return strings.Join(strings.Fields(strings.ToLower(w)), " ") }

func checkWord(w string) error {
	n := normWord(w)
	switch {
	case n == "":
		return errors.New("empty word")
	case utf8.RuneCountInString(n) > MaxWordLen:
		return fmt.Errorf("word of %d characters: at most %d", utf8.RuneCountInString(n), MaxWordLen)
	}
	return nil
}

func compilePattern(p string) (*regexp.Regexp, error) {
	if strings.TrimSpace(p) == "" {
		return nil, errors.New("empty pattern")
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", p, err)
	}
	return re, nil
}

// normDomain lower-cases a domain and drops a leading "*." or ".".
func normDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(d, "*.")
	return strings.Trim(d, ".")
}

func checkDomain(d string) error {
	n := normDomain(d)
	if n == "" || strings.ContainsAny(n, "/:@ \t") {
		return fmt.Errorf("domain %q: want a host name such as \"example.org\"", d)
	}
	return nil
}
