"""The wire contract: what is accepted, and the named reason for everything that is not."""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.wire import protocol as p

TOPIC = p.Topic("schaerbeek", "pc-03", p.Channel.EVENTS)
SESSION = str(uuid.uuid4())


def event(**overrides: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "type": "session_started",
        "ts": "2026-11-22T10:14:59.001Z",
        "session": SESSION,
        "lang": "nl",
    }
    raw.update(overrides)
    return {k: v for k, v in raw.items() if v is not ...}


def batch(*events: dict[str, object], **overrides: object) -> bytes:
    body: dict[str, object] = {
        "v": 1,
        "site": "schaerbeek",
        "machine": "pc-03",
        "sent": "2026-11-22T10:15:00.123Z",
        "events": list(events),
    }
    body.update(overrides)
    return json.dumps(body).encode()


def reason_of(payload: bytes, topic: p.Topic = TOPIC) -> str:
    with pytest.raises(p.Rejected) as caught:
        p.decode_event_batch(topic, payload)
    return caught.value.reason.value


def test_topics_build_and_parse() -> None:
    topic = p.Topic.parse("kiosk/v1/schaerbeek/pc-03/help/reply")
    assert (topic.site, topic.machine, topic.channel) == (
        "schaerbeek",
        "pc-03",
        p.Channel.HELP_REPLY,
    )
    assert str(topic) == "kiosk/v1/schaerbeek/pc-03/help/reply"
    assert p.shared_filter(p.Channel.EVENTS) == "$share/aggregators/kiosk/v1/+/+/events"
    assert p.topic_filter(p.Channel.HELP, "evere") == "kiosk/v1/evere/+/help"


@pytest.mark.parametrize(
    "text",
    [
        "kiosk/v2/a/b/events",
        "kiosk/v1/a/b",
        "kiosk/v1/A/b/events",
        "kiosk/v1/a/b/whatever",
        "kiosk/v1/-a/b/events",
        "kiosk/v1/a/" + "x" * 33 + "/events",
        "other/v1/a/b/events",
    ],
)
def test_bad_topics_are_named(text: str) -> None:
    with pytest.raises(p.Rejected) as caught:
        p.Topic.parse(text)
    assert caught.value.reason is p.Reason.BAD_TOPIC


def test_a_valid_batch_round_trips() -> None:
    events = [
        p.make_event("session_started", SESSION, lang="fr"),
        p.make_event("task_step", SESSION, task="mypension-check", step=2),
        p.make_event("help_requested", SESSION, request=p.new_id(), task=None),
        p.make_event("accessibility_changed", SESSION, setting="text_size", value=150),
        p.make_event("session_ended", SESSION, reason="idle", duration_s=301.5),
    ]
    decoded = p.decode_event_batch(TOPIC, p.encode_event_batch("schaerbeek", "pc-03", events))
    assert [e.type for e in decoded.events] == [e.type for e in events]
    assert decoded.events[1].data == {"task": "mypension-check", "step": 2}
    assert decoded.rejected == []


