"""1,000 generated malformed messages through a real Mosquitto, with valid traffic alongside.

Each malformed message is built to fail for one known reason; the aggregator must survive them
all, count each under its reason, and store every valid event.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.wire import protocol as p
from tests.conftest import Mosquitto, Proc, run_stats, wait_for

SITE, MACHINE = "anderlecht", "pc-9"
TOPIC = f"kiosk/v1/{SITE}/{MACHINE}/events"
TS = "2026-11-22T10:00:00.000Z"


def valid_event() -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "type": "session_started",
        "ts": TS,
        "session": str(uuid.uuid4()),
        "lang": "nl",
    }


def batch(*events: dict[str, object], **overrides: object) -> bytes:
    body: dict[str, object] = {
        "v": 1,
        "site": SITE,
        "machine": MACHINE,
        "sent": TS,
        "events": list(events),
    }
    body.update(overrides)
    return json.dumps(body).encode()


text = st.text(min_size=1, max_size=30)
names = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)

CATEGORIES = [
    text.map(lambda t: (b"{'" + t.encode("utf-8"), "bad_json")),  # a quote JSON never has
    st.binary(min_size=1, max_size=40).map(lambda b: (b"\xff\xfe" + b, "bad_utf8")),
    names.filter(lambda n: n != SITE).map(
        lambda n: (batch(valid_event(), site=n), "spoofed_origin")
    ),
    names.filter(lambda n: n not in p.EVENT_TYPES).map(
        lambda n: (batch({**valid_event(), "type": n}), "unknown_event_type")
    ),
    st.tuples(st.sampled_from(["name", "email", "url", "ip", "typed_text", "phone"]), text).map(
        lambda fv: (batch({**valid_event(), fv[0]: fv[1]}), "unknown_field")
    ),
    st.one_of(
        st.integers(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        names.filter(lambda n: not p.LANG_RE.match(n)),
    ).map(lambda v: (batch({**valid_event(), "lang": v}), "bad_field")),
    st.integers(min_value=p.MAX_PAYLOAD_BYTES + 1, max_value=p.MAX_PAYLOAD_BYTES + 4000).map(
        lambda n: (b'{"v":1,"pad":"' + b"x" * n + b'"}', "oversize")
    ),
]
# Every kind of fault, about 143 of each: 1,000 in all, varied by Hypothesis within each kind.
SIZES = [143] * 6 + [142]
malformed_traffic = st.tuples(
    *(
        st.lists(kind, min_size=n, max_size=n, unique_by=lambda m: m[0])
        for kind, n in zip(CATEGORIES, SIZES, strict=True)
    )
).map(lambda groups: [message for group in groups for message in group])


@settings(
    max_examples=1,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(malformed_traffic)
def test_a_thousand_malformed_messages_are_counted_and_valid_traffic_is_stored(
    mosquitto: Mosquitto,
    start_aggregator: Callable[..., Proc],
    tmp_path: Path,
    messages: list[tuple[bytes, str]],
) -> None:
    broker = mosquitto
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    aggregator = start_aggregator(broker.url, db)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(50)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    valid_ids: list[str] = []
    for index, (payload, _reason) in enumerate(messages):
        client.publish(TOPIC, payload, qos=1).wait_for_publish(30)
        if index % 10 == 0:  # valid traffic alongside
            good = valid_event()
            valid_ids.append(str(good["id"]))
            client.publish(TOPIC, batch(good), qos=1).wait_for_publish(30)
    client.disconnect()
    client.loop_stop()
    expected = Counter(reason for _payload, reason in messages)
    wait_for(lambda: run_stats(db)["rejected_total"] == 1000, 120, "1000 rejections counted")
    wait_for(lambda: run_stats(db)["events_total"] == len(valid_ids), 60, "valid events stored")
    stats = run_stats(db)
    assert stats["rejected"] == dict(expected)
    assert aggregator.process is not None and aggregator.process.poll() is None  # still running
    assert "Traceback" not in aggregator.output()
    print(f"malformed messages by reason: {dict(expected)}; valid events stored: {len(valid_ids)}")
