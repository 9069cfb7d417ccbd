"""Wire contract v1 (docs/protocol.md): topics, payload encoding and validation.

Pure Python on purpose: the kiosk, the aggregator, the buddy desk and outside tools all speak
through this one module, and it is tested without Qt, a broker or a database.
Every rejection raises :class:`Rejected` with a short machine-readable reason and a detail
that names fields, never the values a visitor might have typed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

# A C JSON parser for the aggregator's hot path (the plain one is the reference), loaded by the
# first batch decoded: a kiosk never decodes one, and its start does not pay for loading it.
_orjson: Any = None  # the module, False when it is missing, None before the first batch


def _fast_json() -> Any:
    global _orjson
    if _orjson is None:
        try:
            import orjson
        except ImportError:  # pragma: no cover - a dependency; outside tools may lack it
            _orjson = False
        else:
            _orjson = orjson
    return _orjson or None


VERSION = 1
PREFIX = "kiosk/v1"
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_EVENTS_PER_BATCH = 500
MAX_BUDDY_NAME = 40
SHARE_GROUP = "aggregators"

Payload = bytes | bytearray

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
# Only random (v4) UUIDs: a v1 UUID carries the machine's MAC address, an id that outlives
# every session.
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


class Reason(StrEnum):
    """Why a message or an event was refused. Stable: stats and dashboards count by these."""

    BAD_TOPIC = "bad_topic"
    OVERSIZE = "oversize"
    BAD_UTF8 = "bad_utf8"
    BAD_JSON = "bad_json"
    NOT_AN_OBJECT = "not_an_object"
    BAD_VERSION = "bad_version"
    SPOOFED_ORIGIN = "spoofed_origin"
    BAD_BATCH = "bad_batch"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    BAD_FIELD = "bad_field"
    BAD_STATE = "bad_state"


class Rejected(ValueError):
    """A message or event that does not follow the contract."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class Channel(StrEnum):
    """The last part of a kiosk topic: what the message is about."""

    EVENTS = "events"
    STATUS = "status"
    HELP = "help"
    HELP_REPLY = "help/reply"
    CMD = "cmd"
    CMD_ACK = "cmd/ack"


@dataclass(frozen=True)
class Topic:
    """A validated kiosk topic: ``kiosk/v1/{site}/{machine}/{channel}``."""

    site: str
    machine: str
    channel: Channel

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.site):
            raise Rejected(Reason.BAD_TOPIC, "site is not a valid name")
        if not NAME_RE.match(self.machine):
            raise Rejected(Reason.BAD_TOPIC, "machine is not a valid name")

    def __str__(self) -> str:
        return f"{PREFIX}/{self.site}/{self.machine}/{self.channel.value}"

    @classmethod
    def parse(cls, text: str) -> Topic:
        parts = text.split("/")
        if len(parts) < 5 or "/".join(parts[:2]) != PREFIX:
            raise Rejected(Reason.BAD_TOPIC, "not a kiosk/v1 topic")
        try:
            channel = Channel("/".join(parts[4:]))
        except ValueError:
            raise Rejected(Reason.BAD_TOPIC, "unknown channel") from None
        return cls(parts[2], parts[3], channel)


def topic_filter(channel: Channel, site: str = "+", machine: str = "+") -> str:
    """A subscription filter for one channel, all machines of a site or all sites by default."""
    return f"{PREFIX}/{site}/{machine}/{channel.value}"


def shared_filter(channel: Channel, group: str = SHARE_GROUP) -> str:
    """The aggregators' shared subscription, so that several processes split the load."""
    return f"$share/{group}/{topic_filter(channel)}"


# --- time and ids -------------------------------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_ts(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: object, name: str = "ts") -> datetime:
    if not isinstance(text, str) or not TS_RE.match(text):
        raise Rejected(Reason.BAD_FIELD, f"{name} is not an RFC 3339 UTC time ending in Z")
    try:
        return datetime.fromisoformat(text)  # "Z": UTC (Python ≥ 3.11)
    except ValueError:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a real date and time") from None


def new_id() -> str:
    return str(uuid.uuid4())


# --- field checks -------------------------------------------------------------------------------


def _require(obj: Mapping[str, Any], name: str) -> Any:
    if name not in obj:
        raise Rejected(Reason.MISSING_FIELD, f"{name} is missing")
    return obj[name]