def test_wire_batch_from_stored_json_is_the_same_as_from_events() -> None:
    events = [p.make_event("task_started", SESSION, task="gmail-create")]
    stored = [json.dumps(e.to_wire()) for e in events]
    decoded = p.decode_event_batch(TOPIC, p.encode_wire_batch("schaerbeek", "pc-03", stored))
    assert decoded.events == events


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "bad_json"),
        (b"\xff\xfe{}", "bad_utf8"),
        (b"[1, 2]", "not_an_object"),
        (b'{"v": 2}', "bad_version"),
        (b'{"v": true}', "bad_version"),
        (b"x" * (p.MAX_PAYLOAD_BYTES + 1), "oversize"),
        (batch(event(), site="evere"), "spoofed_origin"),
        (batch(event(), machine="pc-04"), "spoofed_origin"),
        (batch(), "bad_batch"),
        (batch(*[event() for _ in range(501)]), "bad_batch"),
        (batch(event(), sent="yesterday"), "bad_field"),
        (batch(event(), extra="x"), "unknown_field"),
    ],
)
def test_whole_message_rejections_name_their_reason(payload: bytes, reason: str) -> None:
    assert reason_of(payload) == reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (event(type="keystroke"), "unknown_event_type"),
        (event(name="Jan Peeters"), "unknown_field"),
        (event(url="https://example.org/?q=secret"), "unknown_field"),
        (event(id="6F1C0000-0000-4000-8000-000000000000"), "bad_field"),
        (event(id=str(uuid.uuid1())), "bad_field"),
        (event(session=None), "bad_field"),
        (event(ts="2026-11-22 10:14:59"), "bad_field"),
        (event(ts="2026-02-30T10:00:00Z"), "bad_field"),
        (event(lang="dutch"), "bad_field"),
        (event(lang=...), "missing_field"),
        (event(type="task_step", lang=..., task="Irisbox!", step=1), "bad_field"),
        (event(type="task_step", lang=..., task="irisbox", step=-1), "bad_field"),
        (event(type="task_step", lang=..., task="irisbox", step=True), "bad_field"),
        (event(type="site_opened", lang=..., site_key="https://irisbox.brussels"), "bad_field"),
        (event(type="session_ended", lang=..., reason="bored", duration_s=3), "bad_field"),
        (
            event(type="accessibility_changed", lang=..., setting="text_size", value="Jan"),
            "bad_field",
        ),
        ("not an object", "not_an_object"),
    ],
)
def test_a_bad_event_is_set_aside_and_the_rest_kept(raw: object, reason: str) -> None:
    good = event()
    decoded = p.decode_event_batch(TOPIC, batch(good, raw))  # type: ignore[arg-type]
    assert [e.id for e in decoded.events] == [good["id"]]
    assert [r.reason.value for r in decoded.rejected] == [reason]


def test_rejection_details_never_echo_values() -> None:
    decoded = p.decode_event_batch(TOPIC, batch(event(lang="Jan Peeters woont hier")))
    assert "Jan" not in decoded.rejected[0].detail


def test_the_same_event_twice_in_a_batch_is_kept_once() -> None:
    same = event()
    assert len(p.decode_event_batch(TOPIC, batch(same, same)).events) == 1


def test_help_states_depend_on_who_sends() -> None:
    request = p.new_id()
    opened = p.encode_help(p.HelpChange(request, "open", p.utc_now(), "irisbox", 1, "fr"))
    claimed = p.encode_help(p.HelpChange(request, "claimed", p.utc_now(), buddy="Sara"))
    assert p.decode_help(p.Channel.HELP, opened).task == "irisbox"
    assert p.decode_help(p.Channel.HELP_REPLY, claimed).buddy == "Sara"
    for channel, payload in ((p.Channel.HELP_REPLY, opened), (p.Channel.HELP, claimed)):
        with pytest.raises(p.Rejected) as caught:
            p.decode_help(channel, payload)
        assert caught.value.reason is p.Reason.BAD_STATE


def test_a_help_state_that_is_not_a_string_is_rejected_not_a_crash() -> None:
    body = {"v": 1, "request": p.new_id(), "ts": "2026-11-22T10:15:00Z", "buddy": "Sara"}
    for channel in (p.Channel.HELP, p.Channel.HELP_REPLY):
        for bad in ([1], {"a": 1}, None, 3):
            with pytest.raises(p.Rejected) as caught:
                p.decode_help(channel, json.dumps({**body, "state": bad}).encode())
            assert caught.value.reason is p.Reason.BAD_STATE


def test_help_states_are_an_enum_equal_to_their_wire_strings() -> None:
    request = p.new_id()
    change = p.decode_help(
        p.Channel.HELP_REPLY,
        p.encode_help(p.HelpChange(request, p.HelpState.CLAIMED, p.utc_now(), buddy="Sara")),
    )
    assert change.state is p.HelpState.CLAIMED and change.state == "claimed"
    assert b'"state":"claimed"' in p.encode_help(change).replace(b" ", b"")
    assert [str(s) for s in p.HELP_STATES] == [
        "open",
        "claimed",
        "resolved",
        "cancelled",
        "expired",
    ]


def test_a_buddy_name_must_be_short_and_printable() -> None:
    body = {"v": 1, "request": p.new_id(), "state": "claimed", "ts": "2026-11-22T10:15:00Z"}
    for bad in ("", "x" * 41, "Sara\n<script>", 7):
        with pytest.raises(p.Rejected):
            p.decode_help(p.Channel.HELP_REPLY, json.dumps({**body, "buddy": bad}).encode())


def test_help_only_moves_forward() -> None:
    assert p.help_advances(None, "claimed")
    assert p.help_advances("open", "claimed")
    assert p.help_advances("claimed", "resolved")
    assert not p.help_advances("resolved", "claimed")
    assert not p.help_advances("cancelled", "resolved")


