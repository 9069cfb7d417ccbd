// The buddy desk on the buddy's phone: MQTT over secure WebSockets to the site's Mosquitto,
// with the buddy's phone credential (the rights of the Qt desk). No framework: a small view
// drawn from the model after every change. Every text from the network reaches the page
// through textContent only (never innerHTML), so it can never become markup.

import mqtt from "mqtt";
import { Desk, OUTCOMES, MAX_TOPICS, checkinMessage, replyMessage, subscriptions } from "./model.js";
import { LANGUAGES, WORDS, pickLanguage } from "./i18n.js";

const STORE_KEY = "phone-desk-credential";
const LANG_KEY = "phone-desk-lang";
const REFUSED = new Set([4, 5, 134, 135]); // CONNACK: bad user name or password, not authorised

const state = {
  lang: pickLanguage(localStorage.getItem(LANG_KEY), navigator.languages),
  facts: { broker: null, tasks: {}, topics: {}, default_topics: [], languages: {} },
  credential: null,
  connection: "login", // login | connecting | online | offline
  subscribed: false,
  everConnected: false,
  message: null, // a sentence for the login screen
  view: "desk", // desk | resolve | last-out
  resolving: null,
  outcome: null,
  topics: new Set(),
  notices: [],
  desk: null,
  client: null,
  enrolling: false,
};

const t = () => WORDS[state.lang];

// --- the DOM, by construction -----------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const button = (text, onclick, cls = "primary", extra = {}) =>
  el("button", { type: "button", class: cls, onclick, ...extra }, text);

// --- credential storage: only when the buddy chooses "remember this phone" ------------------

function loadCredential() {
  for (const store of [localStorage, sessionStorage]) {
    try {
      const found = JSON.parse(store.getItem(STORE_KEY) || "null");
      if (found && typeof found.username === "string" && typeof found.password === "string") return found;
    } catch {
      store.removeItem(STORE_KEY);
    }
  }
  return null;
}

function saveCredential(credential, remember) {
  forgetCredential();
  // Not remembered: this tab only, gone when it closes. Remembered: until "forget this phone".
  (remember ? localStorage : sessionStorage).setItem(STORE_KEY, JSON.stringify(credential));
}

function forgetCredential() {
  localStorage.removeItem(STORE_KEY);
  sessionStorage.removeItem(STORE_KEY);
}

function siteOf(username) {
  const parts = username.split(".");
  return parts.length === 3 && (parts[0] === "phone" || parts[0] === "buddy") ? parts[1] : null;
}

// --- MQTT -------------------------------------------------------------------------------------

function connect(credential) {
  const site = credential.site || siteOf(credential.username);
  state.credential = credential;
  state.desk = new Desk(site, credential.name);
  state.connection = "connecting";
  state.subscribed = false;
  state.view = "desk";
  const url = credential.broker || state.facts.broker;
  const client = mqtt.connect(url, {
    username: credential.username,
    password: credential.password,
    clientId: credential.username, // the broker uses the username anyway (one identity)
    protocolVersion: 4,
    clean: true,
    keepalive: 15, // a dead link is noticed within ~20 s
    reconnectPeriod: 2000,
    connectTimeout: 8000,
    resubscribe: false,
    timerVariant: "native", // its default runs timers in a blob: worker, which the CSP forbids
  });
  state.client = client;
  client.on("connect", () => {
    state.everConnected = true;
    state.connection = "online";
    client.subscribe(subscriptions(site), { qos: 1 }, () => {
      state.subscribed = true;
      render();
    });
    render();
  });
  client.on("message", (topic, payload) => {
    if (state.desk.take(topic, payload)) afterChange();
  });
  const down = () => {
    if (state.client !== client || state.connection === "login") return;
    state.connection = "offline";
    state.subscribed = false;
    render();
  };
  client.on("close", down);
  client.on("offline", down);
  client.on("error", (err) => {
    if (!REFUSED.has(err && err.code)) return; // network errors: MQTT.js tries again by itself
    const wasLive = state.everConnected;
    stop();
    forgetCredential();
    state.message = wasLive ? t().revoked : t().refused;
    state.connection = "login";
    render();
  });
  render();
}

function stop() {
  const client = state.client;
  state.client = null;
  if (client) client.end(true);
}

