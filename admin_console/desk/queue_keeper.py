"""The queue keeper's reckoning, without Qt, MQTT or a database: per site, who waits, who is on
duty, and how long a visitor may have to wait (docs/protocol.md, "Site channels").

It takes help changes (``open`` / ``claimed`` / ``resolved`` / ``cancelled`` / ``expired``),
check-ins and the clock, and gives per site the :class:`SiteQueue` that kiosks read ("U bent de
tweede. Ongeveer 4 minuten.") and the :class:`DutyRoster` that desks read. ``admin-console
serve`` runs it (admin_console/desk/queue_service.py) and publishes both, retained.

Rules it keeps:

- A call is waiting while it is ``open``; a claimed call is counted in ``claimed``; a final
  state removes it for good (a late ``open`` for it changes nothing). Calls older than the
  expiry (by the time the kiosk opened them, as the buddy desk and the aggregator count) are
  dropped, as the aggregator expires them.
- ``handle_s``: the median claimed → resolved time of the site's last 20 calls, 300 s until 5
  are known.
- ``eta_s``: with *k* buddies on duty (at least 1) of whom *c* are on a claimed call,
  free = max(0, k − c); place p waits 60 s when p ≤ free, else ⌈(p − free) / k⌉ × handle_s.
- ``on_duty`` is None for a site without a rota; ``next_duty`` (the next start of a permanence
  within 7 days, in the fleet's time zone) only when nobody is on duty.
- Check-ins count once by id; a shift starts and ends at the time the keeper *received* the
  check-in, never at the desk's ``ts``. A second ``in`` for a buddy on duty and an ``out`` for
  a buddy who is not are no-ops, counted (``duplicate_checkin``, ``checkout_without_checkin``).

It never keeps a visitor's data: calls are random ids with a machine name; buddies' names are
volunteers' own, and go only to desks and consoles (the duty roster).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.wire.opening_hours import OpeningHours
from kiosk.wire.protocol import (
    MAX_ETA_S,
    MAX_QUEUE,
    CheckIn,
    DutyRoster,
    HelpChange,
    HelpState,
    OnDuty,
    QueuePlace,
    SiteQueue,
    help_advances,
)

DEFAULT_HANDLE_S = 300  # until the site has HANDLE_KNOWN handling times
HANDLE_KNOWN = 5
HANDLE_WINDOW = 20  # the site's last calls the median is taken over
WALK_S = 60  # the walk over, when a buddy is free
NEXT_DUTY_WITHIN = timedelta(days=7)
DEFAULT_EXPIRY = timedelta(hours=2)
_REMEMBERED = 100_000  # finished requests and check-in ids kept (to ignore late repeats)


@dataclass(frozen=True)
class SitePolicy:
    """What the config says of a site: its rota (None or empty: no permanences) and where a
    call goes while nobody is on duty (``staff`` or ``none``)."""

    rota: OpeningHours | None = None
    off_duty_calls: str = "staff"

    @property
    def has_rota(self) -> bool:
        return self.rota is not None and not self.rota.always_open


class CheckinResult(StrEnum):
    STARTED = "started"  # a shift began
    ENDED = "ended"  # a shift ended
    REPEATED = "repeated"  # this check-in's id was taken before: nothing happens
    DUPLICATE_CHECKIN = "duplicate_checkin"  # "in" for a buddy already on duty
    CHECKOUT_WITHOUT_CHECKIN = "checkout_without_checkin"  # "out" for a buddy not on duty


@dataclass
class _Call:
    request: str
    machine: str
    state: HelpState
    seen: datetime  # when the keeper first heard of it
    opened: datetime | None = None  # the kiosk's ts of "open"
    claimed: datetime | None = None  # the desk's ts of "claimed"

    @property
    def since(self) -> datetime:
        return self.opened or self.seen


@dataclass
class _Site:
    calls: dict[str, _Call] = field(default_factory=dict)
    handled: deque[float] = field(default_factory=lambda: deque(maxlen=HANDLE_WINDOW))
    on_duty: dict[str, OnDuty] = field(default_factory=dict)  # by the name, case-folded


def _key(buddy: str) -> str:
    return buddy.strip().casefold()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class _Remembered:
    """A bounded set: the oldest entries go first."""

    def __init__(self, limit: int = _REMEMBERED) -> None:
        self._items: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def __contains__(self, item: str) -> bool:
        return item in self._items

    def add(self, item: str) -> None:
        self._items[item] = None
        self._items.move_to_end(item)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)


def eta_seconds(place: int, on_duty: int, claimed: int, handle_s: int) -> int:
    """The estimated wait of the call at ``place`` (1-based), in whole seconds."""
    k = max(1, on_duty)
    free = max(0, k - claimed)
    if place <= free:
        return min(WALK_S, MAX_ETA_S)
    return min(math.ceil((place - free) / k) * handle_s, MAX_ETA_S)


def handle_seconds(durations: Iterable[float]) -> int:
    """The median of the handling times (the last 20), or 300 s while fewer than 5 are known."""
    known = list(durations)[-HANDLE_WINDOW:]
    if len(known) < HANDLE_KNOWN:
        return DEFAULT_HANDLE_S
    return max(0, min(round(statistics.median(known)), MAX_ETA_S))


def next_duty(rota: OpeningHours, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the next permanence starts after ``now``, within 7 days (UTC); None if none does.

    The rota is in local time (``zone``); a permanence going on now but with nobody checked in
    is not "next": the kiosk names the next one that starts."""
    now = _aware(now)
    local = now.astimezone(zone)
    # A week in wall time: next Monday 09:00 is "within 7 days" of this Monday 09:00 also when
    # the clocks change in between (the sum of an aware datetime and a timedelta is local).
    limit = (local + NEXT_DUTY_WITHIN).astimezone(UTC)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for opens, _closes in rota.periods.get(day.weekday(), ()):
            start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
            if now < start <= limit:
                return start
    return None