def test_status_and_will() -> None:
    status = p.decode_status(
        p.encode_status(
            "idle",
            cpu_pct=12.5,
            mem_pct=40,
            disk_pct=70.2,
            uptime_s=100,
            version="0.1.0",
            session_s=None,
            lang="nl",
        )
    )
    assert status.state == "idle" and status.figures["cpu_pct"] == 12.5
    assert p.decode_status(b'{"v":1,"state":"offline"}').state == "offline"
    with pytest.raises(p.Rejected):
        p.decode_status(b'{"v":1,"state":"sleeping"}')
    with pytest.raises(p.Rejected):
        p.decode_status(b'{"v":1,"state":"idle","cpu_pct":250}')


def test_commands_and_acks() -> None:
    command = p.decode_command(p.encode_command("ping"))
    assert command.cmd == "ping"
    ack = p.decode_ack(p.encode_ack(command.id, False, "not here"))
    assert (ack.ok, ack.error, ack.reason) == (False, "not here", None)
    assert b"reason" not in p.encode_ack(command.id, False, "not here")  # as before v1.1
    for reason in sorted(p.REFUSAL_REASONS):
        assert p.decode_ack(p.encode_ack(command.id, False, "x", reason)).reason == reason
    with pytest.raises(p.Rejected):
        p.encode_ack(command.id, False, "x", "because")
    body = json.loads(p.encode_ack(command.id, False, "x", "unsupported"))
    for bad in ("because", 3, ["unsupported"]):
        with pytest.raises(p.Rejected):
            p.decode_ack(json.dumps({**body, "reason": bad}).encode())
    with pytest.raises(p.Rejected):
        p.decode_command(
            json.dumps(
                {
                    "v": 1,
                    "id": p.new_id(),
                    "ts": "2026-11-22T10:15:00Z",
                    "cmd": "format_disk",
                    "args": {},
                }
            ).encode()
        )


_FIELD_NAMES = sorted({f.name for kind in p.EVENTS for f in kind.fields})

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_payload_is_accepted_or_rejected_with_a_reason(payload: bytes) -> None:
    for decode in (
        lambda: p.decode_event_batch(TOPIC, payload),
        lambda: p.decode_help(p.Channel.HELP, payload),
        lambda: p.decode_status(payload),
        lambda: p.decode_command(payload),
    ):
        try:
            decode()
        except p.Rejected as err:
            assert err.reason in p.Reason


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["id", "type", "ts", "session", *_FIELD_NAMES, "x"]),
        json_values,
        max_size=7,
    )
)
def test_any_event_object_is_accepted_or_rejected_with_a_reason(raw: dict[str, object]) -> None:
    decoded = p.decode_event_batch(TOPIC, batch(raw))
    assert len(decoded.events) + len(decoded.rejected) == 1