def _uuid(value: object, name: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a lower-case random UUID")
    return value


def _key(value: object, name: str) -> str:
    if not isinstance(value, str) or not KEY_RE.match(value):
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a key like 'irisbox-certificate'")
    return value


def _optional_key(value: object, name: str) -> str | None:
    return None if value is None else _key(value, name)


def _lang(value: object, name: str = "lang") -> str:
    if not isinstance(value, str) or not LANG_RE.match(value):
        raise Rejected(Reason.BAD_FIELD, f"{name} is not an ISO 639-1 code")
    return value


def _step(value: object, name: str = "step") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1000:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a step index 0-999")
    return value


def _optional_step(value: object, name: str = "step") -> int | None:
    return None if value is None else _step(value, name)


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a number from {low:g} to {high:g}")
    return float(value)


def _choice(value: object, name: str, choices: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not one of {', '.join(sorted(choices))}")
    return value


def _setting_value(value: object, name: str = "value") -> bool | int | str:
    # A fixed vocabulary keeps free text (and so personal data) out of this field.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and 50 <= value <= 400:
        return value
    if isinstance(value, str) and KEY_RE.match(value):
        return value
    raise Rejected(Reason.BAD_FIELD, f"{name} is not a boolean, a size in percent or a key")


def _only(obj: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    if allowed.issuperset(obj):
        return
    extra = sorted(set(obj) - allowed)
    if extra:
        # Field names come from the sender; cap them so a log line stays a line.
        names = ", ".join(repr(name[:32]) for name in extra[:5])
        raise Rejected(Reason.UNKNOWN_FIELD, f"{what} has fields outside the contract: {names}")


END_REASONS = frozenset({"user", "idle", "time_limit", "admin", "shutdown"})
SETTINGS = frozenset({"text_size", "read_aloud", "contrast"})
MAX_DURATION_S = 7 * 24 * 3600  # _fast_duration has it as a literal, for speed
MAX_PRINT_PAGES = 1000


def _pages(value: object, name: str) -> int:
    if type(value) is not int or not 1 <= value <= MAX_PRINT_PAGES:
        raise Rejected(
            Reason.BAD_FIELD, f"{name} is not a whole number from 1 to {MAX_PRINT_PAGES}"
        )
    return value


# --- the fast twins of the field checks ---------------------------------------------------------
#
# The same checks, for JSON as a parser returns it (exact types, no subclasses), written for
# speed: the value normalised as the contract's check would give it, or _BAD when they are not
# sure. They never raise. See "the fast path for valid batches" below.

_BAD: Any = object()  # a fast check's "no" (None is a valid value)
_UUID = UUID_RE.match
_KEY = KEY_RE.match
_LANG = LANG_RE.match
_TS = TS_RE.match


def _fast_key(v: Any) -> Any:
    return v if type(v) is str and _KEY(v) else _BAD


def _fast_optional_key(v: Any) -> Any:
    return v if v is None or (type(v) is str and _KEY(v)) else _BAD


def _fast_lang(v: Any) -> Any:
    return v if type(v) is str and _LANG(v) else _BAD


def _fast_uuid(v: Any) -> Any:
    return v if type(v) is str and _UUID(v) else _BAD


def _fast_step(v: Any) -> Any:
    return v if type(v) is int and 0 <= v < 1000 else _BAD


def _fast_duration(v: Any) -> Any:
    kind = type(v)
    return float(v) if (kind is float or kind is int) and 0 <= v <= 7 * 24 * 3600 else _BAD


def _fast_reason(v: Any) -> Any:
    return v if type(v) is str and v in END_REASONS else _BAD


def _fast_setting(v: Any) -> Any:
    return v if type(v) is str and v in SETTINGS else _BAD


def _fast_setting_value(v: Any) -> Any:
    kind = type(v)
    if kind is bool or (kind is int and 50 <= v <= 400):
        return v
    return v if kind is str and _KEY(v) else _BAD


# --- the event table ----------------------------------------------------------------------------
#
# Each field of each event type is declared once, as a Field: its check, its fast twin, what it
# holds (for the table in docs/protocol.md, generated by kiosk.wire.protocol_doc) and samples.
# The samples are tests: the contract's check must accept every ``valid`` one and its fast twin
# return the same value; both must refuse every ``invalid`` one (bad_field). The fuzz tests of
# tests/unit/test_protocol.py throw every field's samples at every field. A new event type is
# an EventType of Fields below; everything else here (EVENT_FIELDS, the fast path's tables) and
# the documentation table follow from it.

_Check = Any  # a callable (value, name) -> normalised value, or raises Rejected


@dataclass(frozen=True)
class Field:
    """One field of an event type: its checks (contract and fast twin), its meaning, samples."""

    name: str
    check: Callable[[Any, str], Any]  # the contract: normalised value, or raises Rejected
    fast: Callable[[Any], Any]  # the fast path: the same normalised value, or _BAD; never raises
    about: str  # what it holds and its format (Markdown, for the table in docs/protocol.md)
    valid: tuple[Any, ...]  # samples both accept (the first one is the documented example)
    invalid: tuple[Any, ...]  # samples both refuse: bad_field (a JSON type or a value)


@dataclass(frozen=True)
class EventType:
    """An event type of v1: its own fields (all required; ``None`` only where a check takes it)."""

    name: str
    fields: tuple[Field, ...]
    about: str  # when a kiosk sends it (for the table in docs/protocol.md)
    session_required: bool = False  # True: ``session`` may not be null


def _choices(choices: frozenset[str]) -> str:
    return " \\| ".join(f"`{choice}`" for choice in sorted(choices))


LANG = Field(
    "lang",
    _lang,
    _fast_lang,
    "the visitor's language, ISO 639-1 (`^[a-z]{2}$`)",
    valid=("nl", "fr", "en"),
    invalid=("NL", "nld", "n", "", "n1", 1, None, ["nl"]),
)
END_REASON = Field(
    "reason",
    lambda v, n: _choice(v, n, END_REASONS),
    _fast_reason,
    f"why it ended: {_choices(END_REASONS)}",
    valid=tuple(sorted(END_REASONS)),
    invalid=("bored", "User", "", None, 1, True),
)
DURATION = Field(
    "duration_s",
    lambda v, n: _number(v, n, 0, MAX_DURATION_S),
    _fast_duration,
    f"its length in seconds, a number from 0 to {MAX_DURATION_S}",
    valid=(12.5, 0, 12, MAX_DURATION_S, float(MAX_DURATION_S)),
    invalid=(-0.5, MAX_DURATION_S + 1, True, "12", None, [12]),
)
TASK = Field(
    "task",
    _key,
    _fast_key,
    "a guided task's id (`^[a-z0-9][a-z0-9-]{0,63}$`)",
    valid=("irisbox-certificate", "t", "a" * 64),
    invalid=("Irisbox", "Irisbox!", "-a", "a" * 65, "a_b", "ü", "", None, 3),
)
STEP = Field(
    "step",
    _step,
    _fast_step,
    "the step's index, 0 to 999 (0 is the first)",
    valid=(2, 0, 3, 999),
    invalid=(-1, 1000, True, False, 1.0, "3", None),
)
SITE_KEY = Field(
    "site_key",
    _key,
    _fast_key,
    "the site's key in the allowlist (`^[a-z0-9][a-z0-9-]{0,63}$`); never a URL",
    valid=("irisbox", "myminfin"),
    invalid=("https://irisbox.brussels", "irisbox.brussels", "Irisbox", "", None),
)
REQUEST = Field(
    "request",
    _uuid,
    _fast_uuid,
    "the help request's id (a random UUID): the same as on the `help` topic",
    valid=("6f1c1b6e-5d0a-4c1e-9a55-0b1f6c1d2e3f",),
    invalid=(
        "6F1C1B6E-5D0A-4C1E-9A55-0B1F6C1D2E3F",  # upper case
        "6f1c1b6e-5d0a-1c1e-9a55-0b1f6c1d2e3f",  # v1
        "6f1c1b6e-5d0a-4c1e-7a55-0b1f6c1d2e3f",  # not the RFC variant
        "6f1c1b6e5d0a4c1e9a550b1f6c1d2e3f",
        "",
        None,
    ),
)
HELP_TASK = Field(
    "task",
    _optional_key,
    _fast_optional_key,
    "the guided task the visitor was in (`^[a-z0-9][a-z0-9-]{0,63}$`), or `null`",
    valid=("mypension-check", None, "irisbox-certificate", "t", "a" * 64),
    invalid=("Irisbox", "a" * 65, "", 3, False),
)
SETTING = Field(
    "setting",
    lambda v, n: _choice(v, n, SETTINGS),
    _fast_setting,
    f"what changed: {_choices(SETTINGS)}",
    valid=tuple(sorted(SETTINGS)),
    invalid=("font", "Text_size", "", None, True),
)
SETTING_VALUE = Field(
    "value",
    _setting_value,
    _fast_setting_value,
    "its new value: `true`/`false`, a text size in percent (50 to 400), or a key "
    "(`^[a-z0-9][a-z0-9-]{0,63}$`); never free text",
    valid=(150, True, False, 50, 400, "high"),
    invalid=(49, 401, -1, 1.5, 150.0, "Jan Peeters", "", None, []),
)

PAGES = Field(
    "pages",
    lambda v, n: _pages(v, n),
    lambda v: v if type(v) is int and 1 <= v <= MAX_PRINT_PAGES else _BAD,
    f"sheets printed (pages × copies), a whole number from 1 to {MAX_PRINT_PAGES}",
    valid=(3, 1, MAX_PRINT_PAGES),
    invalid=(0, -1, MAX_PRINT_PAGES + 1, 1.5, True, "3", None),
)
COLOR = Field(
    "color",
    lambda v, n: v if isinstance(v, bool) else _bad(n),
    lambda v: v if type(v) is bool else _BAD,
    "`true` when printed in colour, `false` in black and white",
    valid=(False, True),
    invalid=(0, 1, "true", None),
)

# The skills check (issue 20): one level per DigComp 2.2 area, never an answer; the faces.
SKILL_AREAS = ("information", "communication", "content", "safety", "problems")
SKILL_LEVELS = frozenset({"alone", "with_help", "not_yet"})
FACES = frozenset({"happy", "neutral", "sad"})


def _fast_level(v: Any) -> Any:
    return v if type(v) is str and v in SKILL_LEVELS else _BAD


def _fast_face(v: Any) -> Any:
    return v if type(v) is str and v in FACES else _BAD


_AREA_ABOUT = {
    "information": "browsing, searching and judging information",
    "communication": "communication and collaboration",
    "content": "digital content creation (forms, documents, photos)",
    "safety": "safety (passwords, fake messages)",
    "problems": "problem solving",
}
SKILL_FIELDS = tuple(
    Field(
        area,
        lambda v, n: _choice(v, n, SKILL_LEVELS),
        _fast_level,
        f"the level in DigComp area '{_AREA_ABOUT[area]}': {_choices(SKILL_LEVELS)}",
        valid=("with_help", "alone", "not_yet"),
        invalid=("Alone", "help", "", None, 1, True),
    )
    for area in SKILL_AREAS
)
FACE = Field(
    "face",
    lambda v, n: _choice(v, n, FACES),
    _fast_face,
    f'the face the visitor tapped to "did it work?": {_choices(FACES)}',
    valid=("happy", "neutral", "sad"),
    invalid=("Happy", "smile", "", None, 0, False),
)

EVENTS: tuple[EventType, ...] = (
    EventType(
        "session_started",
        (LANG,),
        "a visitor starts a session (a new session id)",
        session_required=True,
    ),
    EventType(
        "session_ended",
        (END_REASON, DURATION),
        "the session ends (the session id is forgotten)",
        session_required=True,
    ),
    EventType("task_started", (TASK,), "a guided task is opened"),
    EventType("task_step", (TASK, STEP), "a guided task shows a step (step 0 when it opens)"),
    EventType("task_completed", (TASK,), "a guided task's last step is done"),
    EventType("task_abandoned", (TASK, STEP), "a guided task is left before its end"),
    EventType("site_opened", (SITE_KEY,), "a site of the allowlist is opened"),
    EventType("help_requested", (REQUEST, HELP_TASK), "the visitor calls for help"),
    EventType("language_changed", (LANG,), "the visitor picks another language"),
    EventType(
        "accessibility_changed",
        (SETTING, SETTING_VALUE),
        "the visitor changes the text size, reading aloud or the contrast",
    ),
    # v1 extension (issue 19): only the count and the colour; never a title, a file or a site.
    EventType(
        "printed",
        (PAGES, COLOR, HELP_TASK),
        "CUPS accepted a print of the visitor's (`task`: the guided task they were in, or `null`)",
    ),
    # v1 extension (issue 20): sent with `session` null, so that they join no visit's events.
    EventType(
        "skills_checked",
        SKILL_FIELDS,
        "the visitor finished the skills check: one level per area, never an answer",
    ),
    EventType(
        "feedback",
        (FACE, HELP_TASK),
        'the visitor tapped a face when a guided task ended (`task`) or on "I\'m done" (`null`)',
    ),
)

EVENT_TYPES_BY_NAME: dict[str, EventType] = {kind.name: kind for kind in EVENTS}
EVENT_FIELDS: dict[str, dict[str, _Check]] = {
    kind.name: {f.name: f.check for f in kind.fields} for kind in EVENTS
}
EVENT_TYPES = frozenset(EVENT_FIELDS)
_EVENT_COMMON = frozenset({"id", "type", "ts", "session"})
_SESSION_REQUIRED = frozenset(kind.name for kind in EVENTS if kind.session_required)
_EVENT_ALLOWED = {name: _EVENT_COMMON | frozenset(spec) for name, spec in EVENT_FIELDS.items()}


@dataclass(frozen=True)
class Event:
    """One validated event. ``data`` holds the type's own fields, normalised."""

    id: str
    type: str
    ts: datetime
    session: str | None
    data: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "ts": format_ts(self.ts),
            "session": self.session,
            **self.data,
        }


def validate_event(raw: object) -> Event:
    """Check one event of a batch against the table in the contract."""
    if not isinstance(raw, dict):
        raise Rejected(Reason.NOT_AN_OBJECT, "event is not a JSON object")
    event_id = _uuid(_require(raw, "id"), "id")
    event_type = _require(raw, "type")
    if not isinstance(event_type, str) or event_type not in EVENT_FIELDS:
        raise Rejected(Reason.UNKNOWN_EVENT_TYPE, "type is not an event type of v1")
    spec = EVENT_FIELDS[event_type]
    if not _EVENT_ALLOWED[event_type].issuperset(raw):
        _only(raw, _EVENT_ALLOWED[event_type], f"a {event_type} event")
    ts = parse_ts(_require(raw, "ts"))
    session = _require(raw, "session")
    if session is None:
        if event_type in _SESSION_REQUIRED:
            raise Rejected(Reason.BAD_FIELD, f"session is required for {event_type}")
    else:
        session = _uuid(session, "session")
    data = {name: check(_require(raw, name), name) for name, check in spec.items()}
    return Event(event_id, event_type, ts, session, data)


def make_event(event_type: str, session: str | None, **fields: Any) -> Event:
    """Build a new event with a fresh id and the current time, validated like a received one."""
    raw = {"id": new_id(), "type": event_type, "ts": format_ts(utc_now()), "session": session}
    raw.update(fields)
    return validate_event(raw)


# --- payloads -----------------------------------------------------------------------------------


def _dumps(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _load_object(payload: Payload) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Rejected(
            Reason.OVERSIZE, f"payload is {len(payload)} bytes, over {MAX_PAYLOAD_BYTES}"
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(Reason.BAD_UTF8, "payload is not valid UTF-8") from None
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Rejected(Reason.BAD_JSON, "payload is not JSON") from None
    if not isinstance(obj, dict):
        raise Rejected(Reason.NOT_AN_OBJECT, "payload is not a JSON object")
    version = obj.get("v")
    if version != VERSION or isinstance(version, bool):
        raise Rejected(Reason.BAD_VERSION, f"v must be {VERSION}")
    return obj


@dataclass(frozen=True)
class EventRejection:
    reason: Reason
    detail: str
    event_id: str | None


@dataclass(frozen=True)
class EventBatch:
    site: str
    machine: str
    sent: datetime
    events: list[Event]
    rejected: list[EventRejection] = field(default_factory=list)


def encode_event_batch(site: str, machine: str, events: list[Event]) -> bytes:
    if not 1 <= len(events) <= MAX_EVENTS_PER_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_EVENTS_PER_BATCH} events")
    body = {
        "v": VERSION,
        "site": site,
        "machine": machine,
        "sent": format_ts(utc_now()),
        "events": [event.to_wire() for event in events],
    }
    return _dumps(body)


def encode_wire_batch(site: str, machine: str, wire_events: list[str]) -> bytes:
    """Build a batch from events already serialised to JSON (the outbox stores them that way)."""
    if not 1 <= len(wire_events) <= MAX_EVENTS_PER_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_EVENTS_PER_BATCH} events")
    head = _dumps({"v": VERSION, "site": site, "machine": machine, "sent": format_ts(utc_now())})
    return head[:-1] + b',"events":[' + ",".join(wire_events).encode("utf-8") + b"]}"


_BATCH_FIELDS = frozenset({"v", "site", "machine", "sent", "events"})


def decode_event_batch(topic: Topic, payload: Payload) -> EventBatch:
    """Decode a batch. Whole-message faults raise; a faulty event is set aside, the rest kept."""
    orjson = _fast_json()
    if orjson is not None and len(payload) <= MAX_PAYLOAD_BYTES:
        # Fast path: orjson (C) instead of UTF-8 decoding plus ``json``. Its answer counts only
        # when the whole batch is valid; anything else — a parse error (orjson refuses NaN,
        # lone surrogates and integers over 64 bits that ``json`` takes), a refusal, a faulty
        # event — is decided again by the reference path below, so every rejection keeps its
        # reason and detail. A valid batch holds only short strings, small numbers, booleans
        # and nulls three levels deep, which both parsers read alike.
        try:
            obj = orjson.loads(payload)
            if type(obj) is dict:
                # Faster still: the batch and its events checked in one go (_fast_batch), for
                # the common case of a wholly valid batch; None means "not sure", and the
                # contract's own checks below decide.
                fast = _fast_batch(topic, obj)
                if fast is not None:
                    return fast
            version = obj.get("v") if isinstance(obj, dict) else None
            if version == VERSION and not isinstance(version, bool):
                batch = _event_batch(topic, obj)
                if not batch.rejected:
                    return batch
        except (orjson.JSONDecodeError, Rejected):
            pass
    return _event_batch(topic, _load_object(payload))


def _event_batch(topic: Topic, obj: dict[str, Any]) -> EventBatch:
    _only(obj, _BATCH_FIELDS, "the batch")
    if obj.get("site") != topic.site or obj.get("machine") != topic.machine:
        raise Rejected(Reason.SPOOFED_ORIGIN, "site/machine in the payload differ from the topic")
    sent = parse_ts(_require(obj, "sent"), "sent")
    raw_events = _require(obj, "events")
    if not isinstance(raw_events, list) or not 1 <= len(raw_events) <= MAX_EVENTS_PER_BATCH:
        raise Rejected(Reason.BAD_BATCH, f"events must be a list of 1 to {MAX_EVENTS_PER_BATCH}")
    events: list[Event] = []
    rejected: list[EventRejection] = []
    seen: set[str] = set()
    for raw in raw_events:
        try:
            event = validate_event(raw)
        except Rejected as err:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            safe_id = raw_id if isinstance(raw_id, str) and UUID_RE.match(raw_id) else None
            rejected.append(EventRejection(err.reason, err.detail, safe_id))
            continue
        if event.id not in seen:
            seen.add(event.id)
            events.append(event)
    return EventBatch(topic.site, topic.machine, sent, events, rejected)


# --- the fast path for valid batches -----------------------------------------------------------
#
# The same checks as validate_event and _event_batch, for JSON as a parser returns it (exact
# types, no subclasses), written for speed. They only ever *accept*: anything they do not take,
# or are not sure about (a missing or extra field, 1.0 for 1, a bad time, …), goes back to the
# contract's checks above, which decide the outcome and the reason. So the fast path may refuse
# more than the contract, never less, and what it accepts it returns exactly as the contract
# would (tests/unit/test_protocol.py compares both on valid and mutated payloads).

_TS_CACHE: dict[str, datetime] = {}  # valid times already parsed (a batch's sent is its ts)


def _fast_ts(text: object) -> Any:
    if type(text) is not str:
        return _BAD
    moment = _TS_CACHE.get(text)
    if moment is None:
        if not _TS(text):
            return _BAD
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return _BAD
        if len(_TS_CACHE) >= 4096:
            _TS_CACHE.clear()
        _TS_CACHE[text] = moment
    return moment


# Per type: the exact field names of a valid event (all present, none else), the checks.
_FAST_EVENTS: dict[str, tuple[frozenset[str], tuple[tuple[str, Any], ...]]] = {
    kind.name: (_EVENT_ALLOWED[kind.name], tuple((f.name, f.fast) for f in kind.fields))
    for kind in EVENTS
}
_BATCH_KEYS = frozenset({"v", "site", "machine", "sent", "events"})


def _fast_event(raw: object) -> Event | None:
    """The event when it is valid and the fast checks are sure of it, else None."""
    if type(raw) is not dict:
        return None
    event_type = raw.get("type")
    if type(event_type) is not str or event_type not in _FAST_EVENTS:
        return None
    names, checks = _FAST_EVENTS[event_type]
    if raw.keys() != names:
        return None
    event_id = raw["id"]
    if type(event_id) is not str or not _UUID(event_id):
        return None
    ts = _fast_ts(raw["ts"])
    if ts is _BAD:
        return None
    session = raw["session"]
    if session is None:
        if event_type in _SESSION_REQUIRED:
            return None
    elif type(session) is not str or not _UUID(session):
        return None
    data = {}
    for name, check in checks:
        value = check(raw[name])
        if value is _BAD:
            return None
        data[name] = value
    return Event(event_id, event_type, ts, session, data)


def _fast_batch(topic: Topic, obj: dict[str, Any]) -> EventBatch | None:
    """The batch when it and all its events are valid and the fast checks are sure, else None."""
    if obj.keys() != _BATCH_KEYS:
        return None
    version = obj["v"]
    if type(version) is not int or version != VERSION:
        return None
    if obj["site"] != topic.site or obj["machine"] != topic.machine:
        return None
    sent = _fast_ts(obj["sent"])
    raw_events = obj["events"]
    if sent is _BAD or type(raw_events) is not list:
        return None
    if len(raw_events) == 1:  # the common case: one event a message
        event = _fast_event(raw_events[0])
        if event is None:
            return None
        return EventBatch(topic.site, topic.machine, sent, [event])
    if not 1 <= len(raw_events) <= MAX_EVENTS_PER_BATCH:
        return None
    events: list[Event] = []
    seen: set[str] = set()
    for raw in raw_events:
        event = _fast_event(raw)
        if event is None:
            return None
        if event.id not in seen:
            seen.add(event.id)
            events.append(event)
    return EventBatch(topic.site, topic.machine, sent, events)


# --- status -------------------------------------------------------------------------------------

MACHINE_STATES = frozenset({"idle", "in_session", "locked", "offline"})
# kiosk.printing.cups_cli.PrinterProblem's values, and "ok" (a test keeps them equal).
PRINTER_STATES = frozenset({"ok", "missing", "stopped", "no_paper", "offline", "jammed", "other"})


@dataclass(frozen=True)
class Status:
    state: str
    ts: datetime | None
    figures: dict[str, Any]


_STATUS_FIELDS: dict[str, _Check] = {
    "version": lambda v, n: v if isinstance(v, str) and len(v) <= 32 else _bad(n),
    "session_s": lambda v, n: None if v is None else _number(v, n, 0, 7 * 24 * 3600),
    "cpu_pct": lambda v, n: _number(v, n, 0, 100),
    "mem_pct": lambda v, n: _number(v, n, 0, 100),
    "disk_pct": lambda v, n: _number(v, n, 0, 100),
    "uptime_s": lambda v, n: _number(v, n, 0, 10**10),
    "lang": lambda v, n: None if v is None else _lang(v, n),
    # v1 extension: task files the kiosk left out because they are broken (0 when all load).
    "content_problems": lambda v, n: _number(v, n, 0, 10_000),
    # v1 extension (issue 19): the printer's state, for the fleet view; null: no printer.
    "printer": lambda v, n: None if v is None else _choice(v, n, PRINTER_STATES),
    # v1 extension: the name people in the room use for this PC ("PC 3 — bij het raam").
    "label": lambda v, n: None if v is None else pc_label(v, n),
    # v1 extension (issue 21): messages in the kiosk's outbox not yet taken by its broker (its
    # events wait there while the room's line to the centre is down); the fleet view sums a
    # room's to show what is still on its way.
    "waiting": lambda v, n: (
        v if type(v) is int and 0 <= v <= 10**9 else _bad(n)  # a count: no bool, no 1.5
    ),
}

MAX_LABEL = 60


def pc_label(value: object, name: str = "label") -> str:
    """A PC's label: 1 to 60 printable characters (it names a place, never a person)."""
    if (
        not isinstance(value, str)
        or not 1 <= len(value.strip()) <= MAX_LABEL
        or not value.isprintable()
    ):
        raise Rejected(Reason.BAD_FIELD, f"{name} must be 1 to {MAX_LABEL} printable characters")
    return value.strip()


def _bad(name: str) -> Any:
    raise Rejected(Reason.BAD_FIELD, f"{name} has the wrong type or size")


def encode_status(state: str, **figures: Any) -> bytes:
    """A status said now: with its ``ts``, by which the aggregator keeps the newest one (also
    the goodbye ``offline``)."""
    body: dict[str, Any] = {"v": VERSION, "state": state, "ts": format_ts(utc_now())}
    body.update(figures)
    decode_status(_dumps(body))  # never send what we would refuse
    return _dumps(body)


def encode_will() -> bytes:
    """The status the broker publishes for a kiosk that vanished: set at connect, so no time."""
    return _dumps({"v": VERSION, "state": "offline"})


def decode_status(payload: Payload) -> Status:
    obj = _load_object(payload)
    _only(obj, frozenset({"v", "state", "ts"}) | frozenset(_STATUS_FIELDS), "the status")
    state = _choice(_require(obj, "state"), "state", MACHINE_STATES)
    ts = parse_ts(obj["ts"]) if "ts" in obj else None
    figures = {
        name: check(obj[name], name) for name, check in _STATUS_FIELDS.items() if name in obj
    }
    return Status(state, ts, figures)


# --- help requests ------------------------------------------------------------------------------


class HelpState(StrEnum):
    """A help request's state; a member equals its wire string (``HelpState.OPEN == "open"``)."""

    OPEN = "open"  # a kiosk called
    CLAIMED = "claimed"  # a buddy said they are coming
    RESOLVED = "resolved"  # the buddy closed it
    CANCELLED = "cancelled"  # the kiosk withdrew it (the visitor, or the visit ended)
    EXPIRED = "expired"  # nobody answered in time (set by the aggregator, never sent)


HELP_STATES = tuple(HelpState)
KIOSK_HELP_STATES = frozenset({HelpState.OPEN, HelpState.CANCELLED})
BUDDY_HELP_STATES = frozenset({HelpState.CLAIMED, HelpState.RESOLVED})
# How far along its life a request is; a state never moves back, whatever order messages arrive in.
HELP_RANK = {
    HelpState.OPEN: 0,
    HelpState.CLAIMED: 1,
    HelpState.RESOLVED: 2,
    HelpState.CANCELLED: 2,
    HelpState.EXPIRED: 2,
}


def help_advances(current: str | None, new: str) -> bool:
    """True when ``new`` moves a request forward; the first final state wins."""
    return current is None or HELP_RANK[HelpState(new)] > HELP_RANK[HelpState(current)]


# How a buddy closed a call (v1 extension, with ``resolved`` only); no free text about a visitor.
class HelpOutcome(StrEnum):
    SOLVED = "solved"  # the visitor can go on alone
    PARTLY = "partly"  # part of it is done
    REFERRED = "referred"  # sent to a partner (OCMW/CPAS desk, Digipunt, a course)
    LEFT = "left"  # the visitor had gone when the buddy came


HELP_OUTCOMES = frozenset(HelpOutcome)


MAX_TOPICS = 8


@dataclass(frozen=True)
class HelpChange:
    request: str
    state: HelpState
    ts: datetime
    task: str | None = None
    step: int | None = None
    lang: str | None = None
    buddy: str | None = None
    outcome: HelpOutcome | None = None  # resolved only
    topics: tuple[str, ...] = ()  # resolved only: keys from the site's short list


def _buddy_name(value: object, name: str = "buddy") -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value.strip()) <= MAX_BUDDY_NAME
        or not value.isprintable()
    ):
        raise Rejected(
            Reason.BAD_FIELD, f"{name} must be 1 to {MAX_BUDDY_NAME} printable characters"
        )
    return value.strip()