class QueueKeeper:
    """Every site's calls and check-ins; the queue and the roster each site should show.

    Not thread-safe: the caller holds one lock around it (the MQTT thread applies, the
    publishing thread reads)."""

    def __init__(
        self,
        policies: Mapping[str, SitePolicy] | None = None,
        timezone: str = "Europe/Brussels",
        expiry: timedelta = DEFAULT_EXPIRY,
    ) -> None:
        self._policies = dict(policies or {})
        self._zone = ZoneInfo(timezone)
        self._expiry = expiry
        self._sites: dict[str, _Site] = {name: _Site() for name in self._policies}
        self._where: dict[str, tuple[str, str]] = {}  # request → (site, machine)
        self._finished = _Remembered()
        self._checkins = _Remembered()
        self.counts: Counter[str] = Counter()

    @property
    def expiry(self) -> timedelta:
        return self._expiry

    # --- what comes in ------------------------------------------------------------------------

    def _site(self, site: str) -> _Site:
        found = self._sites.get(site)
        if found is None:
            found = self._sites[site] = _Site()
        return found

    def know(self, site: str) -> bool:
        """A site to publish for even with no call yet (a room's bridge was seen: its kiosks
        hear the centre through the queue every minute). True when it was new."""
        if site in self._sites:
            return False
        self._site(site)
        return True

    def apply_help(self, site: str, machine: str, change: HelpChange, received: datetime) -> bool:
        """One help change as it came (``received``: when); True when the site's queue changed."""
        request = change.request
        if request in self._finished:
            return False
        where = self._where.get(request)
        if where is not None and where != (site, machine):
            self.counts["help_for_another_pc"] += 1
            return False  # a PC cannot touch another PC's call
        state = HelpState(change.state)
        place = self._site(site)
        call = place.calls.get(request)
        if call is None:
            if state not in (HelpState.OPEN, HelpState.CLAIMED):
                self._finished.add(request)  # a late (or retained) end of a call we never had
                return False
            call = _Call(request, machine, state, _aware(received))
            place.calls[request] = call
            self._where[request] = (site, machine)
            changed = True
        elif help_advances(call.state, state):
            changed = True
        else:
            changed = False
        if state == HelpState.OPEN and call.opened is None:
            call.opened = _aware(change.ts)
            changed = True
        elif state == HelpState.CLAIMED and call.claimed is None:
            call.claimed = _aware(change.ts)
        if changed and help_advances(call.state, state):
            call.state = state
        if state in (HelpState.RESOLVED, HelpState.CANCELLED, HelpState.EXPIRED) and changed:
            if state == HelpState.RESOLVED and call.claimed is not None:
                spent = (_aware(change.ts) - call.claimed).total_seconds()
                place.handled.append(max(0.0, spent))
            self._forget(site, request)
        return changed

    def _forget(self, site: str, request: str) -> None:
        self._sites[site].calls.pop(request, None)
        self._where.pop(request, None)
        self._finished.add(request)

    def apply_checkin(self, site: str, checkin: CheckIn, received: datetime) -> CheckinResult:
        """A buddy's check-in or check-out, at the time the keeper received it."""
        if checkin.id in self._checkins:
            return CheckinResult.REPEATED
        self._checkins.add(checkin.id)
        on_duty = self._site(site).on_duty
        key = _key(checkin.buddy)
        if checkin.state == "in":
            if key in on_duty:
                result = CheckinResult.DUPLICATE_CHECKIN
            else:
                on_duty[key] = OnDuty(checkin.buddy.strip(), _aware(received))
                return CheckinResult.STARTED
        elif key in on_duty:
            del on_duty[key]
            return CheckinResult.ENDED
        else:
            result = CheckinResult.CHECKOUT_WITHOUT_CHECKIN
        self.counts[result.value] += 1
        return result

    # --- what the database knows at a start ---------------------------------------------------

    def seed_shift(self, site: str, shift_id: str, buddy: str, started: datetime) -> None:
        """An open shift from the database: the buddy is on duty since ``started``."""
        self._checkins.add(shift_id)
        key = _key(buddy)
        on_duty = self._site(site).on_duty
        if key not in on_duty:
            on_duty[key] = OnDuty(buddy.strip(), _aware(started))

    def seed_checkin_ids(self, ids: Iterable[str]) -> None:
        """Check-ins already taken (closed shifts' ids): a redelivery of one does nothing."""
        for checkin in ids:
            self._checkins.add(checkin)

    def seed_handling(self, site: str, seconds: Iterable[float]) -> None:
        """The site's recent handling times, oldest first."""
        handled = self._site(site).handled
        for spent in seconds:
            handled.append(max(0.0, float(spent)))

    # --- time passes --------------------------------------------------------------------------

    def expire(self, now: datetime) -> set[str]:
        """Drop calls older than the expiry; returns the sites whose queue changed."""
        limit = _aware(now) - self._expiry
        changed: set[str] = set()
        for name, site in self._sites.items():
            for call in [c for c in site.calls.values() if c.since < limit]:
                self._forget(name, call.request)
                self.counts["expired"] += 1
                changed.add(name)
        return changed

    # --- what goes out ------------------------------------------------------------------------

    def sites(self) -> list[str]:
        return sorted(self._sites)

    def policy(self, site: str) -> SitePolicy:
        return self._policies.get(site) or SitePolicy()

    def handle_s(self, site: str) -> int:
        return handle_seconds(self._site(site).handled)

    def queue(self, site: str, now: datetime) -> SiteQueue:
        now = _aware(now)
        place = self._site(site)
        policy = self.policy(site)
        calls = list(place.calls.values())
        waiting = sorted(
            (c for c in calls if c.state == HelpState.OPEN), key=lambda c: (c.since, c.request)
        )[:MAX_QUEUE]
        claimed = min(sum(1 for c in calls if c.state == HelpState.CLAIMED), MAX_QUEUE)
        on_duty = len(place.on_duty)
        handle = self.handle_s(site)
        places = tuple(
            QueuePlace(call.request, eta_seconds(index + 1, on_duty, claimed, handle))
            for index, call in enumerate(waiting)
        )
        rota = policy.rota if policy.has_rota else None
        return SiteQueue(
            ts=now,
            waiting=places,
            claimed=claimed,
            on_duty=None if rota is None else min(on_duty, 1000),
            next_duty=None if rota is None or on_duty else next_duty(rota, self._zone, now),
            off_duty_calls=policy.off_duty_calls,
            handle_s=handle,
        )

    def duty(self, site: str, now: datetime) -> DutyRoster:
        on_duty = sorted(self._site(site).on_duty.values(), key=lambda b: (b.since, b.buddy))
        return DutyRoster(_aware(now), tuple(on_duty[:1000]))