def _both_paths(payload: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """decode_event_batch with orjson (fast path) and without (the reference ``json`` path)."""

    def outcome() -> object:
        try:
            return p.decode_event_batch(TOPIC, payload)
        except p.Rejected as err:
            return (err.reason, err.detail)

    fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(p, "_orjson", False)  # as without orjson
        reference = outcome()
    return fast, reference


TRICKY = [
    batch(event(), v=1.0),
    batch(event(), v=True),
    batch(event(step=3, type="task_step", task="t", lang=...)),
    batch(event(type="session_ended", reason="user", duration_s=12.5, lang=...)),
    batch(event()).replace(b'"nl"', b'"\\ud800"'),  # lone surrogate: json takes it, orjson not
    batch(event(type="session_ended", reason="user", duration_s=12.5, lang=...)).replace(
        b"12.5", b"NaN"
    ),
    batch(event(type="task_step", task="t", step=3, lang=...)).replace(b"3}", b"1e400}"),
    batch(event(type="task_step", task="t", step=3, lang=...)).replace(b"3}", b"2" * 30 + b"}"),
    batch(event(type="task_step", task="t", step=3, lang=...)).replace(
        b"3}", b"18446744073709551616}"
    ),
    b"\xef\xbb\xbf" + batch(event()),
    batch(event()) + b"\x00",
    batch(event(x=[[[[[]]]]])),
    batch(event(), extra=[[]] * 3),
    b'{"v":1,"site":"schaerbeek","machine":"pc-03","sent":"2026-11-22T10:15:00.123Z","events":'
    + b"[" * 1010
    + b"]" * 1010
    + b"}",
    batch(event(), event(id="not-a-uuid")),
    batch(event()).replace(b'"v": 1', b'"v": 1, "v": 2'),
    batch(event()).replace(b"schaerbeek", b"sch\xc3aerbeek", 1),
]


@pytest.mark.parametrize("payload", TRICKY)
def test_the_fast_json_path_decides_like_the_reference(
    payload: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = _both_paths(payload, monkeypatch)
    assert fast == reference


def _event_of(kind: str, name: str, value: object) -> dict[str, object]:
    """A valid event of ``kind`` (its fields' first samples) with the field ``name`` set."""
    raw = event(type=kind, lang=...)
    raw.update({f.name: f.valid[0] for f in p.EVENT_TYPES_BY_NAME[kind].fields})
    raw[name] = value
    return raw


_EVERY_FIELD = [(kind.name, f.name) for kind in p.EVENTS for f in kind.fields]


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | json_values.map(lambda v: batch(event(task=v, type="task_started", lang=...)))
    | json_values.map(
        lambda v: batch(event(duration_s=v, reason="idle", type="session_ended", lang=...))
    )
    | st.tuples(st.sampled_from(_EVERY_FIELD), json_values).map(
        lambda pair: batch(_event_of(pair[0][0], pair[0][1], pair[1]))
    )
)
def test_any_payload_decodes_alike_on_both_json_paths(payload: bytes) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, reference = _both_paths(payload, monkeypatch)
    assert fast == reference


# --- the fast validation path (protocol._fast_batch) against the contract's checks --------------

# Values that are not a field's own: the envelope's (times, names, types), JSON's edges. Every
# declared field's samples (protocol.EVENTS: valid and invalid) join them below, so each field is
# tried with the boundaries of every other one, and a new field is tested without a line here.
_OTHER_VALUES: list[object] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    7,
    49,
    50,
    150,
    400,
    401,
    999,
    1000,
    1.0,
    0.0,
    -0.0,
    3.0,
    12.5,
    604800,
    604800.0,
    604801,
    -0.5,
    2**63,
    2**64,
    float("inf"),
    float("nan"),
    "",
    "fr\n",
    "x",
    "a" * 32,
    "a-",
    "\ud800",
    "2026-11-22T10:14:59.001Z",
    "2026-11-22T10:14:59Z",
    "2026-02-30T10:14:59Z",
    "2026-11-22T10:14:59Z\n",
    "2026-11-22T24:00:00Z",
    "2026-11-22T10:14:59.1234567Z",
    "2026-11-22 10:14:59Z",
    "2026-11-22T10:14:59+00:00",
    "2026-11-22T10:14:59.000000Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "schaerbeek",
    "pc-03",
    [],
    {},
    {"lang": "nl"},
]
_DECLARED = [(kind, f) for kind in p.EVENTS for f in kind.fields]


def _unique(values: list[object]) -> list[object]:
    """Each value once, by repr: 1, 1.0 and True are different values on the wire."""
    seen: dict[str, object] = {}
    for value in values:
        seen.setdefault(repr(value), value)
    return list(seen.values())


_VALUES: list[object] = _unique(
    [
        *_OTHER_VALUES,
        *(v for _kind, f in _DECLARED for v in (*f.valid, *f.invalid)),
        *sorted(p.EVENT_FIELDS),
    ]
)
_UUIDS = [  # for the envelope's ids (id, session); a UUID field declares its own samples
    "6f1c1b6e-5d0a-4c1e-9a55-0b1f6c1d2e3f",
    "6F1C1B6E-5D0A-4C1E-9A55-0B1F6C1D2E3F",
    "6f1c1b6e-5d0a-1c1e-9a55-0b1f6c1d2e3f",  # v1
    "6f1c1b6e-5d0a-4c1e-7a55-0b1f6c1d2e3f",  # not the RFC variant
    "6f1c1b6e-5d0a-4c1e-9a55-0b1f6c1d2e3f\n",
    "6f1c1b6e5d0a4c1e9a550b1f6c1d2e3f",
]
_FIELDS = sorted({f.name for _kind, f in _DECLARED} | {"x", "v"})
_ID_FIELDS = sorted({f.name for _kind, f in _DECLARED if f.check is p._uuid})


