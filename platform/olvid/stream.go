package olvid

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/parleybot/parley/bot"
)

// notificationSpec is how to open one notification stream and decode its
// messages.
type notificationSpec struct {
	service string
	open    func(ctx context.Context, c *Client, sub proto.Message) (recv func() (bot.Event, error), header func() error, err error)
	decode  func(proto.Message) bot.Event
	newMsg  func() proto.Message
}

func specOf[S proto.Message, N any, PN interface {
	*N
	proto.Message
}](service string, call func(context.Context, *Client, S) (grpc.ServerStreamingClient[N], error), decode func(PN) bot.Event) notificationSpec {
	return notificationSpec{
		service: service,
		open: func(ctx context.Context, c *Client, sub proto.Message) (func() (bot.Event, error), func() error, error) {
			st, err := call(ctx, c, sub.(S))
			if err != nil {
				return nil, nil, err
			}
			recv := func() (bot.Event, error) {
				n, err := st.Recv()
				if err != nil {
					return nil, err
				}
				return decode(PN(n)), nil
			}
			header := func() error { _, err := st.Header(); return err }
			return recv, header, nil
		},
		decode: func(m proto.Message) bot.Event { return decode(m.(PN)) },
		newMsg: func() proto.Message { return PN(new(N)) },
	}
}

// Subscription is a subscription message: the count and filters of one
// notification stream, such as *olvidpb.SubscribeToMessageReceivedNotification.
type Subscription = proto.Message

// NewSubscription returns an empty subscription message for n: no count
// (unlimited), no filter. Set its fields through a type assertion.
func NewSubscription(n Notification) Subscription { return subscription(n) }

// Subscribe opens n's stream with sub (nil for an empty one) and calls
// handle with each notification's event, in order, until the stream ends
// (nil when the daemon closed it after its count), handle returns an
// error, or ctx ends. Like the official clients it does not reopen a
// failed stream; the Platform does.
func (c *Client) Subscribe(ctx context.Context, n Notification, sub Subscription, handle func(bot.Event) error) error {
	s, ok := notificationSpecs[n]
	if !ok {
		return errors.New("olvid: unknown notification " + string(n))
	}
	if sub == nil {
		sub = subscription(n)
	}
	ctx, cancel := context.WithCancel(c.Context(ctx))
	defer cancel()
	recv, _, err := s.open(ctx, c, sub)
	if err != nil {
		return wrapErr(string(n), err)
	}
	for {
		e, err := recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return wrapErr(string(n), err)
		}
		if err := handle(e); err != nil {
			return err
		}
	}
}
