"""The queue keeper at work in ``admin-console serve``: the keeper's reckoning
(queue_keeper.py), seeded from the database, fed by its MQTT link, published per site.

- At start, the database's truth: open and claimed calls (help_queue.changes_from_record), open
  shifts, the check-in ids already taken, and each site's recent handling times; a restarted
  serve publishes the same queue as before.
- On every change of a site: that site's ``_site/queue`` (and on a check-in its ``_site/duty``),
  retained, QoS 1. Every 60 s: stale calls expire and every site is published again, also each
  room whose bridge the centre has seen (``bridges/SITE/state``): the kiosks behind a bridge
  take that minute's queue as the centre's word that their line is alive.

One thread publishes, so that a burst (the retained help messages of a whole fleet at connect)
makes one publish per site, not one per message; paho's thread only marks sites to publish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_console.desk.help_queue import changes_from_record
from admin_console.desk.queue_keeper import (
    DEFAULT_EXPIRY,
    HANDLE_WINDOW,
    CheckinResult,
    QueueKeeper,
    SitePolicy,
)
from admin_console.links.queue_keeper import KeeperCallbacks, QueueKeeperLink
from admin_console.store.orm import BuddyShiftRow, HelpRequestRow
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.config_schema import SiteTable
from kiosk.wire.protocol import (
    CheckIn,
    HelpChange,
    SiteChannel,
    encode_duty,
    encode_queue,
    utc_now,
)

log = logging.getLogger("admin_console.queue_keeper")

TICK_S = 60.0


def policies_from_config(sites: Mapping[str, SiteTable]) -> dict[str, SitePolicy]:
    """``[sites.NAME]`` of the admin console's config as the keeper's policies."""
    return {
        name: SitePolicy(table.rota() if table.permanences else None, table.off_duty_calls)
        for name, table in sites.items()
    }


@dataclass(frozen=True)
class QueueServiceOptions:
    client_id: str = "queue-keeper"
    timezone: str = "Europe/Brussels"
    expiry: timedelta = DEFAULT_EXPIRY
    tick_s: float = TICK_S


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def seed_from_database(keeper: QueueKeeper, engine: Engine, now: datetime) -> dict[str, int]:
    """The database's open and claimed calls, open shifts, taken check-in ids and recent
    handling times, into ``keeper``. Returns what it took, for the log."""
    taken = {"calls": 0, "shifts": 0, "handling": 0}
    since = _naive(now) - keeper.expiry
    with Session(engine) as session:
        rows = session.execute(
            select(HelpRequestRow)
            .where(HelpRequestRow.state.in_(("open", "claimed")))
            .where(HelpRequestRow.opened >= since)
            .order_by(HelpRequestRow.opened)
        ).scalars()
        for row in rows:
            changes = changes_from_record(
                row.id,
                row.state,
                row.opened,
                row.claimed,
                row.closed,
                task=row.task,
                step=row.step,
                lang=row.lang,
                buddy=row.buddy,
            )
            for change in changes:
                keeper.apply_help(row.site, row.machine, change, change.ts)
            taken["calls"] += 1
        for shift in session.execute(
            select(BuddyShiftRow).where(BuddyShiftRow.ended.is_(None))
        ).scalars():
            keeper.seed_shift(shift.site, shift.id, shift.buddy, _aware(shift.started))
            taken["shifts"] += 1
        recent = _naive(now) - timedelta(days=14)
        closed = session.execute(
            select(BuddyShiftRow.id, BuddyShiftRow.ended_by).where(BuddyShiftRow.started >= recent)
        ).all()
        keeper.seed_checkin_ids(i for pair in closed for i in pair if i)
        sites = set(keeper.sites()) | set(
            session.execute(select(HelpRequestRow.site).distinct()).scalars()
        )
        for site in sorted(sites):
            done = session.execute(
                select(HelpRequestRow.claimed, HelpRequestRow.closed)
                .where(HelpRequestRow.site == site, HelpRequestRow.state == "resolved")
                .where(HelpRequestRow.claimed.is_not(None), HelpRequestRow.closed.is_not(None))
                .order_by(HelpRequestRow.closed.desc())
                .limit(HANDLE_WINDOW)
            ).all()
            if done:
                spent = [
                    (closed - claimed).total_seconds()
                    for claimed, closed in reversed(done)
                    if claimed is not None and closed is not None
                ]
                keeper.seed_handling(site, spent)
                taken["handling"] += len(spent)
    return taken


class QueueService:
    """The keeper, its link and its publishing thread. ``start`` seeds and connects."""

    def __init__(
        self,
        settings: BrokerSettings,
        policies: Mapping[str, SitePolicy],
        options: QueueServiceOptions,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.keeper = QueueKeeper(policies, options.timezone, options.expiry)
        self._options = options
        self._clock = clock
        self._lock = threading.Lock()  # around the keeper and the set of sites to publish
        self._dirty: dict[str, bool] = {}  # site → its duty roster too
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0
        self.link = QueueKeeperLink(
            settings,
            options.client_id,
            KeeperCallbacks(self._help_change, self._checkin, self._connection, self._bridge),
        )

    # --- life -----------------------------------------------------------------------------------

    def seed(self, engine: Engine) -> dict[str, int]:
        with self._lock:
            taken = seed_from_database(self.keeper, engine, self._clock())
            for site in self.keeper.sites():
                self._dirty[site] = True
        log.info(
            "queue keeper: %d calls, %d shifts and %d handling times from the database",
            taken["calls"],
            taken["shifts"],
            taken["handling"],
        )
        return taken

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="queue-keeper", daemon=True)
        self._thread.start()
        self.link.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
        self.link.stop()

    # --- paho's thread --------------------------------------------------------------------------

    def _help_change(self, site: str, machine: str, change: HelpChange, received: datetime) -> None:
        with self._lock:
            if self.keeper.apply_help(site, machine, change, received):
                self._dirty.setdefault(site, False)
            else:
                return
        self._wake.set()

    def _bridge(self, site: str) -> None:
        """A room with its own broker: its queue goes out every tick from now on, so that its
        kiosks can tell a silent line from a quiet centre (kiosk/uplink/bridge_hold.py)."""
        with self._lock:
            if not self.keeper.know(site):
                return
            self._dirty.setdefault(site, False)
        self._wake.set()

    def _checkin(self, site: str, checkin: CheckIn, received: datetime) -> None:
        with self._lock:
            result = self.keeper.apply_checkin(site, checkin, received)
            if result in (CheckinResult.STARTED, CheckinResult.ENDED):
                self._dirty[site] = True
        if result in (CheckinResult.STARTED, CheckinResult.ENDED):
            self._wake.set()
        elif result is not CheckinResult.REPEATED:
            log.info("queue keeper: a check-in of %s changed nothing (%s)", site, result.value)

    def _connection(self, online: bool) -> None:
        if online:  # what was published while away may be lost with a new session: all again
            with self._lock:
                for site in self.keeper.sites():
                    self._dirty[site] = True
            self._wake.set()

    # --- the publishing thread ------------------------------------------------------------------

    def _run(self) -> None:
        next_tick = time.monotonic() + self._options.tick_s
        while not self._stop.is_set():
            self._wake.wait(max(0.0, next_tick - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                break
            now = self._clock()
            with self._lock:
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self._options.tick_s
                    for site in self.keeper.expire(now):
                        self._dirty.setdefault(site, False)
                    for site in self.keeper.sites():
                        self._dirty[site] = True
                dirty, self._dirty = self._dirty, {}
                out = [
                    (
                        site,
                        encode_queue(self.keeper.queue(site, now)),
                        encode_duty(self.keeper.duty(site, now)) if duty else None,
                    )
                    for site, duty in sorted(dirty.items())
                ]
            for site, queue, duty in out:
                try:
                    self.link.publish(site, SiteChannel.QUEUE, queue)
                    if duty is not None:
                        self.link.publish(site, SiteChannel.DUTY, duty)
                    self.published += 1
                except Exception:  # a fault here must not stop serve: next change or tick
                    log.exception("queue keeper: could not publish the queue of %s", site)