def _valid_event(rng: random.Random, kind: str = "") -> dict[str, object]:
    kind = kind or rng.choice(sorted(p.EVENT_FIELDS))
    raw: dict[str, object] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "type": kind,
        "ts": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        + rng.choice(["", ".1", ".123", ".123456"])
        + "Z",
        "session": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }
    declared = p.EVENT_TYPES_BY_NAME[kind]
    for f in declared.fields:
        raw[f.name] = rng.choice(f.valid)
    if not declared.session_required and rng.random() < 0.2:
        raw["session"] = None
    return raw


def _mutate_event(raw: dict[str, object], rng: random.Random) -> dict[str, object]:
    raw = dict(raw)
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        op = rng.random()
        if op < 0.15 and raw:
            del raw[rng.choice(sorted(raw))]
        elif op < 0.3:
            raw[rng.choice(["id", "session", *_ID_FIELDS])] = rng.choice(_UUIDS)
        elif op < 0.4:
            raw["type"] = rng.choice([*sorted(p.EVENT_FIELDS), "nope", 1, None])
        elif op < 0.7 and raw:  # a field of its own: the boundaries of its checks
            raw[rng.choice(sorted(raw))] = rng.choice(_VALUES)
        else:
            name = rng.choice(["id", "ts", "session", "type", *_FIELDS])
            raw[name] = rng.choice(_VALUES)
    return raw


def _payload(rng: random.Random) -> bytes:
    events = [_valid_event(rng) for _ in range(rng.choice([1, 1, 1, 1, 2, 3]))]
    if rng.random() < 0.6:
        i = rng.randrange(len(events))
        events[i] = _mutate_event(events[i], rng)
    if rng.random() < 0.05:
        events.append(events[0])  # the same event twice
    body: dict[str, object] = {
        "v": 1,
        "site": "schaerbeek",
        "machine": "pc-03",
        "sent": "2026-11-22T10:15:00.123Z",
        "events": events,
    }
    if rng.random() < 0.15:
        name = rng.choice(["v", "site", "machine", "sent", "events", "x"])
        if rng.random() < 0.3:
            body.pop(name, None)
        else:
            body[name] = rng.choice([*_VALUES, [], [1], events * 200])
    text = json.dumps(body, separators=rng.choice([(",", ":"), (", ", ": ")]))
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:  # a byte changed, added or taken out
        i = rng.randrange(len(data))
        b = bytes([rng.randrange(256)])
        data = rng.choice(
            [data[:i] + b + data[i + 1 :], data[:i] + b + data[i:], data[:i] + data[i + 1 :]]
        )
    return data


def _outcome(decode: Callable[..., object], *args: object) -> str:
    try:
        return repr(decode(*args))
    except p.Rejected as err:
        return repr((err.reason, err.detail))


def _reference(payload: bytes) -> p.EventBatch:
    return p._event_batch(TOPIC, p._load_object(payload))


def test_the_fast_checks_accept_only_what_the_contract_accepts_and_alike() -> None:
    """repr, not ==: 1 == 1.0 == True, but a stored value must keep its type."""
    rng = random.Random(5)
    runs = int(os.environ.get("PROTOCOL_FUZZ_RUNS", "10000"))
    fast_taken = events_taken = 0
    for _ in range(runs):
        payload = _payload(rng)
        with pytest.MonkeyPatch.context() as patch:
            reference = _outcome(_reference, payload)
            fast = _outcome(p.decode_event_batch, TOPIC, payload)
            patch.setattr(p, "_orjson", False)  # as without orjson
            assert _outcome(p.decode_event_batch, TOPIC, payload) == reference
        assert fast == reference, payload
        try:
            obj = json.loads(payload)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict) and p._fast_batch(TOPIC, obj) is not None:
            fast_taken += 1
        raws = obj.get("events") if isinstance(obj, dict) else None
        for raw in raws if isinstance(raws, list) else []:
            quick = p._fast_event(raw)
            if quick is not None:
                events_taken += 1
                assert repr(quick) == _outcome(p.validate_event, raw), raw
    # The comparison means something only if the fast path took a good share.
    assert fast_taken > runs * 0.3
    assert events_taken > runs * 0.5


