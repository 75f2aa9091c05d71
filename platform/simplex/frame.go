package simplex

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// Response is the decoded "resp" of a frame: an event or a command
// response. Type returns the wire tag. Every event is also a bot.Event.
type Response interface {
	Type() string
}

// Frame is one decoded message from the chat core.
type Frame struct {
	// CorrID echoes the command's corrId; it is empty for events.
	CorrID string
	// Type is the "resp" tag.
	Type string
	// Resp is the typed response: a pointer to the type registered for the
	// tag, or *Unknown.
	Resp Response
	// Raw is the whole frame as received (a private copy).
	Raw json.RawMessage
}

// IsEvent reports whether the frame is an event rather than a response.
func (f Frame) IsEvent() bool { return f.CorrID == "" }

// IsProtocolError reports whether the frame is a chatCmdError without a
// corrId: the chat core's answer to a frame it could not read. It belongs
// to no pending command and is not an event.
func (f Frame) IsProtocolError() bool { return f.CorrID == "" && f.Type == TypeChatCmdError }

// Frame decoding errors.
var (
	ErrFrameNotJSON   = errors.New("simplex: frame is not valid JSON")
	ErrFrameNotObject = errors.New("simplex: frame is not a JSON object")
	ErrFrameNoResp    = errors.New("simplex: frame has no resp object")
	ErrFrameCorrID    = errors.New("simplex: frame corrId is not a string")
	ErrFrameNoType    = errors.New("simplex: frame resp has no string type")
)

// DecodeFrame decodes one frame, {"corrId"?:…,"resp":{"type":…,…}}. The
// resp is decoded once, into the type registered for its tag; unknown tags
// give *Unknown. data is not retained. Errors are returned for frames that
// are not JSON objects, lack a resp object or a string resp type, or have a
// corrId that is not a string; Raw is set whenever data was valid JSON.
// Nesting deeper than 1000 levels is refused as malformed.
func DecodeFrame(data []byte) (Frame, error) {
	return decodeFrame(append(json.RawMessage(nil), data...))
}

// decodeFrame is DecodeFrame on a buffer the frame may keep: the client's
// reader owns what it read, so it need not be copied.
func decodeFrame(buf []byte) (Frame, error) {
	// One pass: the envelope is walked and validated, and resp is decoded
	// where it stands.
	d := &wireDecoder{data: buf}
	var (
		f         = Frame{Raw: buf}
		corrID    []byte
		corrIDBad bool
		respSeen  bool
		respErr   error
	)
	if d.peek() != '{' {
		if _, err := d.skip(); err != nil || d.end() != nil {
			return Frame{}, ErrFrameNotJSON
		}
		return f, ErrFrameNotObject
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
	} else {
		for {
			start := d.pos
			kb, escaped, err := d.stringSpan()
			if err != nil {
				return Frame{}, ErrFrameNotJSON
			}
			key := string(kb) // short keys convert on the stack
			if escaped {
				if key, err = jsonUnquote(buf[start:d.pos]); err != nil {
					return Frame{}, ErrFrameNotJSON
				}
			}
			if d.peek() != ':' {
				return Frame{}, ErrFrameNotJSON
			}
			d.pos++
			d.ws()
			vstart := d.pos
			if key == "resp" && d.peek() == '{' {
				respSeen = true
				f.Type, f.Resp, respErr = decodeRespAt(d)
				if errors.Is(respErr, errWireSyntax) {
					return Frame{}, ErrFrameNotJSON
				}
			} else {
				val, err := d.skip()
				if err != nil {
					return Frame{}, ErrFrameNotJSON
				}
				switch key {
				case "corrId":
					corrID, corrIDBad = val, buf[vstart] != '"'
				case "resp":
					respSeen, respErr = true, ErrFrameNoResp
				}
			}
			if c := d.peek(); c == ',' {
				d.pos++
				continue
			} else if c == '}' {
				d.pos++
				break
			}
			return Frame{}, ErrFrameNotJSON
		}
	}
	if d.end() != nil {
		return Frame{}, ErrFrameNotJSON
	}
	if corrID != nil {
		if corrIDBad {
			return Frame{Raw: buf}, ErrFrameCorrID
		}
		s, err := (&wireDecoder{data: corrID}).readString()
		if err != nil {
			return Frame{Raw: buf}, ErrFrameCorrID
		}
		f.CorrID = s
	}
	if !respSeen {
		return Frame{Raw: buf}, ErrFrameNoResp
	}
	if respErr != nil {
		return Frame{Raw: buf, CorrID: f.CorrID}, respErr
	}
	return f, nil
}

