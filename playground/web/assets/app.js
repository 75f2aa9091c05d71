// The playground page: it follows /api/stream and redraws the lists; the
// form fields are static, so nothing typed is lost on a redraw.
"use strict";
const $ = (id) => document.getElementById(id);
const el = (tag, attrs, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
};

let state = null;
const sel = { bot: "", chat: "", as: "", event: 0, tab: "events", replyTo: "" };

function bot() {
  if (!state) return null;
  return state.bots.find((b) => b.name === sel.bot) || state.bots[0];
}
function chat() {
  const b = bot();
  return b && b.world.chats.find((c) => c.id === sel.chat);
}
function can(kind) {
  const b = bot();
  return b && b.world.actions.includes(kind);
}

async function post(path, body) {
  $("error").textContent = "";
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) { $("error").textContent = j.error || r.statusText; throw new Error(j.error); }
  return j;
}
const act = (a) => post("/api/do?bot=" + encodeURIComponent(bot().name), a);

function render() {
  const b = bot();
  if (!b) return;
  sel.bot = b.name;
  const w = b.world;
  $("bots").replaceChildren(...state.bots.map((x) => el("button", {
    class: x.name === b.name ? "on" : "", onclick: () => { sel.bot = x.name; sel.chat = ""; render(); },
  }, `${x.name} · ${x.platform}`)));
  const up = w.connections > 0 && b.running;
  $("conn").className = "badge " + (up ? "ok" : "bad");
  $("conn").textContent = up ? `bot connected (${w.connections})` : (b.error ? "bot failed: " + b.error : "bot not connected");
  $("stats").textContent = `handled ${b.stats.Handled} · failed ${b.stats.Failed} · queued ${b.stats.Queued}` +
    (b.restarts ? ` · restarts ${b.restarts}` : "") + ` · modules: ${b.modules.join(", ")}`;
  $("faults").replaceChildren(...w.faults.map((f) => el("button", {
    "data-fault": f.kind, class: f.kind === "delay" && w.delayed ? "on" : "",
    onclick: () => post(`/api/fault?bot=${encodeURIComponent(b.name)}&kind=${f.kind}`),
  }, f.kind === "delay" && w.delayed ? "Stop the delay" : f.label)));

  // People.
  $("people").replaceChildren(...w.people.map((p) => el("li", {
    class: "pick" + (p.chat && p.chat === sel.chat ? " on" : ""), "data-person": p.name, "data-state": p.state,
    onclick: () => { if (p.chat) { sel.chat = p.chat; sel.as = p.id; render(); } },
  }, p.name, el("span", { class: "state" }, p.state))));
  if (!w.people.length) $("people").append(el("li", { class: "hint" }, "nobody yet"));
  $("connect-form").hidden = !can("connect");

  // Groups and their members.
  const groups = w.chats.filter((c) => c.group);
  $("groups").replaceChildren(...groups.map((g) => el("li", {},
    el("div", { class: "pick" + (g.id === sel.chat ? " on" : ""), "data-group": g.name,
      onclick: () => { sel.chat = g.id; const m = g.members.find((m) => m.active); sel.as = m ? m.id : ""; render(); } },
      g.name, el("span", { class: "state" }, `bot: ${g.botState || "?"}${g.botRole ? " (" + g.botRole + ")" : ""}`)),
    el("ul", { class: "members" }, ...g.members.map((m) => el("li", {
      class: "pick" + (m.active ? "" : " gone"), "data-member": m.name, "data-status": m.status || "",
      onclick: () => { sel.chat = g.id; sel.as = m.id; render(); },
    }, `${m.name}${m.role ? " · " + m.role : ""}${m.status && m.status !== "connected" ? " · " + m.status : ""}`))))));
  if (!groups.length) $("groups").append(el("li", { class: "hint" }, "no groups yet"));
  $("group-form").hidden = !can("new_group");

  renderChat(b);
  renderInspector();
}

