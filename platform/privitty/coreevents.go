package privitty

import (
	"strconv"

	"github.com/parleybot/parley/bot"
)

// The core's other event kinds, as the daemon forwards them: flat objects
// with "type" and the core's fields in snake_case. Each has its own type;
// those about one chat have its ChatKey, so they are handled in order
// with the chat's messages. The platform also reads some of them:
// MsgsChanged finds edited and late messages, EventChannelOverflow starts
// a catch-up like a lag, ChatDeleted drops the chat's cursor.

// Type names of the core's other event kinds.
const (
	TypeInfo                                = "Info"
	TypeSmtpConnected                       = "SmtpConnected"
	TypeImapConnected                       = "ImapConnected"
	TypeSmtpMessageSent                     = "SmtpMessageSent"
	TypeImapMessageDeleted                  = "ImapMessageDeleted"
	TypeImapMessageMoved                    = "ImapMessageMoved"
	TypeErrorSelfNotInGroup                 = "ErrorSelfNotInGroup"
	TypeImapInboxIdle                       = "ImapInboxIdle"
	TypeIncomingMsgBunch                    = "IncomingMsgBunch"
	TypeSelfavatarChanged                   = "SelfavatarChanged"
	TypeChatlistChanged                     = "ChatlistChanged"
	TypeAccountsBackgroundFetchDone         = "AccountsBackgroundFetchDone"
	TypeAccountsChanged                     = "AccountsChanged"
	TypeAccountsItemChanged                 = "AccountsItemChanged"
	TypeTransportsModified                  = "TransportsModified"
	TypeMsgsNoticed                         = "MsgsNoticed"
	TypeChatDeleted                         = "ChatDeleted"
	TypeMsgsChanged                         = "MsgsChanged"
	TypeMsgReadCountChanged                 = "MsgReadCountChanged"
	TypeMsgDeleted                          = "MsgDeleted"
	TypeNewBlobFile                         = "NewBlobFile"
	TypeDeletedBlobFile                     = "DeletedBlobFile"
	TypeReactionsChanged                    = "ReactionsChanged"
	TypeIncomingReaction                    = "IncomingReaction"
	TypeIncomingWebxdcNotify                = "IncomingWebxdcNotify"
	TypeChatEphemeralTimerModified          = "ChatEphemeralTimerModified"
	TypeChatlistItemChanged                 = "ChatlistItemChanged"
	TypeLocationChanged                     = "LocationChanged"
	TypeImexFileWritten                     = "ImexFileWritten"
	TypeConfigSynced                        = "ConfigSynced"
	TypeWebxdcStatusUpdate                  = "WebxdcStatusUpdate"
	TypeWebxdcRealtimeData                  = "WebxdcRealtimeData"
	TypeWebxdcRealtimeAdvertisementReceived = "WebxdcRealtimeAdvertisementReceived"
	TypeWebxdcInstanceDeleted               = "WebxdcInstanceDeleted"
	TypeEventChannelOverflow                = "EventChannelOverflow"
	TypeIncomingCall                        = "IncomingCall"
	TypeIncomingCallAccepted                = "IncomingCallAccepted"
	TypeOutgoingCallAccepted                = "OutgoingCallAccepted"
	TypeCallEnded                           = "CallEnded"
)

// LogEvent is the payload of the core's log-like events: a text for the
// log, not for people.
type LogEvent struct {
	AccountID int64  `json:"account_id"`
	Msg       string `json:"msg"`
}

// AccountEvent is the payload of events that carry only the account.
type AccountEvent struct {
	AccountID int64 `json:"account_id"`
}

// ChatEvent is the payload of events about one chat.
type ChatEvent struct {
	AccountID int64 `json:"account_id"`
	ChatID    int64 `json:"chat_id"`
}

// ChatKey returns the chat's key.
func (e *ChatEvent) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// BlobEvent is the payload of the blob directory's events.
type BlobEvent struct {
	AccountID int64  `json:"account_id"`
	File      string `json:"file"`
}

