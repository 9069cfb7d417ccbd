"""``admin-console serve`` receives in one process and stores in a child process (the storer).

Real Mosquitto with the project's dev config, the real aggregator: what the storer has not
committed is never acknowledged, the storer dies with the aggregator, and the aggregator does
not go on receiving without its storer.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg

from tests.conftest import Mosquitto, Proc, run_stats, wait_for
from tests.integration.test_outside_client import TOPIC, batch_payload, mosquitto_pub


def _storer(aggregator: Proc) -> psutil.Process:
    assert aggregator.process is not None
    children = psutil.Process(aggregator.process.pid).children()
    storers = [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
    assert len(storers) == 1, [c.cmdline() for c in children]
    return storers[0]


# --- what crosses the wire between the aggregator and the broker ---------------------------

PUBLISH, PUBACK = 3, 4


@dataclass(frozen=True)
class Delivery:
    """A PUBLISH the broker sent to the aggregator."""

    connection: int
    mid: int
    dup: bool
    payload: bytes


@dataclass(frozen=True)
class Ack:
    """A PUBACK the aggregator sent, what it acknowledged, and whether that was committed."""

    connection: int
    mid: int
    payload: bytes | None
    committed: bool


def _whole_packet(buffer: bytes) -> tuple[int, int] | None:
    """(header length, packet length) of the first whole MQTT packet in ``buffer``, or None."""
    length, shift = 0, 0
    for i in range(1, min(len(buffer), 5)):
        length |= (buffer[i] & 0x7F) << shift
        if not buffer[i] & 0x80:
            total = i + 1 + length
            return (i + 1, total) if len(buffer) >= total else None
        shift += 7
    return None


class MqttTap:
    """A TCP relay between the aggregator and Mosquitto that reads MQTT 3.1.1 both ways: the
    PUBLISHes the broker delivers, and the PUBACKs the aggregator sends, each checked with
    ``committed(payload)`` before the relay passes it on. The broker sees only what passed."""

    def __init__(self, broker_port: int, committed: Callable[[bytes], bool]) -> None:
        self._broker_port = broker_port
        self._committed = committed
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self.connections = 0
        self.deliveries: list[Delivery] = []
        self.acks: list[Ack] = []
        self._sockets: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def acked(self, payload: bytes, after: int = 0) -> bool:
        return any(a.payload == payload and a.connection > after for a in self.acks)

    def close(self) -> None:
        self._closed = True
        for sock in (self._server, *self._sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the relay threads (close would not)
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                aggregator, _ = self._server.accept()
            except OSError:
                return  # closed
            broker = socket.create_connection(("127.0.0.1", self._broker_port))
            self._sockets += [aggregator, broker]
            self.connections += 1
            for source, target, seen in (
                (aggregator, broker, self._from_aggregator),
                (broker, aggregator, self._from_broker),
            ):
                threading.Thread(
                    target=self._relay, args=(source, target, self.connections, seen), daemon=True
                ).start()

    def _relay(
        self,
        source: socket.socket,
        target: socket.socket,
        connection: int,
        seen: Callable[[int, int, bytes], None],
    ) -> None:
        buffer = b""
        try:
            while chunk := source.recv(65536):
                buffer += chunk
                while (whole := _whole_packet(buffer)) is not None:
                    header, total = whole
                    seen(connection, buffer[0], buffer[header:total])
                    target.sendall(buffer[:total])
                    buffer = buffer[total:]
        except OSError:
            pass
        finally:  # one side went away (a SIGKILL too): so does the other
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _from_broker(self, connection: int, first: int, body: bytes) -> None:
        if first >> 4 != PUBLISH:
            return
        qos = (first >> 1) & 3
        end = 2 + int.from_bytes(body[:2], "big")  # after the topic
        mid = int.from_bytes(body[end : end + 2], "big") if qos else 0
        payload = body[end + 2 :] if qos else body[end:]
        self.deliveries.append(Delivery(connection, mid, bool(first & 0x08), payload))

    def _from_aggregator(self, connection: int, first: int, body: bytes) -> None:
        if first >> 4 != PUBACK or self._closed:
            return
        mid = int.from_bytes(body[:2], "big")
        delivered = [d for d in self.deliveries if d.connection == connection and d.mid == mid]
        payload = delivered[-1].payload if delivered else None
        committed = payload is not None and self._committed(payload)
        self.acks.append(Ack(connection, mid, payload, committed))


# --- the tests ------------------------------------------------------------------------------

# The rows every stored event updates in its transaction (store/rollups.py).
COUNT_TABLES = ("daily_counts", "monthly_counts", "daily_totals", "monthly_totals")


def test_nothing_is_acknowledged_before_its_commit_and_the_storer_dies_with_the_aggregator(
    mosquitto: Mosquitto,
    start_aggregator: Callable[..., Proc],
    postgres_server: int,
    postgres_url: str,
) -> None:
    """The storer's commit is held: another transaction holds the count rows it must update.
    The aggregator receives the messages and hands them to the storer, and the broker gets no
    PUBACK for them; killed then, the aggregator loses nothing, as the broker delivers them
    again; and every PUBACK the broker ever gets leaves after its events' commit."""
    db = postgres_url
    dsn = f"host=127.0.0.1 port={postgres_server} user=postgres dbname={db.rsplit('/', 1)[1]}"
    ids_of: dict[bytes, list[str]] = {}

    def committed(payload: bytes) -> bool:
        ids = ids_of.get(payload, [])
        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM events WHERE id = ANY(%s)", (ids,)).fetchone()
        return bool(ids) and row is not None and row[0] == len(ids)

    def publish(n: int) -> bytes:
        payload, ids = batch_payload(n)
        ids_of[payload] = ids
        mosquitto_pub(mosquitto.port, TOPIC, payload)
        return payload

    tap = MqttTap(mosquitto.port, committed)
    try:
        aggregator = start_aggregator(tap.url, db, "agg-locked")
        storer = _storer(aggregator)
        first = publish(5)
        wait_for(lambda: run_stats(db)["events_total"] == 5, 20, "the first batch")
        wait_for(lambda: tap.acked(first), 20, "the first batch's PUBACK")  # the tap sees acks

        with (
            psycopg.connect(dsn, autocommit=True) as monitor,
            psycopg.connect(dsn) as blocker,
        ):
            # Another transaction holds the count rows the first batch made: the storer can
            # insert the events that come now, but not add them to the counts, nor commit.
            for table in COUNT_TABLES:
                blocker.execute(f"SELECT 1 FROM {table} FOR UPDATE")
            held = [publish(10) for _ in range(10)]

            def waiting_on_the_lock() -> list[int]:
                rows = monitor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                ).fetchall()
                return [int(pid) for (pid,) in rows]

            wait_for(
                lambda: {d.payload for d in tap.deliveries} >= set(held),
                20,
                "the broker to deliver the 10 messages to the aggregator",
            )
            wait_for(waiting_on_the_lock, 20, "the storer to wait for the held rows")
            storer_backends = waiting_on_the_lock()
            assert not [a for a in tap.acks if a.payload in held], "acknowledged before commit"

            assert aggregator.process is not None
            aggregator.process.send_signal(signal.SIGKILL)
            aggregator.process.wait(10)
            storer.wait(10)  # psutil.TimeoutExpired if the storer outlived the aggregator
            blocker.rollback()

            def storer_backend_gone() -> bool:
                rows = monitor.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (storer_backends,)
                ).fetchall()
                return not rows

            wait_for(storer_backend_gone, 20, "the killed storer's transaction to end")
        assert run_stats(db)["events_total"] == 5  # nothing of the locked time was committed
        assert not [a for a in tap.acks if a.payload in held], "acknowledged, never committed"

        # Not acknowledged, so the broker kept it for the aggregator's session: it delivers it
        # all again (DUP set), and each PUBACK leaves after its commit.
        before = tap.connections
        start_aggregator(tap.url, db, "agg-locked")
        wait_for(
            lambda: run_stats(db)["events_total"] == 105, 30, "the 100 events kept by the broker"
        )
        assert run_stats(db)["rejected_total"] == 0
        again = [d for d in tap.deliveries if d.connection > before]
        assert {d.payload for d in again} == set(held)
        assert all(d.dup for d in again), "not a redelivery"
        wait_for(lambda: all(tap.acked(p, before) for p in held), 20, "the PUBACKs")
        assert tap.acks and all(a.committed for a in tap.acks), [
            a for a in tap.acks if not a.committed
        ]
    finally:
        tap.close()


def test_without_its_storer_the_aggregator_stops(
    mosquitto: Mosquitto, start_aggregator: Callable[..., Proc], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    aggregator = start_aggregator(mosquitto.url, db, "agg-orphan")
    _storer(aggregator).kill()
    assert aggregator.process is not None
    try:
        code = aggregator.process.wait(20)
    except subprocess.TimeoutExpired:
        raise AssertionError("the aggregator went on without its storer") from None
    assert code == 1
    assert "the storer process ended" in aggregator.output()