def encode_help(change: HelpChange) -> bytes:
    body: dict[str, Any] = {
        "v": VERSION,
        "request": change.request,
        "state": change.state,
        "ts": format_ts(change.ts),
    }
    if change.state in KIOSK_HELP_STATES:
        body.update(task=change.task, step=change.step, lang=change.lang)
    else:
        body["buddy"] = change.buddy
        if change.outcome is not None:  # only then: a reply without one is as before
            body["outcome"] = change.outcome
        if change.topics:
            body["topics"] = list(change.topics)
    return _dumps(body)


def _topics(value: object, name: str = "topics") -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_TOPICS:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a list of at most {MAX_TOPICS} keys")
    keys = tuple(dict.fromkeys(_key(item, name) for item in value))
    return keys


def decode_help(channel: Channel, payload: Payload) -> HelpChange:
    """A help change from a kiosk (``help``) or a buddy desk (``help/reply``)."""
    obj = _load_object(payload)
    allowed = KIOSK_HELP_STATES if channel is Channel.HELP else BUDDY_HELP_STATES
    state = _require(obj, "state")
    if not isinstance(state, str) or state not in allowed:  # a list or an object: not hashable
        sender = "a kiosk" if channel is Channel.HELP else "a buddy desk"
        raise Rejected(Reason.BAD_STATE, f"{sender} may only send {', '.join(sorted(allowed))}")
    request = _uuid(_require(obj, "request"), "request")
    ts = parse_ts(_require(obj, "ts"))
    if channel is Channel.HELP:
        _only(obj, frozenset({"v", "request", "state", "ts", "task", "step", "lang"}), "help")
        return HelpChange(
            request,
            HelpState(state),
            ts,
            task=_optional_key(obj.get("task"), "task"),
            step=_optional_step(obj.get("step")),
            lang=None if obj.get("lang") is None else _lang(obj["lang"]),
        )
    _only(
        obj,
        frozenset({"v", "request", "state", "ts", "buddy", "outcome", "topics"}),
        "help reply",
    )
    outcome = obj.get("outcome")
    topics = obj.get("topics")
    if state != HelpState.RESOLVED and (outcome is not None or topics is not None):
        raise Rejected(Reason.BAD_FIELD, "outcome and topics go with resolved only")
    return HelpChange(
        request,
        HelpState(state),
        ts,
        buddy=_buddy_name(_require(obj, "buddy")),
        outcome=None
        if outcome is None
        else HelpOutcome(_choice(outcome, "outcome", HELP_OUTCOMES)),
        topics=() if topics is None else _topics(topics),
    )