function renderChat(b) {
  const c = chat();
  $("admin").hidden = !(c && c.group);
  if (!c) {
    $("chat-title").textContent = "No chat selected";
    $("as").replaceChildren();
    return;
  }
  $("chat-title").textContent = (c.group ? "Group " : "Chat with ") + c.name;
  const members = c.members.filter((m) => m.active);
  if (!members.find((m) => m.id === sel.as) && members.length) sel.as = members[0].id;
  $("as").replaceChildren(...members.map((m) => el("option", { value: m.id, selected: m.id === sel.as }, m.name + (m.role ? ` (${m.role})` : ""))));
  const atBottom = $("messages").scrollTop + $("messages").clientHeight >= $("messages").scrollHeight - 20;
  $("messages").replaceChildren(...c.messages.map((m) => msgView(b, c, m)));
  if (atBottom) $("messages").scrollTop = $("messages").scrollHeight;
  if (c.group) {
    $("target").replaceChildren(el("option", { value: "bot" }, `the bot (${c.botRole || "?"})`),
      ...members.map((m) => el("option", { value: m.id, selected: m.id === $("target").dataset.keep }, m.name)));
    if ($("role").options.length !== (b.world.roles || []).length) {
      $("role").replaceChildren(...(b.world.roles || []).map((r) => el("option", { value: r }, r)));
    }
    for (const [id, kind] of [["set-role", "set_role"], ["remove", "remove_member"], ["add-member", "add_member"], ["leave", "leave"]]) {
      $(id).hidden = !can(kind);
    }
    $("role").hidden = !can("set_role");
  }
}

function msgView(b, c, m) {
  const mine = !m.bot && m.from === sel.as;
  const acts = el("div", { class: "acts" });
  if (!m.info && !m.deleted) {
    acts.append(el("button", { type: "button", onclick: () => { sel.replyTo = m.id; $("reply-to").hidden = false; $("reply-to").querySelector("span").textContent = m.text.slice(0, 40); } }, "reply"));
    if (can("react")) {
      for (const e of (b.world.emoji && b.world.emoji.length ? b.world.emoji.slice(0, 3) : ["👍"])) {
        acts.append(el("button", { type: "button", onclick: () => act({ kind: "react", as: sel.as, chat: c.id, item: m.id, emoji: e }) }, e));
      }
    }
    if (mine && can("edit")) acts.append(el("button", { type: "button", onclick: () => {
      const t = prompt("New text", m.text); if (t !== null) act({ kind: "edit", as: sel.as, chat: c.id, item: m.id, text: t });
    } }, "edit"));
    if (mine && can("delete")) acts.append(el("button", { type: "button", class: "del", onclick: () => act({ kind: "delete", as: sel.as, chat: c.id, item: m.id }) }, "delete"));
  }
  const reactions = Object.entries(m.reactions || {}).map(([e, n]) => `${e} ${n}`).join("  ");
  const meta = [m.replyTo ? `↩ #${m.replyTo}` : "", m.file ? `📎 ${m.file}` : "", m.edited ? "edited" : "", m.deleted ? "deleted" : "",
    m.bot && m.status ? m.status : "", reactions].filter(Boolean).join(" · ");
  return el("div", { class: "msg" + (m.bot ? " bot" : "") + (m.info ? " info" : "") + (m.deleted ? " deleted" : ""), "data-id": m.id, "data-from": m.fromName },
    m.info ? null : el("div", { class: "from" }, m.bot ? `${m.fromName} (bot)` : m.fromName),
    el("div", { class: "text" }, m.text),
    meta ? el("div", { class: "meta" }, meta) : null, acts);
}