function publish(message) {
  if (!state.client || state.connection !== "online") return;
  state.client.publish(message.topic, message.payload, { qos: 1, retain: message.retain });
}

// --- alerts: sound, vibration, a system notification while the page is in the background -----

let audio = null;

function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio && audio.state === "suspended") audio.resume();
}

function chime() {
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime;
  for (const [offset, freq] of [[0, 880], [0.22, 660]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.21);
  }
}

async function notify(call) {
  if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker?.getRegistration();
  if (!registration) return;
  const { task } = describe(call);
  registration.showNotification(t().new_call(state.desk.label(call.machine)), {
    body: task,
    tag: call.request,
    renotify: true,
    icon: "icon.svg",
  });
}

function afterChange() {
  const desk = state.desk;
  const fresh = state.subscribed ? desk.takeNewCalls() : [];
  if (!state.subscribed) desk.takeNewCalls(); // retained calls on (re)connect: no alarm storm
  if (fresh.length) {
    chime();
    navigator.vibrate?.([300, 150, 300]);
    for (const call of fresh) notify(call);
  }
  for (const call of desk.takeWithdrawn()) {
    state.notices.push(t().withdrawn(desk.label(call.machine)));
    chime();
    navigator.vibrate?.([600]);
  }
  if (state.resolving && !desk.active().some((c) => c.request === state.resolving.request)) {
    state.view = "desk";
    state.resolving = null;
  }
  render();
}

// --- words for a call -------------------------------------------------------------------------

function describe(call) {
  const w = t();
  const task = call.task ? state.facts.tasks[call.task] : null;
  const title = call.task ? (task ? task.title[state.lang] : call.task) : w.task_free;
  let step = null;
  if (call.step !== null) {
    const total = task ? task.steps.length : null;
    const stepTitle = task && task.steps[call.step] ? task.steps[call.step][state.lang] : null;
    step = w.step(call.step + 1, total) + (stepTitle ? `${w.colon}${stepTitle}` : "");
  }
  let language = null;
  if (call.lang) {
    const names = state.facts.languages[call.lang];
    language = w.speaks(names ? names[state.lang] : call.lang.toUpperCase());
  }
  const minutes = Math.floor(Math.max(0, Date.now() - call.opened) / 60000);
  return { task: title, step, language, wait: w.waits(minutes) };
}

// --- the views --------------------------------------------------------------------------------

function languageSwitch() {
  return el(
    "nav",
    { class: "langs", "aria-label": t().language },
    LANGUAGES.map((code) =>
      button(code.toUpperCase(), () => {
        state.lang = code;
        localStorage.setItem(LANG_KEY, code);
        render();
      }, "lang", { "aria-pressed": String(code === state.lang), lang: code }),
    ),
  );
}

function loginView() {
  const w = t();
  if (state.enrolling) return el("main", { id: "main" }, el("p", { class: "big", role: "status", text: w.enrolling }));
  const form = el(
    "form",
    {
      class: "login",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const credential = {
          username: String(data.get("username")).trim(),
          password: String(data.get("password")),
          name: String(data.get("name")).trim(),
        };
        credential.site = siteOf(credential.username);
        if (!credential.site || !credential.name) return;
        unlockAudio();
        saveCredential(credential, data.get("remember") === "on");
        state.message = null;
        connect(credential);
      },
    },
    el("label", { for: "username" }, w.username),
    el("input", { id: "username", name: "username", autocomplete: "username", required: true, autocapitalize: "off" }),
    el("label", { for: "password" }, w.password),
    el("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    el("label", { for: "name" }, w.your_name),
    el("input", { id: "name", name: "name", maxlength: "40", required: true }),
    el("div", { class: "check" },
      el("input", { id: "remember", name: "remember", type: "checkbox", "aria-describedby": "remember-help" }),
      el("label", { for: "remember" }, w.remember)),
    el("p", { id: "remember-help", class: "help", text: w.remember_help }),
    el("button", { type: "submit", class: "primary" }, w.login),
  );
  return el(
    "main",
    { id: "main" },
    el("h1", { text: w.login_title }),
    state.message ? el("p", { class: "alert", role: "alert", text: state.message }) : null,
    el("p", { text: w.login_help }),
    form,
  );
}