# --- site channels (v1 extension): the queue, who is on duty, check-in ------------------------
#
# Topics ``kiosk/v1/{site}/_site/{channel}``: ``_site`` can never be a machine's name (names have
# no underscore), so these never mix with one PC's topics and ``+/+/help`` filters never see them.

SITE_SEGMENT = "_site"
MAX_QUEUE = 500
MAX_ETA_S = 24 * 3600
OFF_DUTY_CALLS = frozenset({"staff", "none"})
DUTY_STATES = frozenset({"in", "out"})


class SiteChannel(StrEnum):
    QUEUE = "queue"  # the queue keeper → the site's kiosks and desks, retained
    DUTY = "duty"  # the queue keeper → the site's desks and consoles, retained
    CHECKIN = "checkin"  # a buddy desk or console → the queue keeper and the aggregator


@dataclass(frozen=True)
class SiteTopic:
    """A validated site topic: ``kiosk/v1/{site}/_site/{channel}``."""

    site: str
    channel: SiteChannel

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.site):
            raise Rejected(Reason.BAD_TOPIC, "site is not a valid name")

    def __str__(self) -> str:
        return f"{PREFIX}/{self.site}/{SITE_SEGMENT}/{self.channel.value}"

    @classmethod
    def parse(cls, text: str) -> SiteTopic:
        parts = text.split("/")
        if len(parts) != 5 or "/".join(parts[:2]) != PREFIX or parts[3] != SITE_SEGMENT:
            raise Rejected(Reason.BAD_TOPIC, "not a kiosk/v1 site topic")
        try:
            channel = SiteChannel(parts[4])
        except ValueError:
            raise Rejected(Reason.BAD_TOPIC, "unknown site channel") from None
        return cls(parts[2], channel)