def test_the_fast_checks_on_every_field_with_every_value() -> None:
    """Each field of each event type set to each value, or taken out: fast and contract alike."""
    rng = random.Random(7)
    compared = 0
    for kind in sorted(p.EVENT_FIELDS):
        for base in (_valid_event(rng, kind) for _ in range(3)):
            variants = [{k: v for k, v in base.items() if k != name} for name in base]
            variants += [
                {**base, name: value}
                for name in [*base, "x"]
                for value in [*_VALUES, *_UUIDS, *sorted(p.EVENT_FIELDS)]
            ]
            for raw in variants:
                quick = p._fast_event(raw)
                if quick is not None:
                    compared += 1
                    assert repr(quick) == _outcome(p.validate_event, raw), raw
                payload = batch(raw)
                assert _outcome(p.decode_event_batch, TOPIC, payload) == _outcome(
                    _reference, payload
                ), raw
    assert compared > 500


# --- the declarations themselves (protocol.EVENTS): every field's samples, both checks ----------


@pytest.mark.parametrize(("kind", "name"), _EVERY_FIELD, ids=[".".join(f) for f in _EVERY_FIELD])
def test_every_declared_field_takes_its_valid_samples_and_refuses_the_others(
    kind: str, name: str
) -> None:
    """Both checks of a field, on its own samples: alone, in an event, and in a batch."""
    declared = next(f for f in p.EVENT_TYPES_BY_NAME[kind].fields if f.name == name)
    assert declared.valid and declared.invalid, "a field declares samples of both kinds"
    for value in declared.valid:
        expected = declared.check(value, name)
        assert repr(declared.fast(value)) == repr(expected), value
        raw = _event_of(kind, name, value)
        quick = p._fast_event(raw)
        assert quick is not None, value
        assert repr(quick) == _outcome(p.validate_event, raw)
        assert p.decode_event_batch(TOPIC, batch(raw)).events == [quick]
    for value in declared.invalid:
        with pytest.raises(p.Rejected) as caught:
            declared.check(value, name)
        assert caught.value.reason is p.Reason.BAD_FIELD, value
        assert caught.value.detail.startswith(name), value
        assert declared.fast(value) is p._BAD, value
        raw = _event_of(kind, name, value)
        assert p._fast_event(raw) is None, value
        decoded = p.decode_event_batch(TOPIC, batch(raw))
        assert [r.reason for r in decoded.rejected] == [p.Reason.BAD_FIELD], value


def test_the_tables_follow_from_the_declarations() -> None:
    assert [kind.name for kind in p.EVENTS] == list(p.EVENT_FIELDS)
    assert len(p.EVENT_TYPES_BY_NAME) == len(p.EVENTS)  # a type is declared once
    for kind in p.EVENTS:
        names = [f.name for f in kind.fields]
        assert len(set(names)) == len(names), kind.name
        assert not set(names) & {"id", "type", "ts", "session", "v"}, kind.name
        assert list(p.EVENT_FIELDS[kind.name]) == names
        allowed, checks = p._FAST_EVENTS[kind.name]
        assert allowed == {"id", "type", "ts", "session", *names}
        assert [name for name, _ in checks] == names


# --- v1 extensions of issue 16: site channels, outcomes, PC labels ----------------------------


def test_site_topics_never_mix_with_a_pcs_topics() -> None:
    topic = p.SiteTopic.parse("kiosk/v1/schaerbeek/_site/queue")
    assert (topic.site, topic.channel) == ("schaerbeek", p.SiteChannel.QUEUE)
    assert str(topic) == "kiosk/v1/schaerbeek/_site/queue"
    assert p.site_topic_filter(p.SiteChannel.CHECKIN) == "kiosk/v1/+/_site/checkin"
    assert p.is_site_topic("kiosk/v1/evere/_site/duty")
    assert not p.is_site_topic("kiosk/v1/evere/pc-01/help")
    for bad in (
        "kiosk/v1/Evere/_site/queue",
        "kiosk/v1/evere/_site/rota",
        "kiosk/v1/evere/pc-01/queue",
        "kiosk/v1/evere/_site/queue/x",
    ):
        with pytest.raises(p.Rejected) as caught:
            p.SiteTopic.parse(bad)
        assert caught.value.reason is p.Reason.BAD_TOPIC
    with pytest.raises(p.Rejected):
        p.Topic.parse("kiosk/v1/evere/_site/help")  # no machine may be called _site