function callCard(call) {
  const w = t();
  const desk = state.desk;
  const words = describe(call);
  const pc = desk.label(call.machine);
  let action;
  if (call.state === "open") {
    action = button(w.claim, () => {
      unlockAudio();
      publish(replyMessage(desk.site, call, "claimed", desk.buddy));
    }, "primary", { "aria-label": `${w.claim}${w.colon}${pc}` });
  } else if (desk.mine(call)) {
    action = el("div", { class: "row" },
      el("p", { class: "mine", text: w.you_coming }),
      button(w.resolve, () => {
        state.view = "resolve";
        state.resolving = call;
        state.outcome = null;
        state.topics = new Set();
        render();
      }, "primary", { "aria-label": `${w.resolve}${w.colon}${pc}` }));
  } else {
    action = el("p", { class: "other", text: w.coming(call.buddy) });
  }
  return el(
    "li",
    { class: `call ${call.state}`, "data-request": call.request },
    el("h3", {}, pc, desk.offline.has(call.machine) ? el("span", { class: "tag", text: ` (${w.pc_offline})` }) : null),
    el("p", { class: "task", text: words.task }),
    words.step ? el("p", { text: words.step }) : null,
    el("p", { class: "meta" }, [words.language, words.wait].filter(Boolean).join(" · ")),
    action,
  );
}

function dutyBlock() {
  const w = t();
  const desk = state.desk;
  if (desk.roster === null) return null;
  const names = desk.roster.map((b) => b.buddy).join(", ");
  const mine = desk.onDuty();
  return el(
    "section",
    { class: "duty", "aria-labelledby": "duty-title" },
    el("h2", { id: "duty-title", text: w.on_duty }),
    el("p", { text: names || w.nobody_on_duty }),
    button(mine ? w.check_out : w.check_in, () => {
      unlockAudio();
      const waiting = desk.active().filter((c) => c.state === "open").length;
      if (mine && waiting > 0 && desk.roster.length === 1) {
        state.view = "last-out";
        render();
        return;
      }
      publish(checkinMessage(desk.site, desk.buddy, mine ? "out" : "in"));
    }, mine ? "secondary" : "primary"),
  );
}

function alertsButton() {
  const w = t();
  if (!("Notification" in window) || !navigator.serviceWorker) return null;
  if (Notification.permission === "granted") return el("p", { class: "help", text: w.alerts_ready });
  if (Notification.permission === "denied") return el("p", { class: "help", text: w.alerts_blocked });
  return button(w.alerts_on, async () => {
    unlockAudio();
    await Notification.requestPermission();
    render();
  }, "secondary");
}

function deskView() {
  const w = t();
  const desk = state.desk;
  const online = state.connection === "online" && state.subscribed;
  const calls = desk.active();
  const banner =
    state.connection === "online"
      ? null
      : el("div", { class: "offline", role: "alert" },
          el("p", { class: "big", text: state.connection === "connecting" ? w.connecting : w.offline }),
          el("p", { text: w.offline_help }));
  let list;
  if (!online) list = null; // no false all-clear while disconnected
  else if (calls.length === 0) list = el("p", { class: "big empty", role: "status", text: w.nobody });
  else list = el("ul", { class: "calls" }, calls.map(callCard));
  return el(
    "main",
    { id: "main" },
    banner,
    state.notices.map((text, index) =>
      el("div", { class: "notice", role: "alert" }, el("p", { text }),
        button(w.ok, () => { state.notices.splice(index, 1); render(); }, "secondary"))),
    el("h2", { class: "count", "aria-live": "polite" }, online ? w.calls(calls.length) : ""),
    list,
    online ? dutyBlock() : null, // a roster heard before the break may be stale
    el("footer", {}, alertsButton(),
      button(w.forget, () => {
        stop();
        forgetCredential();
        state.connection = "login";
        state.message = w.forgotten;
        render();
      }, "link")),
  );
}