def site_topic_filter(channel: SiteChannel, site: str = "+") -> str:
    return f"{PREFIX}/{site}/{SITE_SEGMENT}/{channel.value}"


def is_site_topic(text: str) -> bool:
    parts = text.split("/", 4)
    return len(parts) == 5 and parts[3] == SITE_SEGMENT


# Where a room broker's bridge says whether its line to the centre is up: Mosquitto's
# notification, "1" or "0", retained, on both brokers. Outside ``kiosk/v1``: Mosquitto writes
# it, not a kiosk, and the aggregator, which reads ``kiosk/v1/#`` and checks every message
# against the contract, would count it as malformed. docs/broker.md, "Seeing a site cut off".
BRIDGE_STATE_PREFIX = "bridges"


def bridge_state_topic(site: str) -> str:
    return f"{BRIDGE_STATE_PREFIX}/{site}/state"


def bridge_site(topic: str) -> str:
    """The site of a bridge notification topic (``bridges/SITE/state``); Rejected otherwise."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != BRIDGE_STATE_PREFIX or parts[2] != "state":
        raise Rejected(Reason.BAD_TOPIC, "not a bridge state topic")
    if not NAME_RE.match(parts[1]):
        raise Rejected(Reason.BAD_TOPIC, "site is not a valid name")
    return parts[1]


def bridge_payload(payload: bytes | bytearray) -> bytes:
    """Mosquitto's notification: ``1`` (up) or ``0`` (down); Rejected otherwise."""
    text = bytes(payload).strip()
    if text not in (b"0", b"1"):
        raise Rejected(Reason.BAD_STATE, "a bridge state is 1 or 0")
    return text