// WebxdcEvent is the payload of the webxdc events: they name the app's
// message, not its chat.
type WebxdcEvent struct {
	AccountID int64 `json:"account_id"`
	MsgID     int64 `json:"msg_id"`
}

// CallEvent is the payload of the call events: the call's info message
// and its chat.
type CallEvent struct {
	AccountID int64 `json:"account_id"`
	MsgID     int64 `json:"msg_id"`
	ChatID    int64 `json:"chat_id"`
}

// ChatKey returns the call's chat's key.
func (e *CallEvent) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// Info: the core's informational log line.
type Info struct{ LogEvent }

// Type returns "Info".
func (e *Info) Type() string { return TypeInfo }

// SmtpConnected: the SMTP connection is up and logged in.
type SmtpConnected struct{ LogEvent }

// Type returns "SmtpConnected".
func (e *SmtpConnected) Type() string { return TypeSmtpConnected }

// ImapConnected: the IMAP connection is up and logged in.
type ImapConnected struct{ LogEvent }

// Type returns "ImapConnected".
func (e *ImapConnected) Type() string { return TypeImapConnected }

// SmtpMessageSent: a message went to the SMTP server.
type SmtpMessageSent struct{ LogEvent }

// Type returns "SmtpMessageSent".
func (e *SmtpMessageSent) Type() string { return TypeSmtpMessageSent }

// ImapMessageDeleted: a message was marked deleted on the IMAP server.
type ImapMessageDeleted struct{ LogEvent }

// Type returns "ImapMessageDeleted".
func (e *ImapMessageDeleted) Type() string { return TypeImapMessageDeleted }

// ImapMessageMoved: a message was moved on the IMAP server.
type ImapMessageMoved struct{ LogEvent }

// Type returns "ImapMessageMoved".
func (e *ImapMessageMoved) Type() string { return TypeImapMessageMoved }

// ErrorSelfNotInGroup: an action failed because the bot is not a member of the group.
type ErrorSelfNotInGroup struct{ LogEvent }

// Type returns "ErrorSelfNotInGroup".
func (e *ErrorSelfNotInGroup) Type() string { return TypeErrorSelfNotInGroup }

// ImapInboxIdle: the core is about to wait (IDLE) on the inbox.
type ImapInboxIdle struct{ AccountEvent }

// Type returns "ImapInboxIdle".
func (e *ImapInboxIdle) Type() string { return TypeImapInboxIdle }

// IncomingMsgBunch: a bunch of messages finished downloading; each came with its own IncomingMsg.
type IncomingMsgBunch struct{ AccountEvent }

// Type returns "IncomingMsgBunch".
func (e *IncomingMsgBunch) Type() string { return TypeIncomingMsgBunch }

// SelfavatarChanged: the account's avatar changed (deprecated by ConfigSynced).
type SelfavatarChanged struct{ AccountEvent }

// Type returns "SelfavatarChanged".
func (e *SelfavatarChanged) Type() string { return TypeSelfavatarChanged }

// ChatlistChanged: the set or order of chats changed.
type ChatlistChanged struct{ AccountEvent }

// Type returns "ChatlistChanged".
func (e *ChatlistChanged) Type() string { return TypeChatlistChanged }

// AccountsBackgroundFetchDone: a background fetch ended.
type AccountsBackgroundFetchDone struct{ AccountEvent }

// Type returns "AccountsBackgroundFetchDone".
func (e *AccountsBackgroundFetchDone) Type() string { return TypeAccountsBackgroundFetchDone }

// AccountsChanged: accounts were added or removed.
type AccountsChanged struct{ AccountEvent }

// Type returns "AccountsChanged".
func (e *AccountsChanged) Type() string { return TypeAccountsChanged }

// AccountsItemChanged: an account's listed properties changed.
type AccountsItemChanged struct{ AccountEvent }

// Type returns "AccountsItemChanged".
func (e *AccountsItemChanged) Type() string { return TypeAccountsItemChanged }

// TransportsModified: the account's transports (relays) changed.
type TransportsModified struct{ AccountEvent }

// Type returns "TransportsModified".
func (e *TransportsModified) Type() string { return TypeTransportsModified }

