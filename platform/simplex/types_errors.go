package simplex

import "errors"

// ChatError kinds (the outer tag).
const (
	ErrKindError = "error"
	ErrKindAgent = "errorAgent"
	ErrKindStore = "errorStore"
)

// ChatError is the chat core's error, a tagged union: Type "error" carries
// ErrorType, "errorStore" StoreError, "errorAgent" AgentError (with the
// connection it concerns). Kind and InnerType give the two tags.
type ChatError struct {
	Type             string         `json:"type"`
	ErrorType        *ChatErrorType `json:"errorType,omitempty"`
	StoreError       *StoreError    `json:"storeError,omitempty"`
	AgentError       *AgentError    `json:"agentError,omitempty"`
	AgentConnID      string         `json:"agentConnId,omitempty"`
	ConnectionEntity *Tagged        `json:"connectionEntity_,omitempty"`
	Extra            Extra
}

// Kind returns the outer tag: "error", "errorStore" or "errorAgent".
func (e *ChatError) Kind() string { return e.Type }

// InnerType returns the inner tag, such as "commandError", "largeMsg" or
// "BROKER"; "" when absent.
func (e *ChatError) InnerType() string {
	switch {
	case e.ErrorType != nil:
		return e.ErrorType.Type
	case e.StoreError != nil:
		return e.StoreError.Type
	case e.AgentError != nil:
		return e.AgentError.Type
	}
	return ""
}

// Message returns the inner error's message member, if it has one.
func (e *ChatError) Message() string {
	switch {
	case e.ErrorType != nil:
		return e.ErrorType.Message
	case e.StoreError != nil:
		return e.StoreError.Message
	case e.AgentError != nil:
		return e.AgentError.InternalErr
	}
	return ""
}

// String renders the error as "kind/innerType" with the message, if any,
// appended after a colon.
func (e *ChatError) String() string {
	s := e.Type + "/" + e.InnerType()
	if e.AgentError != nil && e.AgentError.BrokerErr != nil {
		s += "/" + e.AgentError.BrokerErr.Type
	}
	if m := e.Message(); m != "" {
		s += ": " + m
	}
	return s
}

// ChatErrorType is the inner error of kind "error" ("noActiveUser",
// "commandError", "groupUserRole", "invalidChatItemUpdate", …). Members other
// than the common ones are in Extra.
type ChatErrorType struct {
	Type         string          `json:"type"`
	Message      string          `json:"message,omitempty"`
	ContactName  string          `json:"contactName,omitempty"`
	FileID       int64           `json:"fileId,omitempty"`
	FilePath     string          `json:"filePath,omitempty"`
	RequiredRole GroupMemberRole `json:"requiredRole,omitempty"`
	Extra        Extra
}

// StoreError is the inner error of kind "errorStore" ("contactNotFound",
// "groupNotFound", "chatItemNotFound", "userContactLinkNotFound",
// "largeMsg", …).
type StoreError struct {
	Type          string `json:"type"`
	Message       string `json:"message,omitempty"`
	ContactID     int64  `json:"contactId,omitempty"`
	GroupID       int64  `json:"groupId,omitempty"`
	GroupMemberID int64  `json:"groupMemberId,omitempty"`
	ItemID        int64  `json:"itemId,omitempty"`
	FileID        int64  `json:"fileId,omitempty"`
	Extra         Extra
}

// AgentError is the inner error of kind "errorAgent" ("BROKER", "SMP",
// "CONN", "AGENT", "INTERNAL", …).
type AgentError struct {
	Type          string  `json:"type"`
	BrokerAddress string  `json:"brokerAddress,omitempty"`
	BrokerErr     *Tagged `json:"brokerErr,omitempty"`
	ServerAddress string  `json:"serverAddress,omitempty"`
	SMPErr        *Tagged `json:"smpErr,omitempty"`
	ConnErr       *Tagged `json:"connErr,omitempty"`
	AgentErr      *Tagged `json:"agentErr,omitempty"`
	InternalErr   string  `json:"internalErr,omitempty"`
	Extra         Extra
}

// IsNetwork reports whether the error is the routine network noise a bot
// may ignore: a broker NETWORK or TIMEOUT error.
func (e *ChatError) IsNetwork() bool {
	a := e.AgentError
	return e.Type == ErrKindAgent && a != nil && a.Type == "BROKER" && a.BrokerErr != nil &&
		(a.BrokerErr.Type == "NETWORK" || a.BrokerErr.Type == "TIMEOUT")
}

// maxCmdInError bounds how much of a command an error message repeats;
// commands can carry long texts and personal data.
const maxCmdInError = 48

// CommandError is the error of a command the chat core refused
// (chatCmdError).
type CommandError struct {
	// Cmd is the command string that failed.
	Cmd       string
	ChatError ChatError
}

// Error renders "simplex: <command, truncated>: <kind>/<inner type>".
func (e *CommandError) Error() string {
	cmd := e.Cmd
	if len(cmd) > maxCmdInError {
		cut := maxCmdInError
		for cut > 0 && cut < len(cmd) && cmd[cut]&0xC0 == 0x80 {
			cut--
		}
		cmd = cmd[:cut] + "..."
	}
	return "simplex: " + cmd + ": " + e.ChatError.String()
}

// Kind returns the chat error's outer tag.
func (e *CommandError) Kind() string { return e.ChatError.Kind() }

// InnerType returns the chat error's inner tag.
func (e *CommandError) InnerType() string { return e.ChatError.InnerType() }

// Is makes errors.Is(err, &CommandError{}) match any command error, and a
// CommandError whose ChatError has a kind (and inner type) match errors of
// that kind (and inner type).
func (e *CommandError) Is(target error) bool {
	t, ok := target.(*CommandError)
	if !ok {
		return false
	}
	if t.ChatError.Type != "" && t.ChatError.Type != e.Kind() {
		return false
	}
	inner := t.ChatError.InnerType()
	return inner == "" || inner == e.InnerType()
}

func asCommandError(err error) *CommandError {
	var ce *CommandError
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// IsStoreError reports whether err is a command error of kind "errorStore"
// with the given inner type, e.g. IsStoreError(err, "userContactLinkNotFound").
func IsStoreError(err error, storeType string) bool {
	ce := asCommandError(err)
	return ce != nil && ce.Kind() == ErrKindStore && ce.InnerType() == storeType
}

// IsChatError reports whether err is a command error of kind "error" with
// the given inner type, e.g. IsChatError(err, "invalidChatItemUpdate").
func IsChatError(err error, errorType string) bool {
	ce := asCommandError(err)
	return ce != nil && ce.Kind() == ErrKindError && ce.InnerType() == errorType
}

// IsAgentError reports whether err is a command error of kind "errorAgent"
// with the given inner type, e.g. IsAgentError(err, "BROKER").
func IsAgentError(err error, agentType string) bool {
	ce := asCommandError(err)
	return ce != nil && ce.Kind() == ErrKindAgent && ce.InnerType() == agentType
}

// IsMessageTooLarge reports whether err says a message exceeded the chat
// core's size limit (errorStore/largeMsg); split the text and retry.
func IsMessageTooLarge(err error) bool { return IsStoreError(err, "largeMsg") }