function resolveView() {
  const w = t();
  const desk = state.desk;
  const call = state.resolving;
  const topics = state.facts.topics[desk.site] || state.facts.default_topics;
  return el(
    "main",
    { id: "main" },
    el("h1", { text: `${w.close_call}${w.colon}${desk.label(call.machine)}` }),
    el("h2", { id: "outcome-title", text: w.how_went }),
    el("div", { class: "choices", role: "group", "aria-labelledby": "outcome-title" },
      OUTCOMES.map((key) => button(w.outcome[key], () => { state.outcome = key; render(); },
        "choice", { "aria-pressed": String(state.outcome === key) }))),
    el("h2", { id: "topics-title", text: w.about }),
    el("div", { class: "choices topics", role: "group", "aria-labelledby": "topics-title" },
      topics.map((key) => button(w.topic[key] || key, () => {
        if (state.topics.has(key)) state.topics.delete(key);
        else if (state.topics.size < MAX_TOPICS) state.topics.add(key);
        render();
      }, "choice", { "aria-pressed": String(state.topics.has(key)) }))),
    el("div", { class: "row" },
      button(w.back, () => { state.view = "desk"; state.resolving = null; render(); }, "secondary"),
      button(w.close_call, () => {
        publish(replyMessage(desk.site, call, "resolved", desk.buddy, state.outcome, [...state.topics]));
        state.view = "desk";
        state.resolving = null;
        render();
      }, "primary", { disabled: state.outcome === null })),
  );
}

function lastOutView() {
  const w = t();
  const desk = state.desk;
  const waiting = desk.active().filter((c) => c.state === "open").length;
  return el(
    "main",
    { id: "main" },
    el("p", { class: "big", role: "alert", text: w.last_out(waiting) }),
    el("div", { class: "row" },
      button(w.back, () => { state.view = "desk"; render(); }, "secondary"),
      button(w.yes_stop, () => {
        publish(checkinMessage(desk.site, desk.buddy, "out"));
        state.view = "desk";
        render();
      }, "primary")),
  );
}

function render() {
  const w = t();
  document.documentElement.lang = state.lang;
  document.title = w.title;
  const view =
    state.connection === "login" || !state.desk
      ? loginView()
      : state.view === "resolve" && state.resolving
        ? resolveView()
        : state.view === "last-out"
          ? lastOutView()
          : deskView();
  const header = el("header", {},
    el("p", { class: "brand" }, w.title, state.desk && state.connection !== "login" ? ` · ${state.desk.buddy}` : ""),
    languageSwitch());
  document.body.dataset.connection = state.connection;
  document.body.dataset.rejected = String(state.desk ? state.desk.rejected : 0);
  const focused = focusKey(document.activeElement);
  document.body.replaceChildren(header, view);
  const again = focused && findByFocusKey(focused);
  if (again) again.focus(); // a redraw (every 15 s, each message) never takes the focus away
}

// What the focused control is, in words that survive a redraw: its id, or its call and label.
function focusKey(node) {
  if (!node || node === document.body || !node.tagName) return null;
  if (node.id) return `#${node.id}`;
  const card = node.closest("li.call[data-request]");
  const label = node.getAttribute("aria-label") || node.textContent;
  return `${card ? card.dataset.request : ""}|${node.tagName}|${label}`;
}

function findByFocusKey(key) {
  if (key.startsWith("#")) return document.getElementById(key.slice(1));
  for (const node of document.querySelectorAll("button, a, input, select")) {
    if (focusKey(node) === key) return node;
  }
  return null;
}

// --- start ------------------------------------------------------------------------------------

async function enrol(token) {
  state.enrolling = true;
  render();
  try {
    const answer = await fetch("enrol", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
      cache: "no-store",
    });
    if (!answer.ok) throw new Error(String(answer.status));
    const credential = await answer.json();
    state.enrolling = false;
    // A phone enrolled by its coordinator is the buddy's own: remembered until forgotten.
    saveCredential(credential, true);
    connect(credential);
  } catch {
    state.enrolling = false;
    state.message = t().enrol_failed;
    render();
  }
}

function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("enrol");
  if (token) history.replaceState(null, "", location.pathname); // out of the address bar
  return token;
}

async function start() {
  try {
    const answer = await fetch("desk.json", { cache: "no-cache" });
    if (answer.ok) state.facts = await answer.json();
  } catch {
    // offline start from the service worker's copy: words fall back to keys
  }
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  setInterval(() => state.connection !== "login" && state.view === "desk" && render(), 15000);
  // A link opened while the page is already open changes only the fragment.
  window.addEventListener("hashchange", () => {
    const token = takeToken();
    if (token) {
      stop();
      enrol(token);
    }
  });
  const token = takeToken();
  if (token) {
    await enrol(token);
    return;
  }
  const credential = loadCredential();
  if (credential) connect(credential);
  else render();
}

start();
