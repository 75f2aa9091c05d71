package simplex

import (
	"context"
	"fmt"
	"strconv"

	"github.com/parleybot/parley/bot"
)

// Group moderation capabilities. Member IDs are groupMemberIds, as in
// bot.Sender.ID of group messages; chat IDs are group references ("#12").
// Roles are the SimpleX role names, which are the platform-neutral ones
// ("owner", "admin", "moderator", "member", "observer") plus "author"
// (between observer and member) and "relay" (a transport role).

var (
	_ bot.MemberBlocker = (*Platform)(nil)
	_ bot.MemberRemover = (*Platform)(nil)
	_ bot.RoleSetter    = (*Platform)(nil)
	_ bot.PrivateSender = (*Platform)(nil)
)

// groupMember parses a group chat ID and a member ID.
func groupMember(chatID, memberID string) (gid, mid int64, err error) {
	ref, err := ParseChatRef(chatID)
	if err != nil {
		return 0, 0, err
	}
	if ref.Type != ChatGroup || ref.Scope != nil {
		return 0, 0, fmt.Errorf("%w %q: not a group", ErrBadChatRef, chatID)
	}
	mid, err = strconv.ParseInt(memberID, 10, 64)
	if err != nil || mid <= 0 {
		return 0, 0, fmt.Errorf("simplex: member id %q: want a positive number", memberID)
	}
	return ref.ID, mid, nil
}

// BlockMember implements bot.MemberBlocker with /_block: the member's
// messages are hidden for every member (needs the moderator role).
func (p *Platform) BlockMember(ctx context.Context, chatID, memberID string, blocked bool) error {
	gid, mid, err := groupMember(chatID, memberID)
	if err != nil {
		return err
	}
	_, err = Exec(ctx, p.client, APIBlockMembersForAll{GroupID: gid, GroupMemberIDs: []int64{mid}, Blocked: blocked})
	return err
}

// RemoveMember implements bot.MemberRemover with /_remove (needs the admin
// role, and a role above the member's).
func (p *Platform) RemoveMember(ctx context.Context, chatID, memberID string) error {
	gid, mid, err := groupMember(chatID, memberID)
	if err != nil {
		return err
	}
	_, err = Exec(ctx, p.client, APIRemoveMembers{GroupID: gid, GroupMemberIDs: []int64{mid}})
	return err
}

// SetMemberRole implements bot.RoleSetter with /_member role (needs the
// admin role). role is a SimpleX role name.
func (p *Platform) SetMemberRole(ctx context.Context, chatID, memberID, role string) error {
	gid, mid, err := groupMember(chatID, memberID)
	if err != nil {
		return err
	}
	r := GroupMemberRole(role)
	// The CLI's /_member role parser (Commands.hs, memberRole) takes no
	// "author", though items carry it: refused here with a clear error
	// rather than a parse error from the chat core.
	if !r.Valid() || r == RoleRelay || r == RoleAuthor {
		return fmt.Errorf("simplex: role %q: want observer, member, moderator, admin or owner", role)
	}
	_, err = Exec(ctx, p.client, APIMembersRole{GroupID: gid, GroupMemberIDs: []int64{mid}, Role: r})
	return err
}

// SendPrivate implements bot.PrivateSender: the message goes to the direct
// chat with the member's contact. A member the bot has no contact with
// cannot be written to privately; that is an error wrapping
// bot.ErrUnsupported.
func (p *Platform) SendPrivate(ctx context.Context, chatID, memberID string, m bot.Outgoing) ([]string, error) {
	gid, mid, err := groupMember(chatID, memberID)
	if err != nil {
		return nil, err
	}
	r, err := Exec(ctx, p.client, APIListMembers{GroupID: gid})
	if err != nil {
		return nil, err
	}
	for i := range r.Group.Members {
		gm := &r.Group.Members[i]
		if gm.GroupMemberID != mid {
			continue
		}
		if gm.MemberContactID <= 0 {
			return nil, fmt.Errorf("simplex: member %d of group %d has no direct contact with the bot: %w", mid, gid, bot.ErrUnsupported)
		}
		return p.Send(ctx, Direct(gm.MemberContactID).String(), m)
	}
	return nil, fmt.Errorf("simplex: group %d has no member %d", gid, mid)
}

// SendDirect writes to a contact by its contact ID, the ID that direct
// messages and requests carry in bot.Sender.ID. Generic code (the
// moderation module) uses it to reach a group's owner.
func (p *Platform) SendDirect(ctx context.Context, contactID string, m bot.Outgoing) ([]string, error) {
	id, err := strconv.ParseInt(contactID, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("simplex: contact id %q: want a positive number", contactID)
	}
	return p.Send(ctx, Direct(id).String(), m)
}

// AlreadyJoined reports whether the chat core refused to join a group
// because the bot already joined it (errorStore/groupAlreadyJoined), as
// when another handler accepted the invitation first. Generic code reads
// it through interface{ AlreadyJoined() bool } with errors.As.
func (e *CommandError) AlreadyJoined() bool {
	return e.Kind() == ErrKindStore && e.InnerType() == "groupAlreadyJoined"
}

// RequiredRole returns the group role a refused command needed, or "" when
// the error is not about the bot's role (error/groupUserRole). Generic code
// reads it through interface{ RequiredRole() string } with errors.As.
func (e *CommandError) RequiredRole() string {
	if e.Kind() != ErrKindError || e.InnerType() != "groupUserRole" {
		return ""
	}
	if t := e.ChatError.ErrorType; t != nil && t.RequiredRole.Valid() {
		return string(t.RequiredRole)
	}
	return ""
}