// decodeRespAt decodes the resp object at the wireDecoder's position and moves
// past it. A resp without a string type gives ErrFrameNoType; a known tag
// whose members do not have its shape gives *Unknown, so nothing is lost.
// Syntax errors are returned as errWireSyntax.
func decodeRespAt(d *wireDecoder) (string, Response, error) {
	start := d.pos
	tag, ok := respTag(d.data[start:])
	if !ok {
		if _, err := d.skip(); err != nil {
			return "", nil, err
		}
		return "", nil, ErrFrameNoType
	}
	unknown := func() (string, Response, error) {
		d.pos = start
		raw, err := d.skip()
		if err != nil {
			return "", nil, err
		}
		return tag, &Unknown{Tag: tag, Raw: raw}, nil
	}
	var r Response
	var target reflect.Value
	var legacy *newChatItemLegacy
	if tag == TypeNewChatItemLegacy {
		legacy = new(newChatItemLegacy)
		target = reflect.ValueOf(legacy).Elem()
	} else if newResp, ok := respRegistry[tag]; ok {
		r = newResp()
		target = reflect.ValueOf(r).Elem()
	} else {
		return unknown()
	}
	if err := decodeInto(d, target); err != nil {
		if errors.Is(err, errWireSyntax) {
			return "", nil, err
		}
		return unknown()
	}
	if legacy != nil {
		r = &NewChatItems{User: legacy.User, ChatItems: []AChatItem{legacy.ChatItem}, Extra: legacy.Extra}
	}
	return tag, r, nil
}

// respTag finds the "type" member of the resp object; it is usually first.
func respTag(resp []byte) (string, bool) {
	d := &wireDecoder{data: resp}
	d.pos = 1
	for d.peek() == '"' {
		start := d.pos
		kb, escaped, err := d.stringSpan()
		if err != nil {
			return "", false
		}
		isType := !escaped && string(kb) == "type"
		if escaped {
			k, err := jsonUnquote(resp[start:d.pos])
			isType = err == nil && k == "type"
		}
		if d.peek() != ':' {
			return "", false
		}
		d.pos++
		if isType {
			if d.peek() != '"' {
				return "", false
			}
			s, err := d.readString()
			return s, err == nil
		}
		if _, err := d.skip(); err != nil {
			return "", false
		}
		if d.peek() != ',' {
			return "", false
		}
		d.pos++
	}
	return "", false
}

// newChatItemLegacy is the singular newChatItem of chat cores before v6.
type newChatItemLegacy struct {
	User     *User     `json:"user,omitempty"`
	ChatItem AChatItem `json:"chatItem"`
	Extra    Extra
}

// Type returns "newChatItem".
func (e *newChatItemLegacy) Type() string { return TypeNewChatItemLegacy }

// EncodeResp encodes a response or event as a "resp" object, with its
// "type" member. Decoded values encode back to the members they came with.
func EncodeResp(r Response) ([]byte, error) {
	if u, ok := r.(*Unknown); ok {
		return u.MarshalJSON()
	}
	rv := reflect.ValueOf(r)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("simplex: cannot encode %T", r)
	}
	if rv.Elem().Kind() != reflect.Struct || !hasExtra(rv.Elem().Type()) {
		return json.Marshal(r) // a Response type from outside this package
	}
	return appendWire(nil, r)
}

// EncodeFrame encodes a frame envelope around r; corrID "" makes an event.
// It is the inverse of DecodeFrame, for simulators and tests.
func EncodeFrame(corrID string, r Response) ([]byte, error) {
	body, err := EncodeResp(r)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, len(body)+len(corrID)+24)
	buf = append(buf, '{')
	if corrID != "" {
		buf = append(buf, `"corrId":`...)
		buf = jsonAppendString(buf, corrID)
		buf = append(buf, ',')
	}
	buf = append(buf, `"resp":`...)
	buf = append(buf, body...)
	return append(buf, '}'), nil
}

// EncodeCommand encodes a command frame, {"corrId":"…","cmd":"…"}. The
// corrId must not be empty: the chat core needs it to answer.
func EncodeCommand(corrID, cmd string) ([]byte, error) {
	if corrID == "" {
		return nil, errors.New("simplex: empty corrId")
	}
	if cmd == "" {
		return nil, errors.New("simplex: empty command")
	}
	buf := make([]byte, 0, len(cmd)+len(corrID)+32)
	buf = append(buf, `{"corrId":`...)
	buf = jsonAppendString(buf, corrID)
	buf = append(buf, `,"cmd":`...)
	buf = jsonAppendString(buf, cmd)
	return append(buf, '}'), nil
}

// ---- respRegistry ----

