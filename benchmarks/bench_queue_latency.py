"""Queue update latency (issue 16): a buddy's claim → the kiosk's queue without that call.

What ``admin-console serve`` runs, in this process: the aggregator (its receiver, and its storer
process on SQLite) and the queue keeper (its MQTT link and its publishing thread), on one
Mosquitto with the dev config. A kiosk-side subscriber listens to the site's ``_site/queue``.

Each sample: a kiosk publishes an ``open`` call (retained, as the kiosk does); once the queue
shows it, the clock starts and a buddy desk publishes ``claimed`` on ``help/reply`` (QoS 1,
retained, as BuddyLink.reply does); the clock stops when the kiosk-side subscriber has a queue
in which the call no longer waits. Then the call is resolved and the next sample waits for
the queue to show it gone. Two other calls stay waiting throughout, so each queue carries
places and estimates.

Floor: a bare paho publish → subscribe (QoS 1, a payload of the queue's size) through the
same broker, in the same process and run.

Usage: python benchmarks/bench_queue_latency.py [--quick] [--runs N] [--samples N]
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt

from admin_console.desk.queue_keeper import SitePolicy
from admin_console.desk.queue_service import QueueService, QueueServiceOptions
from admin_console.ingest.aggregator import Aggregator, AggregatorOptions
from admin_console.store.database import open_database
from benchmarks.infra import (
    RunPercentiles,
    common_args,
    emit,
    latency_results,
    paho_client,
    paho_round_trips,
)
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.opening_hours import OpeningHours
from tests.harness import Mosquitto

SITE = "schaerbeek"
QUEUE = f"kiosk/v1/{SITE}/_site/queue"
WAIT_S = 10.0


class KioskSide:
    """The kiosk's view of its site's queue: the latest queue's waiting calls, and when each
    queue arrived (perf_counter)."""

    def __init__(self, port: int) -> None:
        self._cond = threading.Condition()
        self.waiting: frozenset[str] = frozenset()
        self.arrived = 0.0
        self.client = paho_client()
        subscribed = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe(QUEUE, 1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not subscribed.wait(WAIT_S):
            raise RuntimeError("the kiosk-side subscriber did not subscribe")

    def _on_message(self, _c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        now = time.perf_counter()
        queue = p.decode_queue(message.payload)  # what a kiosk does with it
        with self._cond:
            self.waiting = frozenset(w.request for w in queue.waiting)
            self.arrived = now
            self._cond.notify_all()

    def wait(self, condition: str, request: str) -> float:
        """Until ``request`` is (``in``) or is not (``out``) waiting; when that queue came."""
        wanted = condition == "in"
        with self._cond:
            if not self._cond.wait_for(lambda: (request in self.waiting) == wanted, WAIT_S):
                raise RuntimeError(f"the queue never had the call {condition}")
            return self.arrived

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def queue_latencies(broker: Mosquitto, samples: int, folder: Path) -> tuple[list[float], int]:
    """Claim → queue latencies (ms), and the size of the last queue payload."""
    settings = parse_broker_url(broker.url)
    db = f"sqlite:///{folder / 'agg.db'}"
    open_database(db).dispose()
    stop = threading.Event()
    aggregator = Aggregator(settings, db, AggregatorOptions(client_id="bench-agg"))
    agg_thread = threading.Thread(target=aggregator.run, args=(stop,), name="bench-aggregator")
    agg_thread.start()
    rota = OpeningHours.parse({"mon-sun": ["00:00-23:59"]})
    service = QueueService(
        settings,
        {SITE: SitePolicy(rota, "staff")},
        QueueServiceOptions(client_id="bench-agg-queue", expiry=timedelta(hours=2)),
    )
    service.start()
    kiosk = KioskSide(broker.port)
    wire = paho_client()
    wire.connect("127.0.0.1", broker.port)
    wire.loop_start()
    values: list[float] = []
    try:
        if not aggregator.connected.wait(60) or not service.link.connected.wait(WAIT_S):
            raise RuntimeError("serve did not connect")

        def publish(machine: str, channel: str, change: p.HelpChange) -> None:
            topic = f"kiosk/v1/{SITE}/{machine}/{channel}"
            wire.publish(topic, p.encode_help(change), qos=1, retain=True)

        for machine in ("pc-08", "pc-09"):  # two calls that keep waiting behind
            later = p.utc_now() + timedelta(hours=1)  # opened "later": always behind
            publish(machine, "help", p.HelpChange(p.new_id(), p.HelpState.OPEN, later))
        for i in range(samples):
            machine = f"pc-{i % 5 + 1:02d}"
            request = p.new_id()
            publish(
                machine, "help", p.HelpChange(request, p.HelpState.OPEN, p.utc_now(), lang="nl")
            )
            kiosk.wait("in", request)
            t0 = time.perf_counter()
            claim = p.HelpChange(request, p.HelpState.CLAIMED, p.utc_now(), buddy="Sara")
            publish(machine, "help/reply", claim)
            arrived = kiosk.wait("out", request)
            values.append((arrived - t0) * 1000)
            done = p.HelpChange(request, p.HelpState.RESOLVED, p.utc_now(), buddy="Sara")
            publish(machine, "help/reply", done)
    finally:
        kiosk.close()
        wire.disconnect()
        wire.loop_stop()
        service.stop()
        stop.set()
        agg_thread.join(60)
    with service._lock:  # the benchmark reads the size of what went out
        size = len(p.encode_queue(service.keeper.queue(SITE, p.utc_now())))
    return values, size


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--samples", type=int, help="claims per run (default 300; quick 200)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    samples = args.samples or (200 if args.quick else 300)
    runs = 1 if args.quick else args.runs
    queue, floor = RunPercentiles(), RunPercentiles()
    for i in range(runs):
        with Mosquitto() as broker:
            folder = Path(tempfile.mkdtemp(prefix="bench-queue-"))
            latencies, size = queue_latencies(broker, samples, folder)
            floor_latencies = paho_round_trips(broker.port, samples, size, "bench/queue")
        if len(latencies) < samples:
            raise RuntimeError(f"only {len(latencies)} of {samples} claims measured")
        queue.add(latencies)
        floor.add(floor_latencies)
        print(
            f"  run {i + 1}/{runs}: claim → queue p50 {queue.p50[-1]:.2f} ms,"
            f" p99 {queue.p99[-1]:.2f} ms; floor p50 {floor.p50[-1]:.2f} ms,"
            f" p99 {floor.p99[-1]:.2f} ms ({size} B queue)",
            flush=True,
        )
    note = f"{samples} claims a run; median over {runs} runs of each run's percentile"
    results = latency_results(
        "queue_p{pct}",
        "queue update p{pct}, buddy's claim → kiosk-side queue without the call",
        queue,
        floor,
        notes=note,
    )
    emit(results, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
