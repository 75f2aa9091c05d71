package web_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/parleybot/parley/playground"
	"github.com/parleybot/parley/playground/web"
)

// browser returns a chromedp context driving a headless Chromium, or
// skips the test when there is none (CI installs Debian's chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no Chromium found: apt-get install chromium to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// has returns a JavaScript condition true when a node matching selector
// has exactly the text.
func has(selector, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.trim() === %q)`, selector, text)
}

// until waits for a JavaScript condition, polling it in the page.
func until(cond string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(waitTimeout), chromedp.WithPollingInterval(20*time.Millisecond))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// click waits for a node matching sel and clicks it in one step in the
// page: the lists are redrawn on every change, so a node found in one
// call may be gone by the next.
func click(sel string) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()`, sel))
}

// Shorthands for CSS selectors.
var (
	visible = func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	set     = func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.CSS(sel), v) }
	keys    = func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(chromedp.CSS(sel), v) }
)

// text returns the text of the first node matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).textContent`, sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// On every platform with a simulator, the page connects as a new
// contact, sends a message and sees the echo; the inspector shows the
// module that handled it and, where the platform reports them, the
// commands sent.
func TestBrowserEcho(t *testing.T) {
	for _, platform := range playground.Names() {
		t.Run(platform, func(t *testing.T) {
			ctx := browser(t)
			pg := start(t, web.DefaultConfig(platform))
			err := chromedp.Do(ctx,
				chromedp.Navigate(pg.URL()),
				visible(`body[data-ready]`),
				// Where contacts need no accepting, a message written
				// before the bot is up is history it does not replay.
				visible(`#conn.ok`),
				set(`#connect-name`, "alice"),
				click(`#connect-btn`),
				visible(`li[data-person="alice"][data-state="connected"]`),
				click(`li[data-person="alice"]`),
				until(has("#chat-title", "Chat with alice")),
				keys(`#text`, "hello from chromium"),
				click(`#send`),
				until(has("#messages .msg.bot .text", "hello from chromium")),
				click(`#events li[data-handled="echo"]`),
				visible(`#steps`),
			)
			if err != nil {
				t.Fatal(err)
			}
			steps, typed := text(t, ctx, "#steps"), text(t, ctx, "#messages-json")
			if !strings.Contains(steps, "module echo") || !strings.Contains(steps, "dedupe") {
				t.Errorf("steps = %q", steps)
			}
			// The config adapters of tada and virola pass no command
			// observer yet: their page has no command list.
			if platform != "tada" && platform != "virola" {
				if commands := text(t, ctx, "#commands"); !strings.Contains(commands, "ok") {
					t.Errorf("commands = %q", commands)
				}
			}
			if !strings.Contains(typed, "hello from chromium") {
				t.Errorf("messages = %q", typed)
			}
		})
	}
}

// moderationConfig hosts the moderation module beside echo.
const moderationConfig = `
[[bots]]
name = "club-bot"
platform = "simplex"

[bots.simplex]

[bots.auto_accept]
contacts = "all"

[bots.modules.moderation]
banned_words = ["spam"]
action = "remove"

[bots.modules.echo]
`

// Group moderation from the page: alice creates a group with bob and the
// bot; bob's banned word is deleted and bob removed by the bot; alice, the
// owner, then makes carol a moderator with the admin controls.
func TestBrowserModeration(t *testing.T) {
	ctx := browser(t)
	pg := start(t, []byte(moderationConfig))
	err := chromedp.Do(ctx,
		chromedp.Navigate(pg.URL()),
		visible(`body[data-ready]`),
		set(`#connect-name`, "alice"),
		click(`#connect-btn`),
		visible(`li[data-person="alice"][data-state="connected"]`),
		click(`li[data-person="alice"]`),
		set(`#group-name`, "club"),
		set(`#group-members`, "bob, carol"),
		click(`#group-btn`),
		until(`[...document.querySelectorAll('[data-group="club"] .state')].some(e => e.textContent.startsWith("bot: member"))`),
		click(`li[data-member="bob"]`),
		until(has("#chat-title", "Group club")),
		keys(`#text`, "buy spam here"),
		click(`#send`),
		visible(`#messages .msg.deleted[data-from="bob"]`),
		visible(`li[data-member="bob"][data-status="removed"]`),
		// alice, the owner, promotes carol.
		click(`li[data-member="alice"]`),
		until(`[...document.querySelectorAll('#target option')].some(o => o.textContent === "carol")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	handled := text(t, ctx, `#events li[data-handled="moderation"]`)
	carol, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('#target option')].find(o => o.textContent === "carol").value`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		set(`#target`, carol),
		set(`#role`, "moderator"),
		click(`#set-role`),
		until(has(`li[data-member="carol"]`, "carol · moderator")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(handled, "moderation") {
		t.Errorf("inspector row = %q", handled)
	}
}
