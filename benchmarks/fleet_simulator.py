"""A fleet of simulated kiosks (and buddy desks) speaking docs/protocol.md, thousands at once.

Each simulated kiosk holds its own MQTT connection (asyncio, benchmarks/mqtt_async.py) with the
kiosk's will (retained ``offline`` status), subscribes to its ``help/reply`` and ``cmd`` topics,
sends its retained status on connect, on every state change and as a heartbeat (every 60 s by
default), and plays visits: ``session_started``, language and accessibility changes, guided tasks
with their steps (completed or abandoned), allowlisted sites, help calls (``help_requested`` and
the ``help`` message; a simulated buddy desk per site claims and resolves them, or the visit
ends first and the kiosk cancels), ``session_ended``. Like the real kiosk it keeps a bounded
window of unacknowledged QoS 1 messages and merges waiting events into one batch (≤ 500).
It answers commands with ``cmd/ack``.

Rates are configurable: visits per kiosk per hour, visit length, share of visits with a help
call, and ``speed``, a time compression for visits (heartbeats keep their real period).
Everything acknowledged by the broker is counted per channel; event ids can be written out to
check, afterwards, that each arrived exactly once in the database.

Importable (``Fleet``, ``FleetConfig``, ``flood``) and a command line::

    python benchmarks/fleet_simulator.py --own-broker --kiosks 1000 --duration 60
    python benchmarks/fleet_simulator.py --broker mqtt://127.0.0.1:1883 --kiosks 5000 \\
        --heartbeat 60 --sessions-per-hour 2 --speed 10 --duration 300 --summary out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib
import gc

from benchmarks.mqtt_async import Message, MqttConnection, MqttError, Will, connect, keep_alive
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.protocol import (
    MAX_EVENTS_PER_BATCH,
    Channel,
    HelpChange,
    Topic,
    decode_command,
    decode_help,
    encode_ack,
    encode_help,
    encode_status,
    encode_will,
    encode_wire_batch,
    format_ts,
    topic_filter,
    utc_now,
)

TASKS = (
    "irisbox-certificate",
    "mypension-check",
    "myminfin-tax-document",
    "csam-login",
    "gmail-account",
    "outlook-account",
    "plan-trip",
    "phishing-recognise",
)
SITE_KEYS = ("irisbox", "mypension", "myminfin", "csam", "gmail", "outlook", "stib", "nmbs")
LANGS = (("nl", 0.45), ("fr", 0.40), ("en", 0.08), ("ar", 0.04), ("tr", 0.03))
END_REASONS = (("user", 0.70), ("idle", 0.24), ("time_limit", 0.05), ("admin", 0.01))
BUDDY_NAMES = ("Sara", "Youssef", "Lotte", "Mehdi", "Julie", "Arne")
VERSION = "0.1.0"


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def random_id(rng: random.Random) -> str:
    """A random (v4) UUID from a seeded generator: reproducible fleets."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def event_json(event_id: str, event_type: str, session: str | None, **fields: Any) -> str:
    body = {"id": event_id, "type": event_type, "ts": format_ts(utc_now()), "session": session}
    body.update(fields)
    return json.dumps(body, separators=(",", ":"))


