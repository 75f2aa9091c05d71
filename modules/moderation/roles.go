package moderation

// Group roles, in the platform-neutral names bot.Sender.Role uses.
//
// Platforms map their own roles onto these: SimpleX has exactly these
// five, plus "author" (between observer and member, treated as a member
// here) and "relay" (a transport role, below everything). Privitty (Delta
// Chat) has no roles at all: every member may add and remove members and
// nobody can block or demote anyone, so roles there are empty. An empty
// role means "the platform has none": role checks are skipped and what the
// bot can do is decided by the platform's capabilities instead.
const (
	RoleObserver  = "observer"
	RoleMember    = "member"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
	RoleOwner     = "owner"
)

var roleRank = map[string]int{
	"relay":       0,
	RoleObserver:  1,
	"author":      2,
	RoleMember:    3,
	RoleModerator: 4,
	RoleAdmin:     5,
	RoleOwner:     6,
}

// atLeast reports whether role have is at least want. Unknown roles never
// qualify, so permission checks fail closed; callers decide what an empty
// role (a platform without roles) means before asking.
func atLeast(have, want string) bool {
	h, ok1 := roleRank[have]
	w, ok2 := roleRank[want]
	return ok1 && ok2 && h >= w
}

// staff are exempt from the rules: moderators, admins and owners.
func staff(role string) bool { return atLeast(role, RoleModerator) }