@dataclass(frozen=True)
class QueuePlace:
    request: str
    eta_s: int  # the estimated wait from now, in seconds


@dataclass(frozen=True)
class SiteQueue:
    """The site's help queue as the queue keeper sees it, for the kiosks' "U bent de tweede".

    ``waiting``: the open calls, oldest first (claimed ones are not waiting any more).
    ``on_duty``: buddies checked in, or None when the site keeps no permanences (then nobody
    is ever told "no buddy now"). ``next_duty``: when the next permanence starts, if nobody is
    on duty and the rota has one in the coming week. ``off_duty_calls``: where a call goes when
    nobody is on duty: ``staff`` (the site's staff answer) or ``none`` (the kiosk does not
    offer the call). ``handle_s``: the time a buddy needs per call that the estimates use.
    """

    ts: datetime
    waiting: tuple[QueuePlace, ...] = ()
    claimed: int = 0
    on_duty: int | None = None
    next_duty: datetime | None = None
    off_duty_calls: str = "staff"
    handle_s: int = 300

    def place_of(self, request: str) -> tuple[int, int] | None:
        """(1-based place, estimated wait in seconds) of a waiting call; None if not waiting."""
        for index, place in enumerate(self.waiting):
            if place.request == request:
                return index + 1, place.eta_s
        return None

    @property
    def nobody_on_duty(self) -> bool:
        return self.on_duty == 0


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected(Reason.BAD_FIELD, f"{name} is not a whole number from {low} to {high}")
    return value