function renderInspector() {
  for (const t of ["events", "wire", "background"]) $(t).hidden = sel.tab !== t;
  document.querySelectorAll(".tabs button").forEach((bt) => bt.classList.toggle("on", bt.dataset.tab === sel.tab));
  const evs = state.events.slice().reverse();
  $("events").replaceChildren(...evs.map((e) => el("li", {
    class: (e.done ? (e.error ? "failed" : "") : "running") + (e.seq === sel.event ? " on" : ""), "data-type": e.type, "data-handled": e.handled,
    onclick: () => { sel.event = e.seq; renderInspector(); },
  }, `#${e.seq} ${e.bot} ${e.type} ${e.chat || ""} ${e.done ? e.duration : "…"} ${e.handled ? "→ " + e.handled : ""}${e.commands.length ? " · " + e.commands.length + " cmd" : ""}`)));
  if (!evs.length) $("events").append(el("li", { class: "hint" }, "no events yet"));
  $("wire").replaceChildren(...state.frames.slice().reverse().map((f) => el("li", { class: "dir-" + f.dir },
    `#${f.seq} ${f.bot} ${f.kind} ${f.size}B`, el("pre", {}, f.text))));
  $("background").replaceChildren(...state.background.slice().reverse().map((c) => el("li", {},
    `${c.type} `, el("span", { class: "outcome-" + c.outcome }, c.outcome), ` ${c.duration}`)));
  const e = state.events.find((x) => x.seq === sel.event);
  if (!e) { $("detail").replaceChildren(el("p", { class: "hint" }, "Pick an event to inspect it.")); return; }
  $("detail").replaceChildren(
    el("h3", {}, `#${e.seq} ${e.type}`),
    el("p", {}, `Go type ${e.goType} · chat ${e.chat || "(bot lane)"} · ${e.done ? "took " + e.duration : "running"}`),
    e.error ? el("p", { class: "outcome-error" }, "error: " + e.error) : null,
    el("h3", {}, "Handled by"),
    el("ol", { id: "steps" }, ...e.steps.map((s) => el("li", {}, s.name + (s.note ? " — " + s.note : "")))),
    el("h3", {}, "Commands sent"),
    e.commands.length ? el("table", { id: "commands" }, ...e.commands.map((c) => el("tr", {},
      el("td", {}, c.type), el("td", { class: "outcome-" + c.outcome }, c.outcome), el("td", {}, c.duration)))) : el("p", { class: "hint" }, "none"),
    el("h3", {}, "Wire frame"),
    e.frames.length ? el("pre", { id: "frame" }, e.frames.map((f) => f.text).join("\n\n")) : el("p", { class: "hint" }, "no live frame (fetched by catch-up, or made by the platform)"),
    el("h3", {}, "Messages (the cross-platform view)"),
    e.messages ? el("pre", { id: "messages-json" }, e.messages) : el("p", { class: "hint" }, "none"),
    el("h3", {}, "Typed event"),
    el("pre", { id: "typed" }, e.value));
}

// Forms and buttons.
$("connect-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await act({ kind: "connect", name: $("connect-name").value });
});
$("group-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = chat();
  if (!c || c.group) { $("error").textContent = "Select a connected person first: they create the group."; return; }
  const r = await act({ kind: "new_group", as: c.members[0].id, name: $("group-name").value, members: $("group-members").value.split(",") });
  sel.chat = r.id;
});
$("compose").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const c = chat();
  if (!c) return;
  const text = $("text").value;
  await act({ kind: "send", as: sel.as, chat: c.id, text, item: sel.replyTo });
  $("text").value = ""; sel.replyTo = ""; $("reply-to").hidden = true;
});
$("send-file").addEventListener("click", () => {
  const c = chat();
  if (c) act({ kind: "file", as: sel.as, chat: c.id, name: $("text").value || "notes.txt", text: "" });
});
$("reply-cancel").addEventListener("click", () => { sel.replyTo = ""; $("reply-to").hidden = true; });
$("as").addEventListener("change", () => { sel.as = $("as").value; render(); });
$("target").addEventListener("change", () => { $("target").dataset.keep = $("target").value; });
const admin = (kind, extra) => { const c = chat(); if (c) act(Object.assign({ kind, as: sel.as, chat: c.id }, extra)); };
$("set-role").addEventListener("click", () => admin("set_role", { target: $("target").value, role: $("role").value }));
$("remove").addEventListener("click", () => admin("remove_member", { target: $("target").value }));
$("add-member").addEventListener("click", () => admin("add_member", { name: $("new-member").value }));
$("leave").addEventListener("click", () => admin("leave", {}));
document.querySelectorAll(".tabs button").forEach((bt) => bt.addEventListener("click", () => { sel.tab = bt.dataset.tab; renderInspector(); }));

// Follow the server.
const es = new EventSource("/api/stream");
es.addEventListener("state", (ev) => {
  state = normalize(JSON.parse(ev.data));
  render();
  document.body.dataset.ready = "1";
});

// normalize turns the nulls of empty lists into empty lists.
function normalize(st) {
  for (const k of ["bots", "events", "frames", "background"]) st[k] = st[k] || [];
  for (const b of st.bots) {
    b.modules = b.modules || [];
    const w = b.world;
    for (const k of ["people", "chats", "actions", "roles", "emoji", "faults"]) w[k] = w[k] || [];
    for (const c of w.chats) { c.members = c.members || []; c.messages = c.messages || []; }
  }
  for (const e of st.events) { e.steps = e.steps || []; e.commands = e.commands || []; e.frames = e.frames || []; }
  return st;
}
es.onerror = () => { $("conn").className = "badge bad"; $("conn").textContent = "playground unreachable"; };