// MsgsNoticed: the chat's messages were seen or noticed.
type MsgsNoticed struct{ ChatEvent }

// Type returns "MsgsNoticed".
func (e *MsgsNoticed) Type() string { return TypeMsgsNoticed }

// ChatDeleted: the chat was deleted.
type ChatDeleted struct{ ChatEvent }

// Type returns "ChatDeleted".
func (e *ChatDeleted) Type() string { return TypeChatDeleted }

// MsgsChanged: messages or chats changed in the database (sent, received, edited, removed…); ChatID or MsgID is 0 when several changed.
type MsgsChanged struct{ MsgEvent }

// Type returns "MsgsChanged".
func (e *MsgsChanged) Type() string { return TypeMsgsChanged }

// ChatKey returns the chat's key, or "" when several chats changed.
func (e *MsgsChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// MsgReadCountChanged: a read receipt for a message came in (also later ones, in groups).
type MsgReadCountChanged struct{ MsgEvent }

// Type returns "MsgReadCountChanged".
func (e *MsgReadCountChanged) Type() string { return TypeMsgReadCountChanged }

// ChatKey returns the chat's key, or "" when several chats changed.
func (e *MsgReadCountChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// MsgDeleted: a message was deleted (by its author, expiry or the bot); it is gone from the chat.
type MsgDeleted struct{ MsgEvent }

// Type returns "MsgDeleted".
func (e *MsgDeleted) Type() string { return TypeMsgDeleted }

// ChatKey returns the chat's key, or "" when several chats changed.
func (e *MsgDeleted) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// NewBlobFile: a file was created in the blob directory.
type NewBlobFile struct{ BlobEvent }

// Type returns "NewBlobFile".
func (e *NewBlobFile) Type() string { return TypeNewBlobFile }

// DeletedBlobFile: a file was deleted from the blob directory.
type DeletedBlobFile struct{ BlobEvent }

// Type returns "DeletedBlobFile".
func (e *DeletedBlobFile) Type() string { return TypeDeletedBlobFile }

// WebxdcRealtimeAdvertisementReceived: a webxdc app's peer channel was advertised.
type WebxdcRealtimeAdvertisementReceived struct{ WebxdcEvent }

// Type returns "WebxdcRealtimeAdvertisementReceived".
func (e *WebxdcRealtimeAdvertisementReceived) Type() string {
	return TypeWebxdcRealtimeAdvertisementReceived
}

// WebxdcInstanceDeleted: a webxdc app's message was deleted.
type WebxdcInstanceDeleted struct{ WebxdcEvent }

// Type returns "WebxdcInstanceDeleted".
func (e *WebxdcInstanceDeleted) Type() string { return TypeWebxdcInstanceDeleted }

// ReactionsChanged: the reactions of contact ContactID on a message
// changed (ContactID may be 0 for broadcast reactions). Read the message's
// Reactions for the new set.
type ReactionsChanged struct {
	MsgEvent
	ContactID int64 `json:"contact_id"`
}

// Type returns "ReactionsChanged".
func (e *ReactionsChanged) Type() string { return TypeReactionsChanged }

// ChatKey returns the chat's key.
func (e *ReactionsChanged) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// IncomingReaction: contact ContactID reacted to one of the bot's messages
// with Reaction (ReactionsChanged follows). It is the reaction event.
type IncomingReaction struct {
	MsgEvent
	ContactID int64  `json:"contact_id"`
	Reaction  string `json:"reaction"`
}

// Type returns "IncomingReaction".
func (e *IncomingReaction) Type() string { return TypeIncomingReaction }

// ChatKey returns the chat's key.
func (e *IncomingReaction) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// DedupeKey is "privitty:<account>:react:<msg>:<contact>:<reaction>".
func (e *IncomingReaction) DedupeKey() string {
	return msgKey(e.AccountID, 0, "react", e.MsgID) + ":" + strconv.FormatInt(e.ContactID, 10) + ":" + e.Reaction
}

// IncomingWebxdcNotify: a webxdc app asks to notify of Text.
type IncomingWebxdcNotify struct {
	MsgEvent
	ContactID int64  `json:"contact_id"`
	Text      string `json:"text"`
	Href      string `json:"href"`
}

// Type returns "IncomingWebxdcNotify".
func (e *IncomingWebxdcNotify) Type() string { return TypeIncomingWebxdcNotify }

// ChatKey returns the chat's key.
func (e *IncomingWebxdcNotify) ChatKey() string { return chatKey(e.AccountID, e.ChatID) }

// ChatEphemeralTimerModified: the chat's disappearing-messages timer is
// now Timer seconds (0 off).
type ChatEphemeralTimerModified struct {
	ChatEvent
	Timer int64 `json:"timer"`
}

// Type returns "ChatEphemeralTimerModified".
func (e *ChatEphemeralTimerModified) Type() string { return TypeChatEphemeralTimerModified }

// ChatlistItemChanged: a chat's entry in the chat list changed; ChatID 0
// means all of them.
type ChatlistItemChanged struct{ ChatEvent }

// Type returns "ChatlistItemChanged".
func (e *ChatlistItemChanged) Type() string { return TypeChatlistItemChanged }

// LocationChanged: a contact's location changed; ContactID 0 means
// several.
type LocationChanged struct {
	AccountID int64 `json:"account_id"`
	ContactID int64 `json:"contact_id"`
}

// Type returns "LocationChanged".
func (e *LocationChanged) Type() string { return TypeLocationChanged }

// ImexFileWritten: an export wrote the file at Path.
type ImexFileWritten struct {
	AccountID int64  `json:"account_id"`
	Path      string `json:"path"`
}

// Type returns "ImexFileWritten".
func (e *ImexFileWritten) Type() string { return TypeImexFileWritten }

// ConfigSynced: a config value synced across the account's devices
// changed; Key names it (the value is not sent).
type ConfigSynced struct {
	AccountID int64  `json:"account_id"`
	Key       string `json:"key"`
}

// Type returns "ConfigSynced".
func (e *ConfigSynced) Type() string { return TypeConfigSynced }

// WebxdcStatusUpdate: a webxdc app received a status update.
type WebxdcStatusUpdate struct {
	WebxdcEvent
	StatusUpdateSerial int64 `json:"status_update_serial"`
}

// Type returns "WebxdcStatusUpdate".
func (e *WebxdcStatusUpdate) Type() string { return TypeWebxdcStatusUpdate }

// WebxdcRealtimeData: data arrived over a webxdc app's peer channel. The
// core sends the bytes as a JSON array of numbers.
type WebxdcRealtimeData struct {
	WebxdcEvent
	Data []int `json:"data"`
}

// Type returns "WebxdcRealtimeData".
func (e *WebxdcRealtimeData) Type() string { return TypeWebxdcRealtimeData }

// EventChannelOverflow: the core dropped N events because they were not
// read fast enough, like the daemon's lag; the platform catches up after
// it.
type EventChannelOverflow struct {
	AccountID int64 `json:"account_id"`
	N         int64 `json:"n"`
}

// Type returns "EventChannelOverflow".
func (e *EventChannelOverflow) Type() string { return TypeEventChannelOverflow }

// IncomingCall: a call comes in; MsgID is its info message.
type IncomingCall struct {
	CallEvent
	PlaceCallInfo string `json:"place_call_info"`
	HasVideo      bool   `json:"has_video"`
}

// Type returns "IncomingCall".
func (e *IncomingCall) Type() string { return TypeIncomingCall }

// IncomingCallAccepted: an incoming call was accepted, here or on another
// device.
type IncomingCallAccepted struct {
	CallEvent
	FromThisDevice bool `json:"from_this_device"`
}

// Type returns "IncomingCallAccepted".
func (e *IncomingCallAccepted) Type() string { return TypeIncomingCallAccepted }

// OutgoingCallAccepted: the peer accepted the bot's call.
type OutgoingCallAccepted struct {
	CallEvent
	AcceptCallInfo string `json:"accept_call_info"`
}

// Type returns "OutgoingCallAccepted".
func (e *OutgoingCallAccepted) Type() string { return TypeOutgoingCallAccepted }

// CallEnded: a call ended.
type CallEnded struct{ CallEvent }

// Type returns "CallEnded".
func (e *CallEnded) Type() string { return TypeCallEnded }

func init() {
	for name, mk := range map[string]func() bot.Event{
		TypeInfo:                                func() bot.Event { return &Info{} },
		TypeSmtpConnected:                       func() bot.Event { return &SmtpConnected{} },
		TypeImapConnected:                       func() bot.Event { return &ImapConnected{} },
		TypeSmtpMessageSent:                     func() bot.Event { return &SmtpMessageSent{} },
		TypeImapMessageDeleted:                  func() bot.Event { return &ImapMessageDeleted{} },
		TypeImapMessageMoved:                    func() bot.Event { return &ImapMessageMoved{} },
		TypeErrorSelfNotInGroup:                 func() bot.Event { return &ErrorSelfNotInGroup{} },
		TypeImapInboxIdle:                       func() bot.Event { return &ImapInboxIdle{} },
		TypeIncomingMsgBunch:                    func() bot.Event { return &IncomingMsgBunch{} },
		TypeSelfavatarChanged:                   func() bot.Event { return &SelfavatarChanged{} },
		TypeChatlistChanged:                     func() bot.Event { return &ChatlistChanged{} },
		TypeAccountsBackgroundFetchDone:         func() bot.Event { return &AccountsBackgroundFetchDone{} },
		TypeAccountsChanged:                     func() bot.Event { return &AccountsChanged{} },
		TypeAccountsItemChanged:                 func() bot.Event { return &AccountsItemChanged{} },
		TypeTransportsModified:                  func() bot.Event { return &TransportsModified{} },
		TypeMsgsNoticed:                         func() bot.Event { return &MsgsNoticed{} },
		TypeChatDeleted:                         func() bot.Event { return &ChatDeleted{} },
		TypeMsgsChanged:                         func() bot.Event { return &MsgsChanged{} },
		TypeMsgReadCountChanged:                 func() bot.Event { return &MsgReadCountChanged{} },
		TypeMsgDeleted:                          func() bot.Event { return &MsgDeleted{} },
		TypeNewBlobFile:                         func() bot.Event { return &NewBlobFile{} },
		TypeDeletedBlobFile:                     func() bot.Event { return &DeletedBlobFile{} },
		TypeReactionsChanged:                    func() bot.Event { return &ReactionsChanged{} },
		TypeIncomingReaction:                    func() bot.Event { return &IncomingReaction{} },
		TypeIncomingWebxdcNotify:                func() bot.Event { return &IncomingWebxdcNotify{} },
		TypeChatEphemeralTimerModified:          func() bot.Event { return &ChatEphemeralTimerModified{} },
		TypeChatlistItemChanged:                 func() bot.Event { return &ChatlistItemChanged{} },
		TypeLocationChanged:                     func() bot.Event { return &LocationChanged{} },
		TypeImexFileWritten:                     func() bot.Event { return &ImexFileWritten{} },
		TypeConfigSynced:                        func() bot.Event { return &ConfigSynced{} },
		TypeWebxdcStatusUpdate:                  func() bot.Event { return &WebxdcStatusUpdate{} },
		TypeWebxdcRealtimeData:                  func() bot.Event { return &WebxdcRealtimeData{} },
		TypeWebxdcRealtimeAdvertisementReceived: func() bot.Event { return &WebxdcRealtimeAdvertisementReceived{} },
		TypeWebxdcInstanceDeleted:               func() bot.Event { return &WebxdcInstanceDeleted{} },
		TypeEventChannelOverflow:                func() bot.Event { return &EventChannelOverflow{} },
		TypeIncomingCall:                        func() bot.Event { return &IncomingCall{} },
		TypeIncomingCallAccepted:                func() bot.Event { return &IncomingCallAccepted{} },
		TypeOutgoingCallAccepted:                func() bot.Event { return &OutgoingCallAccepted{} },
		TypeCallEnded:                           func() bot.Event { return &CallEnded{} },
	} {
		eventTypes[name] = mk
	}
}