def encode_queue(queue: SiteQueue) -> bytes:
    body: dict[str, Any] = {
        "v": VERSION,
        "ts": format_ts(queue.ts),
        "waiting": [{"request": p.request, "eta_s": p.eta_s} for p in queue.waiting],
        "claimed": queue.claimed,
        "on_duty": queue.on_duty,
        "next_duty": None if queue.next_duty is None else format_ts(queue.next_duty),
        "off_duty_calls": queue.off_duty_calls,
        "handle_s": queue.handle_s,
    }
    decode_queue(_dumps(body))  # never send what we would refuse
    return _dumps(body)


_QUEUE_FIELDS = frozenset(
    {"v", "ts", "waiting", "claimed", "on_duty", "next_duty", "off_duty_calls", "handle_s"}
)


def decode_queue(payload: Payload) -> SiteQueue:
    obj = _load_object(payload)
    _only(obj, _QUEUE_FIELDS, "the queue")
    waiting = _require(obj, "waiting")
    if not isinstance(waiting, list) or len(waiting) > MAX_QUEUE:
        raise Rejected(Reason.BAD_FIELD, f"waiting is not a list of at most {MAX_QUEUE} calls")
    places = []
    for item in waiting:
        if not isinstance(item, dict):
            raise Rejected(Reason.BAD_FIELD, "a waiting call is not an object")
        _only(item, frozenset({"request", "eta_s"}), "a waiting call")
        places.append(
            QueuePlace(
                _uuid(_require(item, "request"), "request"),
                _whole(_require(item, "eta_s"), "eta_s", 0, MAX_ETA_S),
            )
        )
    on_duty = obj.get("on_duty")
    next_duty = obj.get("next_duty")
    return SiteQueue(
        ts=parse_ts(_require(obj, "ts")),
        waiting=tuple(places),
        claimed=_whole(obj.get("claimed", 0), "claimed", 0, MAX_QUEUE),
        on_duty=None if on_duty is None else _whole(on_duty, "on_duty", 0, 1000),
        next_duty=None if next_duty is None else parse_ts(next_duty, "next_duty"),
        off_duty_calls=_choice(
            obj.get("off_duty_calls", "staff"), "off_duty_calls", OFF_DUTY_CALLS
        ),
        handle_s=_whole(obj.get("handle_s", 300), "handle_s", 0, MAX_ETA_S),
    )


