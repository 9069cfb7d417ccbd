"""Outbox drain: a kiosk that was offline comes back with 100,000 events waiting (issue #5).

The real ``KioskLink`` (window of 8 messages, batches of up to 500 events, rows deleted on
PUBACK) against Mosquitto with the dev config, into a bare paho subscriber (another process)
that counts the events. Time from ``link.start()`` until the outbox is empty and the
subscriber has every event. Floor: raw paho publishing the same 500-event batches (payloads
built beforehand) through the same window of 8, to the same subscriber, in the same run.

Usage: python benchmarks/bench_outbox_drain.py [--quick] [--runs N] [--events N]
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from benchmarks.fleet_simulator import EventMix
from benchmarks.infra import Result, common_args, emit, median
from kiosk.model.outbox import Outbox
from kiosk.uplink.link import KioskLink, LinkCallbacks
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import MAX_EVENTS_PER_BATCH, Channel, Topic, encode_wire_batch
from tests.harness import PYTHON, Mosquitto, Proc, wait_for

SITE, MACHINE = "drain", "pc-001"
WINDOW = 8


def subscriber(port: int, events: int) -> Proc:
    proc = Proc(
        [
            PYTHON,
            "benchmarks/bare_subscriber.py",
            "--port",
            str(port),
            "--expect-events",
            str(events),
        ]
    ).start()
    proc.wait_for_line("subscribed")
    return proc


def finish(proc: Proc, events: int) -> float:
    """When the subscriber saw the last event (wall clock)."""
    assert proc.process is not None
    proc.process.wait(600)
    state = json.loads(proc.lines[-1])
    if state["events"] != events:
        raise RuntimeError(f"the subscriber got {state['events']} of {events} events")
    return float(state["last"])


def fill_outbox(path: Path, bodies: list[str]) -> Outbox:
    outbox = Outbox(path)  # creates the schema
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO outbox (channel, body) VALUES (?, ?)",
            [(Channel.EVENTS.value, body) for body in bodies],
        )
    return outbox


def kiosk_link(port: int, bodies: list[str]) -> float:
    folder = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    outbox = fill_outbox(folder / "outbox.db", bodies)
    sub = subscriber(port, len(bodies))
    link = KioskLink(
        parse_broker_url(f"mqtt://127.0.0.1:{port}"),
        SITE,
        MACHINE,
        outbox,
        lambda: {"state": "idle", "session_s": None, "lang": "nl"},
        LinkCallbacks(lambda _c: None, lambda _c: None, lambda _ok: None),
    )
    try:
        start = time.time()
        link.start()
        last = finish(sub, len(bodies))  # polling the outbox meanwhile would slow the uploader
        wait_for(lambda: outbox.count() == 0, 60, "an empty outbox", step=0.002)
        emptied = time.time()
    finally:
        link.stop()
        sub.stop()
        outbox.close()
    return len(bodies) / (max(emptied, last) - start)


def raw_paho(port: int, bodies: list[str]) -> float:
    topic = str(Topic(SITE, MACHINE, Channel.EVENTS))
    payloads = [
        encode_wire_batch(SITE, MACHINE, bodies[i : i + MAX_EVENTS_PER_BATCH])
        for i in range(0, len(bodies), MAX_EVENTS_PER_BATCH)
    ]
    sub = subscriber(port, len(bodies))
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(WINDOW + 8)
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    try:
        start = time.time()
        client.connect("127.0.0.1", port)
        client.loop_start()
        connected.wait(10)
        window: deque[mqtt.MQTTMessageInfo] = deque()
        for payload in payloads:
            window.append(client.publish(topic, payload, qos=1))
            if len(window) >= WINDOW:
                window.popleft().wait_for_publish(60)
        for info in window:
            info.wait_for_publish(60)
        acked = time.time()
        last = finish(sub, len(bodies))
    finally:
        client.disconnect()
        client.loop_stop()
        sub.stop()
    return len(bodies) / (max(acked, last) - start)


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the link's "lost the broker" at the end of each run
    mix = EventMix(7)
    bodies = [mix.one()[1] for _ in range(args.events)]
    link_rates: list[float] = []
    raw_rates: list[float] = []
    for i in range(args.runs):
        with Mosquitto() as broker:
            raw_rates.append(raw_paho(broker.port, bodies))
        with Mosquitto() as broker:
            link_rates.append(kiosk_link(broker.port, bodies))
        print(
            f"  run {i + 1}/{args.runs}: KioskLink {link_rates[-1]:,.0f} events/s,"
            f" raw paho {raw_rates[-1]:,.0f} events/s",
            flush=True,
        )
    figure, floor = median(link_rates), median(raw_rates)
    emit(
        [
            Result(
                "outbox_drain",
                f"outbox drain of {args.events:,} events (KioskLink → Mosquitto → subscriber)",
                figure,
                "events/s",
                floor,
                "raw paho publish of the same batches, window 8",
                "(figure asked for)",
                None,
                runs=link_rates,
                floor_runs=raw_rates,
                notes=f"batches of 500, window of {WINDOW}, median of {args.runs} runs",
            )
        ],
        args.json_out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