func newOf[T any, P interface {
	*T
	Response
}]() Response {
	return P(new(T))
}

// respRegistry maps every known tag to a constructor of its type.
var respRegistry = map[string]func() Response{}

func registerResp(ctors ...func() Response) {
	for _, c := range ctors {
		respRegistry[c().Type()] = c
	}
}

func init() {
	registerResp(
		// events
		newOf[ContactConnected], newOf[ContactUpdated], newOf[ContactDeletedByContact],
		newOf[ReceivedContactRequest], newOf[NewMemberContactReceivedInv], newOf[ContactSndReady],
		newOf[NewChatItems], newOf[ChatItemReaction], newOf[ChatItemsDeleted], newOf[ChatItemUpdated],
		newOf[GroupChatItemsDeleted], newOf[ChatItemsStatusesUpdated],
		newOf[ReceivedGroupInvitation], newOf[UserJoinedGroup], newOf[GroupUpdated], newOf[JoinedGroupMember],
		newOf[MemberRole], newOf[DeletedMember], newOf[LeftMember], newOf[DeletedMemberUser], newOf[GroupDeleted],
		newOf[ConnectedToGroupMember], newOf[MemberAcceptedByOther], newOf[MemberBlockedForAll],
		newOf[GroupMemberUpdated], newOf[GroupLinkRelaysUpdated],
		newOf[RcvFileDescrReady], newOf[RcvFileComplete], newOf[SndFileCompleteXFTP], newOf[RcvFileStart],
		newOf[RcvFileSndCancelled], newOf[RcvFileAccepted], newOf[RcvFileError], newOf[RcvFileWarning],
		newOf[SndFileError], newOf[SndFileWarning],
		newOf[AcceptingContactRequest], newOf[AcceptingBusinessRequest], newOf[ContactConnecting],
		newOf[BusinessLinkConnecting], newOf[JoinedGroupMemberConnecting], newOf[SentGroupInvitation],
		newOf[GroupLinkConnecting],
		newOf[HostConnected], newOf[HostDisconnected], newOf[SubscriptionStatus],
		newOf[MessageError], newOf[ChatErrorEvent], newOf[ChatErrors],
		// responses
		newOf[ActiveUser], newOf[UsersList], newOf[UserProfileUpdated], newOf[UserProfileNoChange],
		newOf[UserContactLinkCreated], newOf[UserContactLinkResponse], newOf[UserContactLinkDeleted],
		newOf[UserContactLinkUpdated], newOf[ChatItemNotChanged], newOf[RcvFileAcceptedSndCancelled],
		newOf[SndFileCancelled], newOf[RcvFileCancelled], newOf[ContactRequestRejected], newOf[GroupCreated],
		newOf[UserAcceptedGroupSent], newOf[MemberAccepted], newOf[MembersRoleUser],
		newOf[MembersBlockedForAllUser], newOf[UserDeletedMembers], newOf[LeftMemberUser], newOf[GroupMembers],
		newOf[ContactsList], newOf[GroupsList], newOf[APIChats], newOf[APIChat], newOf[GroupLinkCreated],
		newOf[ContactPrefsUpdated], newOf[CmdOk], newOf[ChatStarted], newOf[ChatRunning], newOf[ChatStopped],
		newOf[ChatCmdError], newOf[ItemsReadForChat],
	)
	for tag := range respRegistry {
		interned[tag] = tag
	}
	interned[TypeNewChatItemLegacy] = TypeNewChatItemLegacy
}

// KnownTypes returns the tags DecodeFrame decodes into typed values, sorted.
func KnownTypes() []string {
	tags := make([]string, 0, len(respRegistry)+1)
	for t := range respRegistry {
		tags = append(tags, t)
	}
	tags = append(tags, TypeNewChatItemLegacy)
	slices.Sort(tags)
	return tags
}

// NewResponse returns a new zero value of the type registered for tag, or
// nil if the tag is unknown.
func NewResponse(tag string) Response {
	if c, ok := respRegistry[tag]; ok {
		return c()
	}
	return nil
}

// ---- interning ----

const maxInterned = 32