@dataclass(frozen=True)
class OnDuty:
    buddy: str
    since: datetime


@dataclass(frozen=True)
class DutyRoster:
    """Who is checked in at a site now (names of volunteers: desks and consoles only)."""

    ts: datetime
    buddies: tuple[OnDuty, ...] = ()

    def has(self, buddy: str) -> OnDuty | None:
        wanted = buddy.strip().casefold()
        return next((b for b in self.buddies if b.buddy.casefold() == wanted), None)


def encode_duty(roster: DutyRoster) -> bytes:
    body = {
        "v": VERSION,
        "ts": format_ts(roster.ts),
        "buddies": [{"buddy": b.buddy, "since": format_ts(b.since)} for b in roster.buddies],
    }
    decode_duty(_dumps(body))
    return _dumps(body)


def decode_duty(payload: Payload) -> DutyRoster:
    obj = _load_object(payload)
    _only(obj, frozenset({"v", "ts", "buddies"}), "the duty roster")
    buddies = _require(obj, "buddies")
    if not isinstance(buddies, list) or len(buddies) > 1000:
        raise Rejected(Reason.BAD_FIELD, "buddies is not a list of at most 1000")
    on_duty = []
    for item in buddies:
        if not isinstance(item, dict):
            raise Rejected(Reason.BAD_FIELD, "a buddy on duty is not an object")
        _only(item, frozenset({"buddy", "since"}), "a buddy on duty")
        on_duty.append(
            OnDuty(_buddy_name(_require(item, "buddy")), parse_ts(_require(item, "since"), "since"))
        )
    return DutyRoster(parse_ts(_require(obj, "ts")), tuple(on_duty))


@dataclass(frozen=True)
class CheckIn:
    """A buddy starts (``in``) or ends (``out``) a permanence. ``id`` makes it idempotent."""

    id: str
    ts: datetime
    buddy: str
    state: str


def encode_checkin(checkin: CheckIn) -> bytes:
    body = {
        "v": VERSION,
        "id": checkin.id,
        "ts": format_ts(checkin.ts),
        "buddy": checkin.buddy,
        "state": checkin.state,
    }
    decode_checkin(_dumps(body))
    return _dumps(body)


def decode_checkin(payload: Payload) -> CheckIn:
    obj = _load_object(payload)
    _only(obj, frozenset({"v", "id", "ts", "buddy", "state"}), "the check-in")
    return CheckIn(
        _uuid(_require(obj, "id"), "id"),
        parse_ts(_require(obj, "ts")),
        _buddy_name(_require(obj, "buddy")),
        _choice(_require(obj, "state"), "state", DUTY_STATES),
    )


# --- commands -----------------------------------------------------------------------------------

COMMANDS = frozenset(
    {"announce", "end_session", "lock", "unlock", "reload_content", "ping", "set_label"}
)


@dataclass(frozen=True)
class Command:
    id: str
    ts: datetime
    cmd: str
    args: dict[str, Any]


@dataclass(frozen=True)
class CommandAck:
    id: str
    ts: datetime
    ok: bool
    error: str | None
    reason: str | None = None  # why it was refused, one of REFUSAL_REASONS (or None)


# Why a kiosk refused a command, as a code a console can put in its own words (the `error`
# text beside it is the kiosk's English, for logs and older consoles).
REFUSAL_REASONS = frozenset({"unsupported", "bad_args"})


def encode_command(cmd: str, args: dict[str, Any] | None = None, command_id: str = "") -> bytes:
    body = {
        "v": VERSION,
        "id": command_id or new_id(),
        "ts": format_ts(utc_now()),
        "cmd": cmd,
        "args": args or {},
    }
    decode_command(_dumps(body))
    return _dumps(body)


def decode_command(payload: Payload) -> Command:
    obj = _load_object(payload)
    _only(obj, frozenset({"v", "id", "ts", "cmd", "args"}), "the command")
    args = obj.get("args", {})
    if not isinstance(args, dict):
        raise Rejected(Reason.BAD_FIELD, "args is not an object")
    return Command(
        _uuid(_require(obj, "id"), "id"),
        parse_ts(_require(obj, "ts")),
        _choice(_require(obj, "cmd"), "cmd", COMMANDS),
        args,
    )


def encode_ack(
    command_id: str, ok: bool, error: str | None = None, reason: str | None = None
) -> bytes:
    body: dict[str, Any] = {
        "v": VERSION,
        "id": command_id,
        "ts": format_ts(utc_now()),
        "ok": ok,
        "error": error,
    }
    if reason is not None:  # only then: a result without a reason is byte for byte as before
        body["reason"] = _choice(reason, "reason", REFUSAL_REASONS)
    return _dumps(body)


def decode_ack(payload: Payload) -> CommandAck:
    obj = _load_object(payload)
    _only(obj, frozenset({"v", "id", "ts", "ok", "error", "reason"}), "the command result")
    ok = _require(obj, "ok")
    if not isinstance(ok, bool):
        raise Rejected(Reason.BAD_FIELD, "ok is not true or false")
    error = obj.get("error")
    if error is not None and (not isinstance(error, str) or len(error) > 200):
        raise Rejected(Reason.BAD_FIELD, "error is not a short text")
    reason = obj.get("reason")
    if reason is not None:
        reason = _choice(reason, "reason", REFUSAL_REASONS)
    return CommandAck(
        _uuid(_require(obj, "id"), "id"), parse_ts(_require(obj, "ts")), ok, error, reason
    )
