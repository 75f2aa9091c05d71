package simplex

import (
	"context"
	"errors"
)

// TypedCommand is a command with one documented response type R, so that
// Exec returns that type without the caller naming it:
//
//	r, err := simplex.Exec(ctx, client, simplex.APIGetChat{Chat: ref, Count: 20})
//	// r is *simplex.APIChat
//
// Commands with several possible responses are not TypedCommands; the
// platform runs them itself, or Client.Call returns the raw frame.
type TypedCommand[R Response] interface {
	Command
	response() R
}

// Exec runs a typed command and returns its one response type. A refused
// command is a *CommandError; another response type, which would be a
// chat core that differs from its documentation, an
// *UnexpectedResponseError.
func Exec[R Response](ctx context.Context, c *Client, cmd TypedCommand[R]) (R, error) {
	r, err := do[R](ctx, c, cmd)
	if fb, ok := cmd.(withFallback); ok && isParseError(err) {
		alt, aerr := fb.fallback()
		if aerr != nil {
			return r, err
		}
		return do[R](ctx, c, rawCommand(alt))
	}
	return r, err
}

// withFallback is a command whose syntax differs between chat core
// versions: when the chat core cannot parse Cmd, Exec sends fallback.
type withFallback interface {
	fallback() (string, error)
}

// rawCommand is a command string already rendered.
type rawCommand string

func (c rawCommand) Cmd() (string, error) { return string(c), nil }

// isParseError reports whether err is the chat core failing to parse a
// command: chatCmdError with errorType commandError (Commands.hs:
// execChatCommand answers a parse failure with chatCmdError e).
func isParseError(err error) bool {
	var ce *CommandError
	return errors.As(err, &ce) && ce.ChatError.Kind() == ErrKindError && ce.ChatError.InnerType() == "commandError"
}

// The one response each typed command documents.
func (ShowActiveUser) response() *ActiveUser                      { return nil }
func (ListUsers) response() *UsersList                            { return nil }
func (CreateActiveUser) response() *ActiveUser                    { return nil }
func (APISendMessages) response() *NewChatItems                   { return nil }
func (APISetContactPrefs) response() *ContactPrefsUpdated         { return nil }
func (APICreateMyAddress) response() *UserContactLinkCreated      { return nil }
func (APIShowMyAddress) response() *UserContactLinkResponse       { return nil }
func (APIDeleteMyAddress) response() *UserContactLinkDeleted      { return nil }
func (APISetAddressSettings) response() *UserContactLinkUpdated   { return nil }
func (APIDeleteChatItem) response() *ChatItemsDeleted             { return nil }
func (APIDeleteMemberChatItem) response() *ChatItemsDeleted       { return nil }
func (APIChatItemReaction) response() *ChatItemReaction           { return nil }
func (APIAcceptContact) response() *AcceptingContactRequest       { return nil }
func (APIRejectContact) response() *ContactRequestRejected        { return nil }
func (APIListContacts) response() *ContactsList                   { return nil }
func (APIListGroups) response() *GroupsList                       { return nil }
func (APIGetChats) response() *APIChats                           { return nil }
func (APIGetChat) response() *APIChat                             { return nil }
func (APINewGroup) response() *GroupCreated                       { return nil }
func (APIJoinGroup) response() *UserAcceptedGroupSent             { return nil }
func (APIAddMember) response() *SentGroupInvitation               { return nil }
func (APIAcceptMember) response() *MemberAccepted                 { return nil }
func (APIMembersRole) response() *MembersRoleUser                 { return nil }
func (APIBlockMembersForAll) response() *MembersBlockedForAllUser { return nil }
func (APIRemoveMembers) response() *UserDeletedMembers            { return nil }
func (APILeaveGroup) response() *LeftMemberUser                   { return nil }
func (APIListMembers) response() *GroupMembers                    { return nil }
func (APICreateGroupLink) response() *GroupLinkCreated            { return nil }
