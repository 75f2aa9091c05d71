package web

import (
	"context"
	"net"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// serveTCP relays raw TCP connections to the target, for protocols the
// HTTP proxy cannot carry (gRPC speaks HTTP/2). Each chunk read is
// recorded with its unprintable bytes as dots, so the strings inside the
// frames (message texts, names) can still be read.
func (t *tap) serveTCP() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.relayTCP(c)
		}()
	}
}

func (t *tap) relayTCP(down net.Conn) {
	defer down.Close()
	var d net.Dialer
	up, err := d.DialContext(t.ctx, "tcp", t.target.Host)
	if err != nil {
		t.record(ToBot, "tcp", "proxy: cannot reach the simulator: "+err.Error(), 0)
		return
	}
	defer up.Close()
	closeBoth := func() {
		_ = down.Close()
		_ = up.Close()
	}
	stop := context.AfterFunc(t.ctx, closeBoth)
	defer stop()
	t.record(ToBot, "tcp", "(connected)", 0)
	var wg sync.WaitGroup
	pipe := func(from, to net.Conn, dir string) {
		defer wg.Done()
		defer closeBoth() // one side ended: so does the relay
		buf := make([]byte, 32<<10)
		for {
			n, err := from.Read(buf)
			if n > 0 {
				t.record(dir, "tcp", printable(buf[:n]), n)
				if _, werr := to.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pipe(up, down, ToBot)
	go pipe(down, up, FromBot)
	wg.Wait()
	t.record(ToBot, "tcp", "(connection closed)", 0)
}

// printable renders binary data as text: printable characters stay,
// everything else becomes a dot; cut to maxFrameText.
func printable(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 && sb.Len() < maxFrameText {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			sb.WriteByte('.')
			continue
		}
		sb.WriteRune(r)
	}
	if len(b) > 0 {
		sb.WriteString("…")
	}
	return sb.String()
}