// interned holds the short strings that recur in every frame (tags and enum
// values), so that decoding them does not allocate. It is filled at init and
// only read afterwards.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		// chat info, directions, contents, statuses
		ChatInfoDirect, ChatInfoGroup, ChatInfoLocal, ChatInfoContactRequest, ChatInfoContactConnection,
		DirDirectSnd, DirDirectRcv, DirGroupSnd, DirGroupRcv, DirLocalSnd, DirLocalRcv,
		ContentSndMsg, ContentRcvMsg, ContentSndDeleted, ContentRcvDeleted, ContentRcvGroupInvitation,
		ContentSndGroupInvitation, ContentRcvGroupEvent, ContentSndGroupEvent, ContentRcvDirectEvent,
		MsgText, MsgLink, MsgImage, MsgVideo, MsgVoice, MsgFile, MsgReport, MsgChat, MsgUnknown,
		"sndNew", "sndSent", "sndRcvd", "rcvNew", "rcvRead", "partial", "complete", "ok", "emoji",
		"rcvInvitation", "rcvAccepted", "rcvTransfer", "rcvComplete", "sndStored", "sndComplete", "xftp", "smp",
		// roles, members, contacts
		string(RoleRelay), string(RoleObserver), string(RoleAuthor), string(RoleMember), string(RoleModerator),
		string(RoleAdmin), string(RoleOwner),
		string(CategoryUser), string(CategoryInvitee), string(CategoryHost), string(CategoryPre), string(CategoryPost),
		string(MemberStatusRejected), string(MemberStatusRemoved), string(MemberStatusLeft), string(MemberStatusDeleted),
		string(MemberStatusUnknown), string(MemberStatusInvited), string(MemberStatusPendingApproval),
		string(MemberStatusPendingReview), string(MemberStatusIntroduced), string(MemberStatusIntroInvited),
		string(MemberStatusAccepted), string(MemberStatusAnnounced), string(MemberStatusConnected),
		string(MemberStatusComplete), string(MemberStatusCreator),
		string(ContactStatusActive), string(ContactStatusDeletedByUser),
		"contact", "user", "member", "user_contact", "snd-ready", ConnSndReady, ConnReady, ConnNew,
		string(PeerBot), string(PeerHuman), "all", "mentions", "none", "on", "off",
		string(AllowAlways), string(AllowYes), string(AllowNo), "memberSupport", "mention", "bold", "italic",
		// errors
		ErrKindError, ErrKindAgent, ErrKindStore, "commandError", "BROKER", "NETWORK", "TIMEOUT",
		// common empty-ish values
		"", "0", "1",
	} {
		m[s] = s
	}
	return m
}()

// ---- key-only scanning ----

// The reader looks at most frames only as far as it must: the envelope's
// corrId and resp type, and for chat items their chat and id. A frame
// that is spilled under load, or the answer to a send that needs only the
// new items' ids, is never decoded in full; the scan still checks that
// what it walks is valid JSON.

// frameHead is a frame's envelope, read without decoding resp.
type frameHead struct {
	corrID string
	typ    string
}

// scanHead reads a frame's envelope as far as the resp type: the corrId
// when it comes first, as the CLI writes it, and the resp type. It does
// not read, nor check, what follows: the caller passes the frame on to a
// scan or a decode that does. A frame whose corrId follows its resp reads
// as an event here; DecodeFrame finds the corrId. It reports false when
// the start of the frame is not what the CLI writes (the caller then
// decodes the frame in full).
func scanHead(data []byte) (frameHead, bool) {
	d := &wireDecoder{data: data}
	var h frameHead
	if d.peek() != '{' {
		return h, false
	}
	d.pos++
	for d.peek() == '"' {
		kb, escaped, err := d.stringSpan()
		if err != nil || escaped || d.peek() != ':' {
			return h, false
		}
		d.pos++
		switch string(kb) {
		case "corrId":
			if h.corrID != "" || !d.scanString(&h.corrID) || h.corrID == "" {
				return h, false
			}
		case "resp":
			if d.peek() != '{' {
				return h, false
			}
			typ, ok := respTag(data[d.pos:])
			h.typ = typ
			return h, ok
		default:
			return h, false
		}
		if d.peek() != ',' {
			return h, false
		}
		d.pos++
	}
	return h, false
}

// itemKey is where a chat item sits, read without decoding the item.
type itemKey struct {
	chat ChatRef
	id   int64
	sent bool
	// addressable is false for items of chats commands cannot name
	// (ChatInfo.Ref's ok).
	addressable bool
}

