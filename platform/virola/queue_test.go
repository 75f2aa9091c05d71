package virola

import (
	"context"
	"errors"
	"testing"
)

// A full queue drops frames without waiting, keeps one catch-up marker
// after what it holds, and never drops the socket's end.
func TestFrameQueueOverflow(t *testing.T) {
	q := newFrameQueue(2)
	ev := func(n int) frameItem { return frameItem{ev: &Unknown{Name: string(rune('a' + n))}} }
	for i, want := range []bool{true, true, false, false} {
		if got := q.push(ev(i)); got != want {
			t.Fatalf("push %d: %v, want %v", i, got, want)
		}
	}
	end := errors.New("closed")
	if !q.push(frameItem{err: end, end: true}) {
		t.Fatal("the socket's end was dropped")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []string
	for range 4 {
		it, ok := q.pop(ctx, nil)
		switch {
		case !ok:
			t.Fatal("pop ended early")
		case it.lag:
			got = append(got, "lag")
		case it.end:
			got = append(got, "end")
		default:
			got = append(got, it.ev.(*Unknown).Name)
		}
	}
	if want := "[a b lag end]"; fmtList(got) != want {
		t.Fatalf("popped %s, want %s", fmtList(got), want)
	}
	// Room again: frames are queued, and a new overflow queues a new marker.
	if !q.push(ev(5)) || !q.push(ev(6)) || q.push(ev(7)) {
		t.Fatal("the queue did not take frames again after it was drained")
	}
	if it, _ := q.pop(ctx, nil); it.ev.(*Unknown).Name != "f" {
		t.Fatalf("popped %+v", it)
	}
	q.pop(ctx, nil)
	if it, _ := q.pop(ctx, nil); !it.lag {
		t.Fatalf("popped %+v, want the second marker", it)
	}
	cancel()
	if _, ok := q.pop(ctx, nil); ok {
		t.Fatal("pop of an empty queue returned after its context ended")
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// A retry signal comes out of pop before the frames already queued (a
// busy socket must not hold a failed message back), and wakes a pop that
// waits.
func TestFrameQueueRetryFirst(t *testing.T) {
	q := newFrameQueue(4)
	q.push(frameItem{ev: &Unknown{Name: "a"}})
	retry := make(chan struct{}, 1)
	retry <- struct{}{}
	ctx := context.Background()
	if it, ok := q.pop(ctx, retry); !ok || !it.retry {
		t.Fatalf("popped %+v, want the retry", it)
	}
	if it, _ := q.pop(ctx, retry); it.retry || it.ev.(*Unknown).Name != "a" {
		t.Fatalf("popped %+v, want frame a", it)
	}
	got := make(chan frameItem, 1)
	go func() {
		it, _ := q.pop(ctx, retry)
		got <- it
	}()
	retry <- struct{}{}
	if it := <-got; !it.retry {
		t.Fatalf("popped %+v, want the retry", it)
	}
}