def test_queue_round_trip_and_place() -> None:
    first, second = p.new_id(), p.new_id()
    now = p.utc_now().replace(microsecond=0)
    queue = p.SiteQueue(
        now,
        (p.QueuePlace(first, 60), p.QueuePlace(second, 240)),
        claimed=1,
        on_duty=2,
        handle_s=240,
    )
    back = p.decode_queue(p.encode_queue(queue))
    assert back == queue
    assert back.place_of(second) == (2, 240)
    assert back.place_of(p.new_id()) is None
    assert not back.nobody_on_duty
    off = p.decode_queue(
        p.encode_queue(p.SiteQueue(now, on_duty=0, next_duty=now, off_duty_calls="none"))
    )
    assert off.nobody_on_duty and off.next_duty == now and off.off_duty_calls == "none"


@pytest.mark.parametrize(
    "change",
    [
        {"waiting": "x"},
        {"waiting": [{"request": "not-a-uuid", "eta_s": 1}]},
        {"waiting": [{"request": "6f1c1b6e-5d0a-4c1e-9a55-0b1f6c1d2e3f", "eta_s": -1}]},
        {"waiting": [{"request": "6f1c1b6e-5d0a-4c1e-9a55-0b1f6c1d2e3f", "eta_s": 1, "pc": 3}]},
        {"on_duty": True},
        {"off_duty_calls": "anyone"},
        {"next_duty": "tuesday"},
        {"visitor": "Jan"},
    ],
)
def test_a_bad_queue_is_rejected(change: dict[str, object]) -> None:
    body = {"v": 1, "ts": "2026-12-04T10:00:00.000Z", "waiting": [], **change}
    with pytest.raises(p.Rejected):
        p.decode_queue(json.dumps(body).encode())


def test_duty_roster_and_checkin_round_trip() -> None:
    now = p.utc_now().replace(microsecond=0)
    roster = p.DutyRoster(now, (p.OnDuty("Sara", now), p.OnDuty("Tom", now)))
    back = p.decode_duty(p.encode_duty(roster))
    assert back == roster and back.has(" sara ") == p.OnDuty("Sara", now)
    checkin = p.CheckIn(p.new_id(), now, "Sara", "in")
    assert p.decode_checkin(p.encode_checkin(checkin)) == checkin
    for bad in ({"state": "maybe"}, {"buddy": ""}, {"id": "x"}, {"where": "pc-3"}):
        body = {"v": 1, "id": p.new_id(), "ts": p.format_ts(now), "buddy": "Sara", "state": "in"}
        with pytest.raises(p.Rejected):
            p.decode_checkin(json.dumps({**body, **bad}).encode())


def test_resolved_may_carry_an_outcome_and_topics_only_resolved() -> None:
    request = p.new_id()
    resolved = p.HelpChange(
        request,
        p.HelpState.RESOLVED,
        p.utc_now(),
        buddy="Sara",
        outcome=p.HelpOutcome.REFERRED,
        topics=("itsme", "email"),
    )
    back = p.decode_help(p.Channel.HELP_REPLY, p.encode_help(resolved))
    assert back.outcome is p.HelpOutcome.REFERRED and back.topics == ("itsme", "email")
    plain = p.encode_help(p.HelpChange(request, p.HelpState.CLAIMED, p.utc_now(), buddy="Sara"))
    assert b"outcome" not in plain and b"topics" not in plain  # as before the extension
    body = json.loads(plain)
    for bad in (
        {"outcome": "solved"},  # with claimed
        {"state": "resolved", "outcome": "happy"},
        {"state": "resolved", "topics": "itsme"},
        {"state": "resolved", "topics": ["Jan Peeters"]},  # free text is not a key
        {"state": "resolved", "topics": [f"t{i}" for i in range(9)]},
    ):
        with pytest.raises(p.Rejected):
            p.decode_help(p.Channel.HELP_REPLY, json.dumps({**body, **bad}).encode())


def test_status_may_carry_the_pcs_label() -> None:
    status = p.decode_status(p.encode_status("idle", label="PC 3 — bij het raam"))
    assert status.figures["label"] == "PC 3 — bij het raam"
    for bad in ("", "x" * 61, "tab\there", 3):
        with pytest.raises(p.Rejected):
            p.decode_status(json.dumps({"v": 1, "state": "idle", "label": bad}).encode())


def test_status_may_say_what_its_outbox_still_holds() -> None:
    status = p.decode_status(p.encode_status("idle", waiting=1222))
    assert status.figures["waiting"] == 1222
    for bad in (-1, "12", 10**10, True, 1.5):
        with pytest.raises(p.Rejected):
            p.decode_status(json.dumps({"v": 1, "state": "idle", "waiting": bad}).encode())
