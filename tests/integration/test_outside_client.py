"""An outside client that follows the contract (mosquitto_pub) gets its events counted exactly once.

Real Mosquitto with the project's dev config, the real aggregator process, ``admin-console stats``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.wire import protocol as p
from tests.conftest import Mosquitto, Proc, run_stats, wait_for

SITE, MACHINE = "schaerbeek", "pc-03"
TOPIC = f"kiosk/v1/{SITE}/{MACHINE}/events"


def mosquitto_pub(port: int, topic: str, payload: bytes) -> None:
    binary = shutil.which("mosquitto_pub")
    assert binary, "mosquitto_pub is not installed (make test installs mosquitto-clients)"
    subprocess.run(
        [binary, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", topic, "-s"],
        input=payload,
        check=True,
        timeout=20,
    )


def batch_payload(n: int, site: str = SITE, machine: str = MACHINE) -> tuple[bytes, list[str]]:
    session = str(uuid.uuid4())
    events = [
        p.make_event("task_step", session, task="irisbox-certificate", step=i) for i in range(n)
    ]
    return p.encode_event_batch(site, machine, events), [e.id for e in events]


def test_duplicates_and_malformed_messages(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    start_aggregator(mosquitto.url, db)
    payload, _ = batch_payload(3)
    mosquitto_pub(mosquitto.port, TOPIC, payload)
    mosquitto_pub(mosquitto.port, TOPIC, payload)  # a duplicate delivery
    spoofed, _ = batch_payload(2, site="evere")
    mosquitto_pub(mosquitto.port, TOPIC, spoofed)
    mosquitto_pub(mosquitto.port, TOPIC, b"{not json")
    mosquitto_pub(mosquitto.port, TOPIC, b"\xc3\x28")
    session = str(uuid.uuid4())
    mixed = json.dumps(
        {
            "v": 1,
            "site": SITE,
            "machine": MACHINE,
            "sent": "2026-11-22T10:15:00.000Z",
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "session_started",
                    "ts": "2026-11-22T10:14:59.001Z",
                    "session": session,
                    "lang": "nl",
                },
                {
                    "id": str(uuid.uuid4()),
                    "type": "mouse_moved",
                    "ts": "2026-11-22T10:14:59.001Z",
                    "session": session,
                },
            ],
        }
    ).encode()
    mosquitto_pub(mosquitto.port, TOPIC, mixed)
    wait_for(
        lambda: run_stats(db)["rejected_total"] == 4 and run_stats(db)["events_total"] == 4,
        20,
        "4 events and 4 rejections",
    )
    stats = run_stats(db)
    assert stats["rejected"] == {
        "bad_json": 1,
        "bad_utf8": 1,
        "spoofed_origin": 1,
        "unknown_event_type": 1,
    }
    assert stats["sites"][SITE]["events"] == {"task_step": 3, "session_started": 1}
    assert stats["sites"][SITE]["sessions"] == 1


def test_exactly_once_through_an_aggregator_sigkill(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    aggregator = start_aggregator(mosquitto.url, db, "agg-kill")
    sent: list[str] = []
    stop = threading.Event()

    def keep_sending() -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="outside-kiosk", protocol=mqtt.MQTTv311
        )
        client.connect("127.0.0.1", mosquitto.port)
        client.loop_start()
        while not stop.is_set() and len(sent) < 6000:
            payload, ids = batch_payload(20)
            info = client.publish(TOPIC, payload, qos=1)
            info.wait_for_publish(10)
            sent.extend(ids)
            if len(sent) % 200 == 0:  # a duplicate now and then, as a retrying kiosk would
                client.publish(TOPIC, payload, qos=1).wait_for_publish(10)
        client.disconnect()
        client.loop_stop()

    sender = threading.Thread(target=keep_sending)
    sender.start()
    wait_for(lambda: len(sent) >= 1500, 60, "the first 1500 events")
    aggregator.kill()
    wait_for(lambda: len(sent) >= 3000, 60, "more events while the aggregator is dead")
    start_aggregator(
        mosquitto.url, db, "agg-kill"
    )  # same client id: its session waited at the broker
    sender.join(120)
    stop.set()
    total = len(set(sent))
    wait_for(lambda: run_stats(db)["events_total"] == total, 60, f"{total} events stored")
    stats = run_stats(db)
    assert stats["events_total"] == total
    assert stats["rejected_total"] == 0
    assert stats["sites"][SITE]["events"]["task_step"] == total


@pytest.mark.parametrize("restart", ["broker"])
def test_exactly_once_through_a_broker_restart(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path, restart: str
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    start_aggregator(mosquitto.url, db, "agg-restart")
    first, ids1 = batch_payload(50)
    mosquitto_pub(mosquitto.port, TOPIC, first)
    wait_for(lambda: run_stats(db)["events_total"] == 50, 20, "the first batch")
    mosquitto.stop()
    mosquitto.start()
    second, ids2 = batch_payload(50)
    mosquitto_pub(mosquitto.port, TOPIC, second)
    mosquitto_pub(mosquitto.port, TOPIC, first)
    wait_for(lambda: run_stats(db)["events_total"] == 100, 40, "both batches after the restart")
    assert run_stats(db)["events_total"] == len(set(ids1 + ids2))


def test_two_aggregators_in_a_shared_group_store_what_one_would(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    first = start_aggregator(mosquitto.url, db, "agg-a", "--share-group", "aggregators")
    second = start_aggregator(mosquitto.url, db, "agg-b", "--share-group", "aggregators")
    assert "$share/aggregators/kiosk/v1/+/+/events" in first.output()
    ids: list[str] = []
    for _ in range(40):
        payload, batch_ids = batch_payload(10)
        mosquitto_pub(mosquitto.port, TOPIC, payload)
        ids.extend(batch_ids)
    wait_for(lambda: run_stats(db)["events_total"] == 400, 30, "400 events")
    first.stop()
    second.stop()
    stored = [
        int(line.split("'events_new': ")[1].split(",")[0])
        for proc in (first, second)
        for line in proc.lines
        if "aggregator stopped" in line
    ]
    assert sum(stored) == 400 and all(n > 0 for n in stored)  # the stream was split, not copied


def test_two_aggregators_keep_each_kiosks_last_status(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], postgres_url: str
) -> None:
    """Each kiosk's ``idle`` and then its goodbye ``offline``, 10 ms apart, go to different
    aggregators of the group (the broker takes turns): every machine must end ``offline`` in
    PostgreSQL, whichever aggregator commits last (issue 21: 7 to 52 of 1,000 did not)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from sqlalchemy import create_engine, text

    first = start_aggregator(mosquitto.url, postgres_url, "agg-a", "--share-group", "aggs")
    start_aggregator(mosquitto.url, postgres_url, "agg-b", "--share-group", "aggs")
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    machines = [f"pc-{n:03d}" for n in range(300)]
    t0 = datetime.now(UTC)
    sent = []
    for machine in machines:
        for state, after in (("idle", 0), ("offline", 10)):
            at = p.format_ts(t0 + timedelta(milliseconds=after))
            body = json.dumps({"v": 1, "state": state, "ts": at}).encode()
            sent.append(client.publish(f"kiosk/v1/{SITE}/{machine}/status", body, 1, True))
    for info in sent:
        info.wait_for_publish(20)
    client.loop_stop()
    client.disconnect()
    engine = create_engine(postgres_url)

    def states() -> dict[str, int]:
        with engine.connect() as conn:
            rows = conn.execute(text("select state, count(*) from machines group by state"))
            return {str(state): int(n) for state, n in rows}

    try:
        wait_for(lambda: sum(states().values()) == len(machines), 30, "every machine stored")
        # Both aggregators have taken their share; what they commit last must not matter.
        wait_for(lambda: states() == {"offline": len(machines)}, 30, f"all offline: {states()}")
    finally:
        engine.dispose()
    assert "$share/aggs/kiosk/v1/+/+/status" in first.output()


def test_the_aggregator_explains_what_it_cannot_do(tmp_path: Path) -> None:
    from tests.conftest import admin_console, suite_env

    blocker = tmp_path / "file"
    blocker.write_text("")
    done = subprocess.run(
        admin_console("serve", "--db", f"sqlite:///{blocker}/agg.db"),
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert done.returncode == 2
    assert done.stderr.startswith("admin-console: cannot") and "Traceback" not in done.stderr
    done = subprocess.run(
        admin_console("serve", "--broker", "tcp://x", "--db", f"sqlite:///{tmp_path}/a.db"),
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert done.returncode == 2 and "mqtt://" in done.stderr


def test_with_the_broker_down_the_aggregator_says_so_and_keeps_trying(tmp_path: Path) -> None:
    from tests.conftest import admin_console, free_port, suite_env

    port = free_port()
    proc = Proc(
        admin_console(
            "serve", "--broker", f"mqtt://127.0.0.1:{port}", "--db", f"sqlite:///{tmp_path}/a.db"
        ),
        suite_env(),
    ).start()
    try:
        proc.wait_for_line(f"cannot reach the broker at mqtt://127.0.0.1:{port}")
        assert proc.process is not None and proc.process.poll() is None
    finally:
        assert proc.stop() == 0
