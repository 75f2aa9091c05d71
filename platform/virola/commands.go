package virola

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
)

// Directions for ListMessages and ListComments.
const (
	// Forward lists newer messages, oldest first.
	Forward = "forward"
	// Backward lists older messages; the answer is still oldest first.
	Backward = "backward"
)

// Status is GET /api/v1/status: who the session or token acts as.
func (c *Client) Status(ctx context.Context) (*Session, error) {
	var s Session
	if err := c.call(ctx, http.MethodGet, "/api/v1/status", nil, nil, &s); err != nil {
		return nil, err
	}
	if s.UserID != 0 {
		c.self.Store(s.UserID)
	}
	return &s, nil
}

// Logout ends the session (POST /api/v1/logout). Without a session it
// does nothing.
func (c *Client) Logout(ctx context.Context) error {
	if c.sessionID() == "" || !c.useCookie() {
		return nil
	}
	err := c.call(ctx, http.MethodPost, "/api/v1/logout", nil, jsonBody(struct{}{}), nil)
	c.mu.Lock()
	c.session = ""
	c.mu.Unlock()
	return err
}

// ServerHealth is GET /api/v1/server-health. Its body is not documented;
// it is returned as it came.
func (c *Client) ServerHealth(ctx context.Context) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.call(ctx, http.MethodGet, "/api/v1/server-health", nil, nil, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// ListRooms is GET /api/v1/rooms: the rooms the user has access to.
func (c *Client) ListRooms(ctx context.Context) ([]Room, error) {
	var r struct {
		Rooms []Room `json:"rooms"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/rooms", nil, nil, &r); err != nil {
		return nil, err
	}
	return r.Rooms, nil
}

// ListRoomPermissions is GET /api/v1/room-permissions/{roomId}: what the
// user may do in the room.
func (c *Client) ListRoomPermissions(ctx context.Context, roomID int64) (*RoomPermissions, error) {
	var r struct {
		RoomPermissions *RoomPermissions `json:"roomPermissions"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/room-permissions/"+itoa(roomID), nil, nil, &r); err != nil {
		return nil, err
	}
	if r.RoomPermissions == nil {
		return nil, fmt.Errorf("%w: room-permissions answered without roomPermissions", ErrProtocol)
	}
	return r.RoomPermissions, nil
}

// ListUsers is GET /api/v1/users.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	var r struct {
		Users []User `json:"users"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/users", nil, nil, &r); err != nil {
		return nil, err
	}
	return r.Users, nil
}

// Page selects messages for ListMessages and ListComments.
type Page struct {
	// Cursor is the message id to start from; 0 starts at the oldest
	// (Forward) or newest (Backward) message. Whether the cursor message
	// itself is part of the answer is not documented: callers that need
	// strictly newer messages filter by id.
	Cursor int64
	// Limit caps the answer; 0 means all.
	Limit int
	// Direction is Forward (the default) or Backward.
	Direction string
}

func (p Page) query() url.Values {
	q := url.Values{}
	if p.Cursor != 0 {
		q.Set("cursor", itoa(p.Cursor))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Direction != "" {
		q.Set("direction", p.Direction)
	}
	return q
}

// MessageList is a page of messages, oldest first.
type MessageList struct {
	RoomID          int64     `json:"roomId"`
	ParentMessageID int64     `json:"parentMessageId,omitempty"`
	Messages        []Message `json:"messages"`
}

// ListMessages is GET /api/v1/rooms/{roomId}/messages: a page of the
// room's main thread.
func (c *Client) ListMessages(ctx context.Context, roomID int64, p Page) (*MessageList, error) {
	var l MessageList
	if err := c.call(ctx, http.MethodGet, "/api/v1/rooms/"+itoa(roomID)+"/messages", p.query(), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// ListComments is GET /api/v1/messages/{messageId}/comments: a page of
// the discussion of a message.
func (c *Client) ListComments(ctx context.Context, messageID int64, p Page) (*MessageList, error) {
	var l MessageList
	if err := c.call(ctx, http.MethodGet, "/api/v1/messages/"+itoa(messageID)+"/comments", p.query(), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

type content struct {
	Content string `json:"content"`
}

// SendMessage posts text to a room's main thread (POST
// /api/v1/rooms/{roomId}/messages). The server answers without the new
// message's id; Platform.Send finds it.
func (c *Client) SendMessage(ctx context.Context, roomID int64, text string) error {
	return c.call(ctx, http.MethodPost, "/api/v1/rooms/"+itoa(roomID)+"/messages", nil, jsonBody(content{text}), nil)
}

// PostComment posts text as a comment on a message (POST
// /api/v1/messages/{messageId}/comments). Like SendMessage, the answer
// carries no id.
func (c *Client) PostComment(ctx context.Context, messageID int64, text string) error {
	return c.call(ctx, http.MethodPost, "/api/v1/messages/"+itoa(messageID)+"/comments", nil, jsonBody(content{text}), nil)
}

// DeleteMessage deletes a message or comment (DELETE
// /api/v1/messages/{messageId}).
func (c *Client) DeleteMessage(ctx context.Context, messageID int64) error {
	return c.call(ctx, http.MethodDelete, "/api/v1/messages/"+itoa(messageID), nil, nil, nil)
}

// MarkRead marks a message read (POST /api/v1/messages/{messageId}/read).
func (c *Client) MarkRead(ctx context.Context, messageID int64) error {
	return c.call(ctx, http.MethodPost, "/api/v1/messages/"+itoa(messageID)+"/read", nil, jsonBody(struct{}{}), nil)
}

// Upload is one file to attach.
type Upload struct {
	// Name is the file name the server keeps.
	Name string
	// Data is the content.
	Data []byte
}

// UploadAttachments attaches files to a message (POST
// /api/v1/messages/{messageId}/attachments, multipart field "files").
func (c *Client) UploadAttachments(ctx context.Context, messageID int64, files []Upload) error {
	if len(files) == 0 {
		return errors.New("virola: no files to upload")
	}
	mk := func() (io.Reader, string, error) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, f := range files {
			part, err := w.CreateFormFile("files", f.Name)
			if err != nil {
				return nil, "", err
			}
			if _, err := part.Write(f.Data); err != nil {
				return nil, "", err
			}
		}
		if err := w.Close(); err != nil {
			return nil, "", err
		}
		return &buf, w.FormDataContentType(), nil
	}
	return c.call(ctx, http.MethodPost, "/api/v1/messages/"+itoa(messageID)+"/attachments", nil, mk, nil)
}

// GetAttachment is GET /api/v1/attachments/{attachmentId}: the
// attachment's metadata.
func (c *Client) GetAttachment(ctx context.Context, attachmentID int64) (*Attachment, error) {
	var a Attachment
	if err := c.call(ctx, http.MethodGet, "/api/v1/attachments/"+itoa(attachmentID), nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// DownloadAttachment is GET /api/v1/attachments/{attachmentId}/{fileName}:
// the file's bytes, at most max of them (0: DefaultMaxResponse).
func (c *Client) DownloadAttachment(ctx context.Context, attachmentID int64, fileName string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxResponse
	}
	var data []byte
	path := "/api/v1/attachments/" + itoa(attachmentID) + "/" + url.PathEscape(fileName)
	err := c.call(ctx, http.MethodGet, path, nil, nil, rawSink{&data, max})
	return data, err
}

// rawSink receives a body as bytes instead of JSON.
type rawSink struct {
	p   *[]byte
	max int64
}

// DeleteAttachment is DELETE /api/v1/attachments/{attachmentId}.
func (c *Client) DeleteAttachment(ctx context.Context, attachmentID int64) error {
	return c.call(ctx, http.MethodDelete, "/api/v1/attachments/"+itoa(attachmentID), nil, nil, nil)
}