class EventMix:
    """Single events of the realistic mix, for floods (what a busy fleet sends)."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)

    def one(self) -> tuple[str, str]:
        """(id, event JSON) of a random event type with valid fields."""
        rng = self.rng
        event_id, session = random_id(rng), random_id(rng)
        roll = rng.random()
        task = rng.choice(TASKS)
        if roll < 0.10:
            text = event_json(event_id, "session_started", session, lang=_pick(rng, LANGS))
        elif roll < 0.20:
            text = event_json(
                event_id,
                "session_ended",
                session,
                reason=_pick(rng, END_REASONS),
                duration_s=round(rng.uniform(30, 3000), 1),
            )
        elif roll < 0.30:
            text = event_json(event_id, "task_started", session, task=task)
        elif roll < 0.65:
            text = event_json(event_id, "task_step", session, task=task, step=rng.randrange(8))
        elif roll < 0.72:
            text = event_json(event_id, "task_completed", session, task=task)
        elif roll < 0.77:
            text = event_json(event_id, "task_abandoned", session, task=task, step=rng.randrange(8))
        elif roll < 0.92:
            text = event_json(event_id, "site_opened", session, site_key=rng.choice(SITE_KEYS))
        elif roll < 0.95:
            text = event_json(
                event_id, "help_requested", session, request=random_id(rng), task=task
            )
        elif roll < 0.98:
            text = event_json(event_id, "language_changed", session, lang=_pick(rng, LANGS))
        else:
            text = event_json(
                event_id, "accessibility_changed", session, setting="text_size", value=150
            )
        return event_id, text


# --- configuration and accounting ---------------------------------------------------------------


@dataclass
class FleetConfig:
    kiosks: int = 100
    kiosks_per_site: int = 10
    heartbeat_s: float = 60.0
    sessions_per_hour: float = 2.0  # visits per kiosk per hour while the room is open
    session_minutes: float = 20.0  # mean length of a visit
    help_share: float = 0.2  # share of visits with a help call
    buddy_claim_s: float = 90.0  # mean time until a buddy claims a call (then resolves)
    buddies: bool = True  # one simulated buddy desk per site
    speed: float = 1.0  # time compression of visits (heartbeats keep their real period)
    duration_s: float = 60.0
    connect_rate: float = 1000.0  # new connections per second while the fleet comes up
    keepalive: int = 30
    window: int = 8  # unacknowledged messages per kiosk, like KioskLink
    seed: int = 1
    site_prefix: str = "site"

    @property
    def sites(self) -> int:
        return max(1, math.ceil(self.kiosks / self.kiosks_per_site))


@dataclass
class FleetReport:
    kiosks: int
    sites: int
    connected: int
    connect_s: float
    run_s: float
    drain_s: float
    sent: dict[str, int]  # messages handed to the broker, by channel
    acked: dict[str, int]  # messages the broker acknowledged (PUBACK), by channel
    events_acked: int
    visits: int
    help_calls: int
    commands_answered: int
    failures: int
    puback_ms_p50: float
    puback_ms_p99: float
    last_status: dict[str, str] = field(default_factory=dict)  # topic -> last acked state


# --- one simulated kiosk ------------------------------------------------------------------------


@dataclass
class _Pending:
    channel: Channel
    body: str  # event JSON, or the whole payload for other channels
    retain: bool = False
    event_id: str | None = None
    state: str | None = None  # for status: which state it carried


class SimKiosk:
    def __init__(self, fleet: Fleet, site: str, machine: str, seed: int) -> None:
        self.fleet = fleet
        self.site = site
        self.machine = machine
        self.rng = random.Random(seed)
        self.connection: MqttConnection | None = None
        self.pending: deque[_Pending] = deque()
        self.state = "idle"
        self.session: str | None = None
        self.session_started = 0.0
        self.lang = "nl"
        self.help_request: str | None = None
        self.help_state: str | None = None
        self.next_heartbeat = math.inf
        self.started = time.monotonic()
        self.uptime0 = self.rng.randrange(600, 86_400)
        self.answered: set[str] = set()

    def topic(self, channel: Channel) -> str:
        return str(Topic(self.site, self.machine, channel))

    # --- sending, through a bounded window like KioskLink -----------------------------------

    def queue(self, item: _Pending) -> None:
        self.pending.append(item)
        self.pump()

    def pump(self) -> None:
        connection = self.connection
        fleet = self.fleet
        while (
            self.pending
            and connection is not None
            and connection.is_open
            and connection.inflight < fleet.config.window
        ):
            first = self.pending.popleft()
            if first.channel is Channel.EVENTS:
                run = [first]
                while (
                    self.pending
                    and self.pending[0].channel is Channel.EVENTS
                    and len(run) < MAX_EVENTS_PER_BATCH
                ):
                    run.append(self.pending.popleft())
                payload = encode_wire_batch(self.site, self.machine, [p.body for p in run])
                ids = [p.event_id for p in run if p.event_id]
            else:
                payload = first.body.encode("utf-8")
                ids = []
            try:
                future = connection.publish(
                    self.topic(first.channel), payload, qos=1, retain=first.retain
                )
            except MqttError:
                fleet.failures += 1
                return
            fleet.sent[first.channel.value] += 1
            sent_at = time.monotonic()
            future.add_done_callback(
                lambda f, ch=first.channel, ids=ids, st=first.state, t=sent_at: self._acked(
                    f, ch, ids, st, t
                )
            )

    def _acked(
        self,
        future: asyncio.Future[None],
        channel: Channel,
        ids: list[str],
        state: str | None,
        sent_at: float,
    ) -> None:
        fleet = self.fleet
        if future.cancelled() or future.exception() is not None:
            fleet.failures += 1
            return
        fleet.acked[channel.value] += 1
        if sent_at < fleet.stopped_at:  # steady state only, not the goodbye burst
            fleet.puback_ms.append((time.monotonic() - sent_at) * 1000)
        if ids:
            fleet.events_acked += len(ids)
            fleet.site_events[self.site] += len(ids)
            if fleet.event_ids is not None:
                fleet.event_ids.extend(ids)
        if state is not None:
            fleet.last_status[self.topic(Channel.STATUS)] = state
        self.pump()

    # --- what a kiosk says --------------------------------------------------------------------

    def status_payload(self, state: str) -> str:
        session_s = None
        if self.session is not None:
            session_s = round(
                (time.monotonic() - self.session_started) * self.fleet.config.speed, 1
            )
        return encode_status(
            state,
            version=VERSION,
            session_s=session_s,
            cpu_pct=round(self.rng.uniform(2, 60), 1),
            mem_pct=round(self.rng.uniform(30, 80), 1),
            disk_pct=round(self.rng.uniform(20, 90), 1),
            uptime_s=self.uptime0 + int(time.monotonic() - self.started),
            lang=self.lang,
            content_problems=0,
        ).decode("utf-8")

    def send_status(self) -> None:
        self.next_heartbeat = time.monotonic() + self.fleet.config.heartbeat_s
        self.queue(
            _Pending(Channel.STATUS, self.status_payload(self.state), retain=True, state=self.state)
        )

    def event(self, event_type: str, **fields: Any) -> None:
        event_id = random_id(self.rng)
        self.queue(
            _Pending(
                Channel.EVENTS,
                event_json(event_id, event_type, self.session, **fields),
                event_id=event_id,
            )
        )

    def help(self, state: str, task: str | None = None, step: int | None = None) -> None:
        assert self.help_request is not None
        change = HelpChange(self.help_request, state, utc_now(), task, step, self.lang)
        self.queue(_Pending(Channel.HELP, encode_help(change).decode("utf-8"), retain=True))
        self.help_state = state

    def on_message(self, message: Message) -> None:
        try:
            topic = Topic.parse(message.topic)
            if topic.channel is Channel.HELP_REPLY:
                change = decode_help(Channel.HELP_REPLY, message.payload)
                if change.request == self.help_request:
                    if change.state == "claimed" and self.help_state == "open":
                        self.help_state = "claimed"
                    elif change.state == "resolved":
                        self.help_request = self.help_state = None
            elif topic.channel is Channel.CMD:
                command = decode_command(message.payload)
                self.queue(_Pending(Channel.CMD_ACK, encode_ack(command.id, True).decode()))
                if command.id not in self.answered:
                    self.answered.add(command.id)
                    self.fleet.commands_answered += 1
        except Exception:  # a simulated kiosk ignores what it cannot read, like the real one
            self.fleet.failures += 1

    # --- a visit ------------------------------------------------------------------------------

    async def _pause(self, simulated_s: float) -> None:
        await asyncio.sleep(max(0.0, simulated_s) / self.fleet.config.speed)

    async def visit(self) -> None:
        config, rng = self.fleet.config, self.rng
        self.fleet.visits += 1
        self.session = random_id(rng)
        self.session_started = time.monotonic()
        self.lang = _pick(rng, LANGS)
        length = rng.expovariate(1 / (config.session_minutes * 60))
        ends_at = time.monotonic() + length / config.speed
        self.event("session_started", lang=self.lang)
        self.state = "in_session"
        self.send_status()
        if rng.random() < 0.10:
            await self._pause(rng.uniform(5, 30))
            self.lang = _pick(rng, LANGS)
            self.event("language_changed", lang=self.lang)
        if rng.random() < 0.15:
            self.event("accessibility_changed", setting="text_size", value=rng.choice([150, 200]))
        wants_help = rng.random() < config.help_share
        task = step = None
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
            if time.monotonic() >= ends_at:
                break
            task, steps = rng.choice(TASKS), rng.randint(3, 8)
            self.event("task_started", task=task)
            self.event("task_step", task=task, step=0)
            step = 0
            reach = rng.randint(1, steps)
            while step < reach - 1 and time.monotonic() < ends_at:
                await self._pause(rng.uniform(20, 120))
                step += 1
                self.event("task_step", task=task, step=step)
                if rng.random() < 0.3:
                    self.event("site_opened", site_key=rng.choice(SITE_KEYS))
                if wants_help and self.help_request is None and rng.random() < 0.4:
                    self._call_buddy(task, step)
            if reach == steps and rng.random() < 0.8:
                self.event("task_completed", task=task)
            else:
                self.event("task_abandoned", task=task, step=step)
            task = step = None
        if wants_help and self.help_request is None:
            self._call_buddy(None, None)
        while time.monotonic() < ends_at and rng.random() < 0.5:
            await self._pause(rng.uniform(30, 240))
            self.event("site_opened", site_key=rng.choice(SITE_KEYS))
        await asyncio.sleep(max(0.0, ends_at - time.monotonic()))
        self.end_visit(_pick(rng, END_REASONS))

    def _call_buddy(self, task: str | None, step: int | None) -> None:
        self.fleet.help_calls += 1
        self.help_request = random_id(self.rng)
        self.event("help_requested", request=self.help_request, task=task)
        self.help("open", task, step)

    def end_visit(self, reason: str) -> None:
        if self.session is None:
            return
        if self.help_request is not None and self.help_state in ("open", "claimed"):
            self.help("cancelled")
        self.help_request = self.help_state = None
        duration = (time.monotonic() - self.session_started) * self.fleet.config.speed
        self.event("session_ended", reason=reason, duration_s=round(min(duration, 604_800), 1))
        self.session = None
        self.state = "idle"
        self.lang = "nl"
        self.send_status()

    async def run(self, delay: float) -> None:
        fleet = self.fleet
        config = fleet.config
        await asyncio.sleep(delay)
        if fleet.stopping.is_set():
            return
        will = Will(self.topic(Channel.STATUS), encode_will())
        try:
            self.connection = await connect(
                *fleet.address(self.site),
                f"kiosk-{self.site}-{self.machine}",
                keepalive=config.keepalive,
                will=will,
                on_message=self.on_message,
            )
            await self.connection.subscribe(
                [(self.topic(Channel.HELP_REPLY), 1), (self.topic(Channel.CMD), 1)]
            )
        except (OSError, MqttError, TimeoutError):
            fleet.failures += 1
            return
        fleet.connected += 1
        if fleet.connected == config.kiosks:
            fleet.all_connected.set()
        self.send_status()
        # Heartbeats are staggered over the period, as real kiosks start at different times.
        self.next_heartbeat = time.monotonic() + self.rng.uniform(0, config.heartbeat_s)
        mean_gap = 3600 / config.sessions_per_hour if config.sessions_per_hour > 0 else math.inf
        while not fleet.stopping.is_set():
            gap = self.rng.expovariate(1 / mean_gap) / config.speed if mean_gap < math.inf else 3600
            try:
                await asyncio.wait_for(fleet.stopping.wait(), timeout=gap)
                break
            except TimeoutError:
                pass
            visit = asyncio.ensure_future(self.visit())
            stop = asyncio.ensure_future(fleet.stopping.wait())
            await asyncio.wait({visit, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not visit.done():
                visit.cancel()
                self.end_visit("shutdown")
            stop.cancel()

    async def goodbye(self, timeout: float) -> None:
        """As KioskLink.stop: everything acknowledged, a retained ``offline``, DISCONNECT."""
        connection = self.connection
        if connection is None or not connection.is_open:
            return
        self.queue(
            _Pending(
                Channel.STATUS, encode_status("offline").decode(), retain=True, state="offline"
            )
        )
        deadline = time.monotonic() + timeout
        while (self.pending or connection.inflight) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            self.pump()
        connection.disconnect()


# --- buddy desks --------------------------------------------------------------------------------


class SimBuddy:
    """A buddy desk of one site: claims each open call after a while, then resolves it."""

    def __init__(self, fleet: Fleet, site: str, seed: int) -> None:
        self.fleet = fleet
        self.site = site
        self.rng = random.Random(seed)
        self.name = self.rng.choice(BUDDY_NAMES)
        self.connection: MqttConnection | None = None
        self.calls: dict[str, str] = {}  # request -> state
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        fleet = self.fleet
        try:
            self.connection = await connect(
                *fleet.address(self.site),
                f"buddy-{self.site}-{self.rng.getrandbits(32):08x}",
                on_message=self.on_message,
            )
            await self.connection.subscribe([(topic_filter(Channel.HELP, self.site), 1)])
        except (OSError, MqttError, TimeoutError):
            fleet.failures += 1

    def on_message(self, message: Message) -> None:
        if message.retain:
            return  # a call left from before this run: not ours to answer
        try:
            topic = Topic.parse(message.topic)
            change = decode_help(Channel.HELP, message.payload)
        except Exception:
            self.fleet.failures += 1
            return
        if change.state == "open":
            self.calls[change.request] = "open"
            task = asyncio.ensure_future(self.answer(topic.machine, change.request))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        else:
            self.calls.pop(change.request, None)

    async def answer(self, machine: str, request: str) -> None:
        config = self.fleet.config
        await asyncio.sleep(self.rng.expovariate(1 / config.buddy_claim_s) / config.speed)
        for state in ("claimed", "resolved"):
            if request not in self.calls or self.connection is None:
                return
            change = HelpChange(request, state, utc_now(), buddy=self.name)
            topic = str(Topic(self.site, machine, Channel.HELP_REPLY))
            try:
                future = self.connection.publish(topic, encode_help(change), qos=1, retain=True)
            except MqttError:
                self.fleet.failures += 1
                return
            self.fleet.sent[Channel.HELP_REPLY.value] += 1
            future.add_done_callback(self._acked)
            await asyncio.sleep(self.rng.uniform(60, 600) / config.speed)
        self.calls.pop(request, None)

    def _acked(self, future: asyncio.Future[None]) -> None:
        if future.cancelled() or future.exception() is not None:
            self.fleet.failures += 1
        else:
            self.fleet.acked[Channel.HELP_REPLY.value] += 1


# --- the fleet ----------------------------------------------------------------------------------


class Fleet:
    """N simulated kiosks and their sites' buddy desks on one broker, in one asyncio loop.

    ``site_ports``: a site broker per site (site name -> port on ``host``), as in a fleet of
    rooms whose brokers are bridged to the centre; a site not in it uses ``port``.
    """

    def __init__(
        self,
        config: FleetConfig,
        host: str,
        port: int,
        *,
        keep_event_ids: bool = False,
        site_ports: dict[str, int] | None = None,
    ) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.site_ports = dict(site_ports or {})
        self.site_events: Counter[str] = Counter()  # acknowledged event ids, by site
        self.sent: Counter[str] = Counter()
        self.acked: Counter[str] = Counter()
        self.events_acked = 0
        self.event_ids: list[str] | None = [] if keep_event_ids else None
        self.last_status: dict[str, str] = {}
        self.puback_ms: list[float] = []
        self.visits = 0
        self.help_calls = 0
        self.commands_answered = 0
        self.failures = 0
        self.connected = 0
        self.stopping = asyncio.Event()
        self.stopped_at = math.inf
        self.all_connected = asyncio.Event()
        rng = random.Random(config.seed)
        self.kiosks = [
            SimKiosk(
                self,
                f"{config.site_prefix}-{i // config.kiosks_per_site:03d}",
                f"pc-{i % config.kiosks_per_site:03d}",
                rng.getrandbits(64),
            )
            for i in range(config.kiosks)
        ]
        sites = sorted({k.site for k in self.kiosks})
        self.buddies = (
            [SimBuddy(self, site, rng.getrandbits(64)) for site in sites] if config.buddies else []
        )

    def site_names(self) -> list[str]:
        return sorted({kiosk.site for kiosk in self.kiosks})

    def address(self, site: str) -> tuple[str, int]:
        """Where this site's kiosks and buddy desk connect: its own broker, or the one."""
        return self.host, self.site_ports.get(site, self.port)

    def connections(self) -> Iterable[MqttConnection]:
        for member in (*self.kiosks, *self.buddies):
            if member.connection is not None:
                yield member.connection

    async def _heartbeats(self) -> None:
        while not self.stopping.is_set():
            now = time.monotonic()
            for kiosk in self.kiosks:
                if kiosk.connection is not None and now >= kiosk.next_heartbeat:
                    kiosk.send_status()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=0.25)

    async def run(
        self, on_connected: Callable[[], None] | None = None, drain_timeout: float = 60.0
    ) -> FleetReport:
        config = self.config
        started = time.monotonic()
        await asyncio.gather(*(buddy.run() for buddy in self.buddies))
        pinger = asyncio.ensure_future(
            keep_alive(self.connections, config.keepalive, self.stopping)
        )
        runners = [
            asyncio.ensure_future(kiosk.run(i / config.connect_rate))
            for i, kiosk in enumerate(self.kiosks)
        ]
        ramp = config.kiosks / config.connect_rate + 30
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_connected.wait(), timeout=ramp)
        connected_at = time.monotonic()
        self.puback_ms.clear()  # latencies of the steady state, not of the ramp
        gc.freeze()  # thousands of long-lived connections: keep them out of full collections
        if on_connected is not None:
            on_connected()
        beats = asyncio.ensure_future(self._heartbeats())
        await asyncio.sleep(config.duration_s)
        self.stopped_at = time.monotonic()
        self.stopping.set()
        run_s = time.monotonic() - connected_at
        await asyncio.gather(*runners, beats, return_exceptions=True)
        drain_start = time.monotonic()
        await asyncio.gather(*(kiosk.goodbye(drain_timeout) for kiosk in self.kiosks))
        for buddy in self.buddies:
            for task in buddy.tasks:
                task.cancel()
            if buddy.connection is not None:
                buddy.connection.disconnect()
        drain_s = time.monotonic() - drain_start
        await pinger
        gc.unfreeze()  # let a process that runs several fleets free this one
        ordered = sorted(self.puback_ms)
        return FleetReport(
            kiosks=config.kiosks,
            sites=config.sites,
            connected=self.connected,
            connect_s=round(connected_at - started, 2),
            run_s=round(run_s, 2),
            drain_s=round(drain_s, 2),
            sent=dict(self.sent),
            acked=dict(self.acked),
            events_acked=self.events_acked,
            visits=self.visits,
            help_calls=self.help_calls,
            commands_answered=self.commands_answered,
            failures=self.failures,
            puback_ms_p50=round(ordered[len(ordered) // 2], 2) if ordered else math.nan,
            puback_ms_p99=round(ordered[int(len(ordered) * 0.99)], 2) if ordered else math.nan,
            last_status=dict(self.last_status),
        )


# --- floods: as many messages as the broker takes, from many connections -----------------------


@dataclass
class FloodReport:
    connections: int
    messages: int
    events: int
    seconds: float
    connect_s: float

    @property
    def messages_per_s(self) -> float:
        return self.messages / self.seconds if self.seconds else math.nan


async def flood(
    host: str,
    port: int,
    payloads: list[list[tuple[str, bytes]]],
    *,
    window: int = 8,
    events_per_message: int = 1,
    client_prefix: str = "flood",
) -> FloodReport:
    """Each inner list is one connection's messages (topic, payload), sent at QoS 1 through a
    window of ``window`` unacknowledged messages; returns when every PUBACK is in."""
    t0 = time.monotonic()
    connections = await asyncio.gather(
        *(connect(host, port, f"{client_prefix}-{i}", keepalive=120) for i in range(len(payloads)))
    )
    connect_s = time.monotonic() - t0
    done = asyncio.get_running_loop().create_future()
    remaining = [sum(len(p) for p in payloads)]
    failures: list[BaseException] = []

    def pump(connection: MqttConnection, queue: deque[tuple[str, bytes]]) -> None:
        while queue and connection.inflight < window:
            topic, payload = queue.popleft()
            future = connection.publish(topic, payload, qos=1)
            future.add_done_callback(lambda f, c=connection, q=queue: acked(f, c, q))

    def acked(
        future: asyncio.Future[None], connection: MqttConnection, queue: deque[tuple[str, bytes]]
    ) -> None:
        if future.exception() is not None:
            failures.append(future.exception())  # type: ignore[arg-type]
        remaining[0] -= 1
        if remaining[0] == 0 and not done.done():
            done.set_result(None)
        pump(connection, queue)

    start = time.monotonic()
    for connection, messages in zip(connections, payloads, strict=True):
        pump(connection, deque(messages))
    if remaining[0]:
        await done
    seconds = time.monotonic() - start
    for connection in connections:
        connection.disconnect()
    if failures:
        raise MqttError(f"{len(failures)} messages were not acknowledged: {failures[0]}")
    total = sum(len(p) for p in payloads)
    return FloodReport(len(payloads), total, total * events_per_message, seconds, connect_s)


def single_event_payloads(
    kiosks: int, per_kiosk: int, seed: int = 1, site_prefix: str = "flood"
) -> tuple[list[list[tuple[str, bytes]]], list[str]]:
    """``per_kiosk`` one-event batches for each of ``kiosks`` kiosks; and all the event ids."""
    mix = EventMix(seed)
    payloads: list[list[tuple[str, bytes]]] = []
    ids: list[str] = []
    for i in range(kiosks):
        site, machine = f"{site_prefix}-{i // 10:03d}", f"pc-{i % 10:03d}"
        topic = str(Topic(site, machine, Channel.EVENTS))
        mine = []
        for _ in range(per_kiosk):
            event_id, text = mix.one()
            ids.append(event_id)
            mine.append((topic, encode_wire_batch(site, machine, [text])))
        payloads.append(mine)
    return payloads, ids


def batch_payloads(
    kiosks: int, batches_per_kiosk: int, batch_size: int = 500, seed: int = 1
) -> list[list[tuple[str, bytes]]]:
    """``batches_per_kiosk`` batches of ``batch_size`` events for each of ``kiosks`` kiosks."""
    mix = EventMix(seed)
    payloads: list[list[tuple[str, bytes]]] = []
    for i in range(kiosks):
        site, machine = f"batch-{i // 10:03d}", f"pc-{i % 10:03d}"
        topic = str(Topic(site, machine, Channel.EVENTS))
        payloads.append(
            [
                (
                    topic,
                    encode_wire_batch(site, machine, [mix.one()[1] for _ in range(batch_size)]),
                )
                for _ in range(batches_per_kiosk)
            ]
        )
    return payloads


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Simulated kiosks speaking docs/protocol.md against a broker."
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--broker", help="mqtt://127.0.0.1:PORT (loopback only)")
    where.add_argument(
        "--own-broker",
        action="store_true",
        help="start a private Mosquitto with the dev config on a free port",
    )
    defaults = FleetConfig()
    parser.add_argument("--kiosks", type=int, default=defaults.kiosks)
    parser.add_argument("--kiosks-per-site", type=int, default=defaults.kiosks_per_site)
    parser.add_argument("--heartbeat", type=float, default=defaults.heartbeat_s, help="seconds")
    parser.add_argument("--sessions-per-hour", type=float, default=defaults.sessions_per_hour)
    parser.add_argument("--session-minutes", type=float, default=defaults.session_minutes)
    parser.add_argument("--help-share", type=float, default=defaults.help_share)
    parser.add_argument("--buddy-claim", type=float, default=defaults.buddy_claim_s, help="s")
    parser.add_argument("--no-buddies", action="store_true")
    parser.add_argument("--speed", type=float, default=defaults.speed, help="visit time ×")
    parser.add_argument("--duration", type=float, default=defaults.duration_s, help="seconds")
    parser.add_argument("--connect-rate", type=float, default=defaults.connect_rate)
    parser.add_argument("--window", type=int, default=defaults.window)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--summary", help="write the report as JSON here")
    parser.add_argument("--ids-out", help="write every acknowledged event id here, one a line")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> FleetConfig:
    return FleetConfig(
        kiosks=args.kiosks,
        kiosks_per_site=args.kiosks_per_site,
        heartbeat_s=args.heartbeat,
        sessions_per_hour=args.sessions_per_hour,
        session_minutes=args.session_minutes,
        help_share=args.help_share,
        buddy_claim_s=args.buddy_claim,
        buddies=not args.no_buddies,
        speed=args.speed,
        duration_s=args.duration,
        connect_rate=args.connect_rate,
        window=args.window,
        seed=args.seed,
    )


def main(argv: list[str] | None = None) -> int:
    from tests.harness import LOOPBACK, Mosquitto, raise_fd_limit

    args = parse_args(argv)
    raise_fd_limit()
    config = config_from(args)
    broker: Mosquitto | None = None
    if args.own_broker:
        broker = Mosquitto().start()
        host, port = LOOPBACK, broker.port
        print(f"mosquitto on {broker.url}", flush=True)
    else:
        settings = parse_broker_url(args.broker)
        if settings.host not in ("127.0.0.1", "localhost", "::1"):
            print("the simulator only talks to a broker on this machine (loopback)")
            return 2
        host, port = settings.host, settings.port
    try:
        fleet = Fleet(config, host, port, keep_event_ids=bool(args.ids_out))

        def connected() -> None:
            print(f"{fleet.connected} kiosks connected", flush=True)

        report = asyncio.run(fleet.run(connected))
    finally:
        if broker is not None:
            broker.stop()
    summary = asdict(report)
    summary.pop("last_status")
    print(json.dumps(summary), flush=True)
    if args.summary:
        Path(args.summary).write_text(json.dumps(asdict(report), indent=1))
    if args.ids_out and fleet.event_ids is not None:
        Path(args.ids_out).write_text("\n".join(fleet.event_ids) + "\n")
    return 0 if report.failures == 0 and report.connected == config.kiosks else 1


if __name__ == "__main__":
    sys.exit(main())
