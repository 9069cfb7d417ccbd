// The phone desk's model, without the page: the site's help calls from the help topics in any
// order, the PCs' labels, the duty roster. The same rules as admin_console/desk/help_queue.py
// and the wire contract (docs/protocol.md): every message is checked here, a bad one is counted
// and dropped, never shown.

export const PREFIX = "kiosk/v1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const LANG = /^[a-z]{2}$/;
const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;
// Printable: no control characters (C0, DEL, C1) and no line or paragraph separators.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const RANK = { open: 0, claimed: 1, resolved: 2, cancelled: 2, expired: 2 };
export const OUTCOMES = ["solved", "partly", "referred", "left"];
export const MAX_TOPICS = 8;
const MAX_AGE_MS = 2 * 3600 * 1000;

export class Rejected extends Error {}

function printable(value, low, high, what) {
  if (typeof value !== "string") throw new Rejected(`${what} is not text`);
  const text = value.trim();
  if (text.length < low || text.length > high || UNPRINTABLE.test(value)) {
    throw new Rejected(`${what} must be ${low} to ${high} printable characters`);
  }
  return text;
}

function object(payload) {
  let obj;
  try {
    obj = JSON.parse(typeof payload === "string" ? payload : new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    throw new Rejected("bad_json");
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Rejected("not_an_object");
  if (obj.v !== 1) throw new Rejected("bad_version");
  return obj;
}

function only(obj, allowed) {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw new Rejected(`unknown_field ${key}`);
}

function ts(value) {
  if (typeof value !== "string" || !TS.test(value) || Number.isNaN(Date.parse(value))) throw new Rejected("bad ts");
  return Date.parse(value);
}

// kiosk/v1/{site}/{machine}/{channel…} → {site, machine, channel}, or null.
export function parseTopic(topic) {
  const parts = topic.split("/");
  if (parts.length < 5 || `${parts[0]}/${parts[1]}` !== PREFIX || !NAME.test(parts[2])) return null;
  const channel = parts.slice(4).join("/");
  if (parts[3] === "_site") return { site: parts[2], machine: null, channel: `_site/${channel}` };
  if (!NAME.test(parts[3])) return null;
  return { site: parts[2], machine: parts[3], channel };
}

export function decodeHelp(channel, payload) {
  const obj = object(payload);
  const kiosk = channel === "help";
  const allowed = kiosk ? ["open", "cancelled"] : ["claimed", "resolved"];
  if (!allowed.includes(obj.state)) throw new Rejected("bad_state");
  if (typeof obj.request !== "string" || !UUID.test(obj.request)) throw new Rejected("bad request");
  const change = { request: obj.request, state: obj.state, ts: ts(obj.ts) };
  if (kiosk) {
    only(obj, ["v", "request", "state", "ts", "task", "step", "lang"]);
    if (obj.task != null && (typeof obj.task !== "string" || !KEY.test(obj.task))) throw new Rejected("bad task");
    if (obj.step != null && !(Number.isInteger(obj.step) && obj.step >= 0 && obj.step <= 999)) throw new Rejected("bad step");
    if (obj.lang != null && (typeof obj.lang !== "string" || !LANG.test(obj.lang))) throw new Rejected("bad lang");
    change.task = obj.task ?? null;
    change.step = obj.step ?? null;
    change.lang = obj.lang ?? null;
  } else {
    only(obj, ["v", "request", "state", "ts", "buddy", "outcome", "topics"]);
    change.buddy = printable(obj.buddy, 1, 40, "buddy");
    if (obj.state !== "resolved" && (obj.outcome != null || obj.topics != null)) throw new Rejected("outcome with claimed");
    if (obj.outcome != null && !OUTCOMES.includes(obj.outcome)) throw new Rejected("bad outcome");
  }
  return change;
}

export function decodeStatus(payload) {
  const obj = object(payload);
  const states = ["idle", "in_session", "locked", "offline"];
  if (!states.includes(obj.state)) throw new Rejected("bad state");
  const label = obj.label == null ? null : printable(obj.label, 1, 60, "label");
  return { online: obj.state !== "offline", label };
}

export function decodeDuty(payload) {
  const obj = object(payload);
  only(obj, ["v", "ts", "buddies"]);
  if (!Array.isArray(obj.buddies) || obj.buddies.length > 1000) throw new Rejected("bad buddies");
  return obj.buddies.map((item) => {
    if (item === null || typeof item !== "object") throw new Rejected("bad buddy");
    only(item, ["buddy", "since"]);
    return { buddy: printable(item.buddy, 1, 40, "buddy"), since: ts(item.since) };
  });
}

export function decodeQueue(payload) {
  const obj = object(payload);
  only(obj, ["v", "ts", "waiting", "claimed", "on_duty", "next_duty", "off_duty_calls", "handle_s"]);
  if (!Array.isArray(obj.waiting) || obj.waiting.length > 500) throw new Rejected("bad waiting");
  const onDuty = obj.on_duty;
  if (onDuty != null && !(Number.isInteger(onDuty) && onDuty >= 0 && onDuty <= 1000)) throw new Rejected("bad on_duty");
  return { waiting: obj.waiting.length, onDuty: onDuty ?? null, nextDuty: obj.next_duty == null ? null : ts(obj.next_duty) };
}

const same = (a, b) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

export function uuid4() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const isoNow = (now = Date.now()) => new Date(now).toISOString();

// What the desk sends (docs/protocol.md): help/reply, retained; check-in, not retained.
export function replyMessage(site, call, state, buddy, outcome = null, topics = []) {
  const body = { v: 1, request: call.request, state, ts: isoNow(), buddy };
  if (state === "resolved" && outcome) body.outcome = outcome;
  if (state === "resolved" && topics.length) body.topics = topics.slice(0, MAX_TOPICS);
  return { topic: `${PREFIX}/${site}/${call.machine}/help/reply`, payload: JSON.stringify(body), retain: true };
}

export function checkinMessage(site, buddy, state) {
  const body = { v: 1, id: uuid4(), ts: isoNow(), buddy, state };
  return { topic: `${PREFIX}/${site}/_site/checkin`, payload: JSON.stringify(body), retain: false };
}

export function subscriptions(site) {
  return [
    `${PREFIX}/${site}/+/help`,
    `${PREFIX}/${site}/+/help/reply`,
    `${PREFIX}/${site}/+/status`,
    `${PREFIX}/${site}/_site/queue`,
    `${PREFIX}/${site}/_site/duty`,
  ];
}

export class Desk {
  constructor(site, buddy, clock = () => Date.now()) {
    this.site = site;
    this.buddy = buddy;
    this.clock = clock;
    this.calls = new Map();
    this.labels = new Map();
    this.offline = new Set();
    this.roster = null; // null: not heard yet
    this.queue = null;
    this.rejected = 0;
    this.announced = new Set();
    this.withdrawn = [];
  }

  // One MQTT message; true when what the page shows may have changed.
  take(topic, payload) {
    const where = parseTopic(topic);
    if (where === null || where.site !== this.site) {
      this.rejected += 1;
      return false;
    }
    try {
      if (where.channel === "help" || where.channel === "help/reply") {
        return this.apply(where.machine, decodeHelp(where.channel, payload));
      }
      if (where.channel === "status") {
        if (payload.length === 0) return false; // a retained status removed
        const status = decodeStatus(payload);
        if (status.online) this.offline.delete(where.machine);
        else this.offline.add(where.machine);
        if (status.label !== null) this.labels.set(where.machine, status.label);
        return true;
      }
      if (where.channel === "_site/duty") {
        this.roster = decodeDuty(payload);
        return true;
      }
      if (where.channel === "_site/queue") {
        this.queue = decodeQueue(payload);
        return true;
      }
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
    }
    this.rejected += 1;
    return false;
  }

  apply(machine, change) {
    const before = this.calls.get(change.request);
    let call = before;
    if (call === undefined) {
      call = { request: change.request, machine, state: change.state, opened: null, task: null, step: null, lang: null, buddy: null };
    } else if (call.machine !== machine) {
      this.rejected += 1;
      return false; // another PC cannot touch this call
    } else if (RANK[change.state] > RANK[call.state]) {
      call = { ...call, state: change.state };
    } else if (change.state !== "open" && call.buddy !== null) {
      return false;
    } else {
      call = { ...call };
    }
    if (change.state === "open") {
      call.opened = call.opened ?? change.ts;
      call.task = call.task ?? change.task;
      call.step = call.step ?? change.step;
      call.lang = call.lang ?? change.lang;
    } else if (change.state === "claimed" && call.buddy === null) {
      call.buddy = change.buddy;
    }
    if (before && before.state === "claimed" && call.state === "cancelled" && before.buddy && same(before.buddy, this.buddy)) {
      this.withdrawn.push(call); // the buddy was walking over: never dropped silently
    }
    this.calls.set(call.request, call);
    return true;
  }

  active() {
    const now = this.clock();
    return [...this.calls.values()]
      .filter((c) => (c.state === "open" || c.state === "claimed") && c.opened !== null && now - c.opened <= MAX_AGE_MS)
      .sort((a, b) => a.opened - b.opened);
  }

  mine(call) {
    return call.buddy !== null && same(call.buddy, this.buddy);
  }

  label(machine) {
    return this.labels.get(machine) ?? machine;
  }

  onDuty() {
    return this.roster !== null && this.roster.some((b) => same(b.buddy, this.buddy));
  }

  // Open calls nobody was alerted to yet (each once): for the sound and the notification.
  takeNewCalls() {
    const fresh = this.active().filter((c) => c.state === "open" && !this.announced.has(c.request));
    for (const call of fresh) this.announced.add(call.request);
    return fresh;
  }

  takeWithdrawn() {
    const gone = this.withdrawn;
    this.withdrawn = [];
    return gone;
  }
}
