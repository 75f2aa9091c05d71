package simplex

// JSON methods of the wire types: all go through the codec of types_codec.go.

// UnmarshalJSON decodes leniently; see Extra.
func (v *User) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v User) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Profile) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Profile) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *LocalProfile) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v LocalProfile) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Preferences) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Preferences) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SimplePreference) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SimplePreference) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *TimedMessagesPreference) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v TimedMessagesPreference) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatBotCommand) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatBotCommand) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *VersionRange) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v VersionRange) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Connection) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Connection) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatSettings) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatSettings) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Contact) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Contact) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupPreference) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupPreference) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupPreferences) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupPreferences) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupProfile) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupProfile) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupSummary) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupSummary) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *BusinessChatInfo) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v BusinessChatInfo) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupInfo) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupInfo) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupMemberSettings) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupMemberSettings) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *InvitedBy) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v InvitedBy) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactRequest) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactRequest) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserInfo) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserInfo) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserProfileUpdateSummary) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserProfileUpdateSummary) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *NewUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v NewUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CreatedConnLink) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CreatedConnLink) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AutoAccept) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AutoAccept) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AddressSettings) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AddressSettings) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactLink) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactLink) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupLink) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupLink) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Group) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Group) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Tagged) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Tagged) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatInfo) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatInfo) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupChatScopeInfo) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupChatScopeInfo) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AChatItem) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AChatItem) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItem) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItem) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIDirection) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIDirection) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIMeta) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIMeta) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIStatus) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIStatus) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIDeleted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIDeleted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIContent) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIContent) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MsgContent) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MsgContent) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *LinkPreview) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v LinkPreview) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIGroupInvitation) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIGroupInvitation) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIFile) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIFile) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CryptoFile) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CryptoFile) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CryptoFileArgs) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CryptoFileArgs) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIFileStatus) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIFileStatus) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIQuote) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIQuote) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIMention) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIMention) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIMentionMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIMentionMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *FormattedText) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v FormattedText) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *Format) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v Format) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIReactionCount) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIReactionCount) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MsgReaction) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MsgReaction) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ACIReaction) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ACIReaction) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CIReaction) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CIReaction) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemDeletion) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemDeletion) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatStats) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatStats) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AChat) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AChat) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ComposedMessage) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ComposedMessage) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UpdatedMessage) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UpdatedMessage) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *FileInvitation) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v FileInvitation) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileTransfer) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileTransfer) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileDescr) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileDescr) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *FileTransferMeta) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v FileTransferMeta) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SndFileTransfer) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SndFileTransfer) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatErrorType) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatErrorType) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *StoreError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v StoreError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AgentError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AgentError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *NewChatItems) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v NewChatItems) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemReaction) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemReaction) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemsDeleted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemsDeleted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupChatItemsDeleted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupChatItemsDeleted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemsStatusesUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemsStatusesUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactConnected) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactConnected) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactDeletedByContact) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactDeletedByContact) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ReceivedContactRequest) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ReceivedContactRequest) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *NewMemberContactReceivedInv) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v NewMemberContactReceivedInv) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactSndReady) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactSndReady) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AcceptingContactRequest) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AcceptingContactRequest) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *AcceptingBusinessRequest) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v AcceptingBusinessRequest) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactConnecting) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactConnecting) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *BusinessLinkConnecting) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v BusinessLinkConnecting) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ReceivedGroupInvitation) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ReceivedGroupInvitation) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserJoinedGroup) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserJoinedGroup) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *JoinedGroupMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v JoinedGroupMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MemberRole) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MemberRole) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *DeletedMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v DeletedMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *LeftMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v LeftMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *DeletedMemberUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v DeletedMemberUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupDeleted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupDeleted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ConnectedToGroupMember) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ConnectedToGroupMember) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MemberAcceptedByOther) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MemberAcceptedByOther) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MemberBlockedForAll) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MemberBlockedForAll) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupMemberUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupMemberUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupLinkRelaysUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupLinkRelaysUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *JoinedGroupMemberConnecting) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v JoinedGroupMemberConnecting) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SentGroupInvitation) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SentGroupInvitation) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupLinkConnecting) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupLinkConnecting) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileDescrReady) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileDescrReady) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileComplete) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileComplete) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SndFileCompleteXFTP) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SndFileCompleteXFTP) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileStart) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileStart) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileSndCancelled) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileSndCancelled) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileAccepted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileAccepted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileWarning) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileWarning) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SndFileError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SndFileError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SndFileWarning) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SndFileWarning) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *HostConnected) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v HostConnected) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *HostDisconnected) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v HostDisconnected) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SubscriptionStatus) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SubscriptionStatus) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MessageError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MessageError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatErrorEvent) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatErrorEvent) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatErrors) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatErrors) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ActiveUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ActiveUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UsersList) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UsersList) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserProfileUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserProfileUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserProfileNoChange) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserProfileNoChange) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactLinkCreated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactLinkCreated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactLinkResponse) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactLinkResponse) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactLinkDeleted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactLinkDeleted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserContactLinkUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserContactLinkUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatItemNotChanged) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatItemNotChanged) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileAcceptedSndCancelled) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileAcceptedSndCancelled) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *SndFileCancelled) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v SndFileCancelled) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *RcvFileCancelled) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v RcvFileCancelled) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactRequestRejected) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactRequestRejected) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupCreated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupCreated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserAcceptedGroupSent) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserAcceptedGroupSent) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MemberAccepted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MemberAccepted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MembersRoleUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MembersRoleUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *MembersBlockedForAllUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v MembersBlockedForAllUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *UserDeletedMembers) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v UserDeletedMembers) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *LeftMemberUser) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v LeftMemberUser) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupMembers) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupMembers) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactsList) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactsList) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupsList) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupsList) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *APIChats) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v APIChats) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *APIChat) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v APIChat) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *GroupLinkCreated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v GroupLinkCreated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ContactPrefsUpdated) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ContactPrefsUpdated) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *CmdOk) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v CmdOk) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatStarted) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatStarted) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatRunning) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatRunning) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatStopped) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatStopped) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ItemsReadForChat) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ItemsReadForChat) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatCmdError) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatCmdError) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatListQuery) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatListQuery) MarshalJSON() ([]byte, error) { return marshalWire(&v) }

// UnmarshalJSON decodes leniently; see Extra.
func (v *ChatMsgContent) UnmarshalJSON(data []byte) error { return unmarshalWire(data, v) }

// MarshalJSON encodes back what was decoded; see Extra.
func (v ChatMsgContent) MarshalJSON() ([]byte, error) { return marshalWire(&v) }