// members walks the object at d's position in one pass, calling f with
// each member's unescaped key and d at its value; f consumes the value and
// reports success. Escaped keys are refused (the caller decodes instead).
func (d *wireDecoder) members(f func(key []byte) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		return true
	}
	for {
		kb, escaped, err := d.stringSpan()
		if err != nil || escaped || d.peek() != ':' {
			return false
		}
		d.pos++
		if !f(kb) {
			return false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

func (d *wireDecoder) skipOK() bool { return d.skipValue() == nil }

// scanString reads a string value; false for any other value.
func (d *wireDecoder) scanString(dst *string) bool {
	if d.peek() != '"' {
		return false
	}
	s, err := d.readString()
	*dst = s
	return err == nil
}

// scanInt reads an integer value; false for any other value.
func (d *wireDecoder) scanInt(dst *int64) bool {
	v, err := d.skip()
	if err != nil {
		return false
	}
	n, ok := jsonParseInt(v)
	*dst = n
	return ok
}

// scanItemKeys reads the chat, id and direction of every item of a
// newChatItems frame, appending them to dst. It reports false when the
// frame is not one, or has an item whose keys it cannot read; the caller
// then decodes the frame in full.
func scanItemKeys(data []byte, dst []itemKey) ([]itemKey, bool) {
	d := &wireDecoder{data: data}
	var typ string
	found := false
	ok := d.members(func(key []byte) bool {
		if string(key) != "resp" {
			return d.skipOK()
		}
		return d.members(func(key []byte) bool {
			switch string(key) {
			case "type":
				return d.scanString(&typ)
			case "chatItems":
				found = true
				if d.peek() != '[' {
					return false
				}
				d.pos++
				if d.peek() == ']' {
					d.pos++
					return true
				}
				for {
					k, ok := scanAChatItem(d)
					if !ok {
						return false
					}
					dst = append(dst, k)
					switch d.peek() {
					case ',':
						d.pos++
					case ']':
						d.pos++
						return true
					default:
						return false
					}
				}
			}
			return d.skipOK()
		})
	})
	return dst, ok && found && typ == TypeNewChatItems && d.end() == nil
}

// scanAChatItem reads the keys of one {"chatInfo":…,"chatItem":…}.
func scanAChatItem(d *wireDecoder) (itemKey, bool) {
	var k itemKey
	var dir string
	var info, item, meta bool
	ok := d.members(func(key []byte) bool {
		switch string(key) {
		case "chatInfo":
			info = true
			var ok bool
			k.chat, k.addressable, ok = scanChatInfo(d)
			return ok
		case "chatItem":
			item = true
			return d.members(func(key []byte) bool {
				switch string(key) {
				case "chatDir":
					return d.members(func(key []byte) bool {
						if string(key) == "type" {
							return d.scanString(&dir)
						}
						return d.skipOK()
					})
				case "meta":
					return d.members(func(key []byte) bool {
						if string(key) == "itemId" {
							meta = true
							return d.scanInt(&k.id)
						}
						return d.skipOK()
					})
				}
				return d.skipOK()
			})
		}
		return d.skipOK()
	})
	k.sent = (&CIDirection{Type: dir}).Sent()
	return k, ok && info && item && meta && dir != ""
}

// scanChatInfo reads a chatInfo's reference as ChatInfo.Ref would.
func scanChatInfo(d *wireDecoder) (ref ChatRef, addressable, ok bool) {
	var typ, scopeType string
	var contactID, groupID, memberID int64
	var hasContact, hasGroup bool
	ok = d.members(func(key []byte) bool {
		switch string(key) {
		case "type":
			return d.scanString(&typ)
		case "contact":
			return d.peek() == 'n' && d.skipOK() || d.members(func(key []byte) bool {
				if string(key) == "contactId" {
					hasContact = true
					return d.scanInt(&contactID)
				}
				return d.skipOK()
			})
		case "groupInfo":
			return d.peek() == 'n' && d.skipOK() || d.members(func(key []byte) bool {
				if string(key) == "groupId" {
					hasGroup = true
					return d.scanInt(&groupID)
				}
				return d.skipOK()
			})
		case "groupChatScope":
			return d.peek() == 'n' && d.skipOK() || d.members(func(key []byte) bool {
				switch string(key) {
				case "type":
					return d.scanString(&scopeType)
				case "groupMember_":
					return d.peek() == 'n' && d.skipOK() || d.members(func(key []byte) bool {
						if string(key) == "groupMemberId" {
							return d.scanInt(&memberID)
						}
						return d.skipOK()
					})
				}
				return d.skipOK()
			})
		}
		return d.skipOK()
	})
	switch {
	case !ok:
		return ref, false, false
	case typ == ChatInfoDirect && hasContact:
		return ChatRef{Type: ChatDirect, ID: contactID}, true, true
	case typ == ChatInfoGroup && hasGroup:
		ref = ChatRef{Type: ChatGroup, ID: groupID}
		if scopeType == ScopeMemberSupport {
			ref.Scope = &GroupChatScope{GroupMemberID: memberID}
		}
		return ref, true, true
	case typ == ChatInfoDirect || typ == ChatInfoGroup:
		return ref, false, false // a shape the full decode should judge
	}
	return ref, false, true
}
