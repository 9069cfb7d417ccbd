"""The fleet, without Qt: every kiosk's last state and figures, and what needs a coordinator.

Live states come from the retained ``status`` topics, history from the aggregator's
``machines`` table; whichever was seen last wins. A kiosk that sends no heartbeat for
``stale_after`` counts as offline even before the broker publishes its will. Alerts: offline for
more than ``offline_alert_after`` during opening hours (counted from the opening time when it
went off overnight), a disk fuller than ``disk_alert_pct``, task files the kiosk had to leave
out, a printer that cannot print (while the kiosk is online, in opening hours), and a site
broker's bridge to the centre down for longer than ``cut_off_alert_after`` (one alert for the
site: its kiosks are not heard, not off). Opening hours come from the config's ``[fleet]``
table, in the suite's one format (kiosk.wire.opening_hours).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from admin_console.read.usage import MachineRecord
from admin_console.store.rollups import DEFAULT_TIMEZONE
from kiosk.wire.config import check
from kiosk.wire.config_schema import FleetTable
from kiosk.wire.opening_hours import OpeningHours, from_days_and_span
from kiosk.wire.protocol import Status, utc_now

DEFAULT_HOURS = from_days_and_span("mon-sat", "09:00-17:00")
ALWAYS = datetime.min.replace(tzinfo=UTC)  # the opening of a site that never closes


@dataclass(frozen=True)
class FleetSettings:
    hours: OpeningHours = DEFAULT_HOURS  # Monday to Saturday, 09:00-17:00
    offline_alert_after: timedelta = timedelta(minutes=10)
    disk_alert_pct: float = 90.0
    stale_after: timedelta = timedelta(minutes=3)  # three missed heartbeats
    timezone: str = DEFAULT_TIMEZONE
    # A site broker's bridge down for longer than this, during opening hours: one alert for the
    # site (its kiosks then raise none of their own: they are cut off, not off).
    cut_off_alert_after: timedelta = timedelta(minutes=30)

    @classmethod
    def from_config(cls, table: FleetTable | Mapping[str, Any]) -> FleetSettings:
        """The ``[fleet]`` table (schema: ``kiosk.wire.config_schema.FleetTable``):
        opening_hours (a table of days, or formerly a span with opening_days),
        offline_alert_minutes, disk_alert_pct, timezone; anything left out keeps its default."""
        if not isinstance(table, FleetTable):
            table = check(table, FleetTable, prefix=("fleet",))
        return cls(
            hours=table.hours(),
            offline_alert_after=timedelta(minutes=table.offline_alert_minutes),
            disk_alert_pct=table.disk_alert_pct,
            timezone=table.timezone,
        )

    @property
    def open_days(self) -> frozenset[int]:
        return frozenset(self.hours.periods)

    @property
    def opens(self) -> time | None:
        """The earliest opening of the week (None: always open)."""
        return min((p[0] for spans in self.hours.periods.values() for p in spans), default=None)

    @property
    def closes(self) -> time | None:
        """The latest closing of the week (None: always open)."""
        return max((p[1] for spans in self.hours.periods.values() for p in spans), default=None)

    def opening_of(self, moment: datetime) -> datetime | None:
        """When the sites opened (the start of the current opening period) if they are open at
        ``moment``; always open: the earliest time there is, so that an absence counts from
        when it began, also across midnight."""
        if self.hours.always_open:
            return ALWAYS
        opened = self.hours.opened_at(moment.astimezone(ZoneInfo(self.timezone)))
        return None if opened is None else opened.astimezone(UTC)

    def describe(self) -> str:
        return self.hours.describe()


@dataclass(frozen=True)
class Kiosk:
    site: str
    machine: str
    state: str
    last_seen: datetime  # aware UTC
    figures: dict[str, Any] = field(default_factory=dict)
    offline_since: datetime | None = None

    def figure(self, name: str) -> float | None:
        value = self.figures.get(name)
        return float(value) if isinstance(value, int | float) else None

    @property
    def version(self) -> str:
        return str(self.figures.get("version", ""))


@dataclass(frozen=True)
class Bridge:
    """A site broker's bridge to the centre, from Mosquitto's notification (docs/broker.md)."""

    site: str
    up: bool
    since: datetime  # aware UTC: when this state was first heard (a retained one: on arrival)
    # False when the state was first heard as a retained message (the console started after
    # it changed): ``since`` is then when the console learnt it; it began at that time or earlier.
    since_known: bool = True


# The status's ``printer`` values that mean it cannot print (kiosk.wire.protocol.PRINTER_STATES
# less "ok"; null: no printer configured).
PRINTER_PROBLEMS = ("missing", "stopped", "no_paper", "offline", "jammed", "other")


@dataclass(frozen=True)
class Alert:
    site: str
    machine: str  # "" for an alert about the whole site (cut_off)
    kind: str  # offline | disk | content | printer | cut_off
    message: str  # in English, for logs; the windows show it translated (ui/language.py)
    value: float = 0.0  # minutes offline or cut off, disk %, task files left out
    detail: str = ""  # printer: the problem (one of PRINTER_PROBLEMS)


@dataclass(frozen=True)
class SiteBroker:
    """A site broker as the fleet view shows it: its bridge, the kiosks seen through it (the
    site's kiosks: all of them talk to their room's broker), and its alert if it has one."""

    bridge: Bridge
    kiosks: int
    heard: int  # of them, heard from within ``stale_after``
    alert: Alert | None = None
    # Messages still in the room on their way to the centre: the sum of its kiosks' last
    # ``waiting`` (their outboxes; events wait there while the line is down). None: no kiosk
    # said (a kiosk before this figure). Known as of each kiosk's last status, so while the
    # line is down it is the figure from before the cut: the table says so.
    waiting: int | None = None


@dataclass(frozen=True)
class SiteFleet:
    online: int = 0
    in_session: int = 0
    offline: int = 0
    alerts: int = 0

    @property
    def total(self) -> int:
        return self.online + self.offline


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class FleetModel:
    """Kiosks by (site, machine); feed it statuses and database rows, ask it for views."""

    def __init__(
        self, settings: FleetSettings | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.settings = settings or FleetSettings()
        self._clock = clock
        self._kiosks: dict[tuple[str, str], Kiosk] = {}
        self._bridges: dict[str, Bridge] = {}
        self.bridge_rejected = 0  # notifications that were neither "1" nor "0"

    # --- the topology: site brokers bridged to the centre ---------------------------------------

    def apply_bridge(
        self, site: str, payload: bytes, received: datetime, retained: bool = False
    ) -> bool:
        """A bridge notification (``bridges/SITE/state``): ``1`` up, ``0`` down (Mosquitto's
        payload, and the bridge's will). Anything else is counted and ignored. True if the
        state changed; the same state again keeps its first time. A retained state carries no
        time: it holds since ``received`` or earlier (``Bridge.since_known`` False)."""
        text = payload.strip()
        if text not in (b"0", b"1"):
            self.bridge_rejected += 1
            return False
        up = text == b"1"
        current = self._bridges.get(site)
        if current is not None and current.up == up:
            return False
        self._bridges[site] = Bridge(site, up, _aware(received), since_known=not retained)
        return True

    def bridges(self) -> list[Bridge]:
        return [self._bridges[site] for site in sorted(self._bridges)]

    def bridge_of(self, site: str) -> Bridge | None:
        """The site broker's bridge, or None for a site whose kiosks talk to the centre."""
        return self._bridges.get(site)

    def is_cut_off(self, site: str) -> bool:
        bridge = self._bridges.get(site)
        return bridge is not None and not bridge.up

    def topology(self, sites: Iterable[str] = (), now: datetime | None = None) -> list[SiteBroker]:
        """Every site broker heard of (of ``sites``, or all), with the kiosks seen through it;
        a site without a bridge is not in it."""
        moment = now or self._clock()
        wanted = set(sites)
        alerts = {alert.site: alert for alert in self.site_alerts(moment)}
        found = []
        for bridge in self.bridges():
            if wanted and bridge.site not in wanted:
                continue
            kiosks = self.kiosks([bridge.site])
            heard = sum(not self.is_offline(kiosk, moment) for kiosk in kiosks)
            said = [
                k.figures["waiting"] for k in kiosks if isinstance(k.figures.get("waiting"), int)
            ]
            waiting = sum(said) if said else None
            found.append(SiteBroker(bridge, len(kiosks), heard, alerts.get(bridge.site), waiting))
        return found

    def site_alerts(self, now: datetime | None = None) -> list[Alert]:
        """A site whose bridge has been down for longer than ``cut_off_alert_after`` during
        opening hours (counted from the opening when it went down overnight)."""
        moment = now or self._clock()
        opened = self.settings.opening_of(moment)
        found = []
        for bridge in self.bridges():
            if bridge.up or opened is None:
                continue
            off_for = moment - max(bridge.since, opened)
            if off_for > self.settings.cut_off_alert_after:
                minutes = int(off_for.total_seconds() // 60)
                found.append(
                    Alert(
                        bridge.site,
                        "",
                        "cut_off",
                        f"cut off from the centre for {minutes} min",
                        minutes,
                    )
                )
        return found

    def load(self, records: Iterable[MachineRecord]) -> bool:
        """Take the database's last statuses; a newer live status is kept. True if changed."""
        changed = False
        for record in records:
            seen = _aware(record.last_seen)
            current = self._kiosks.get((record.site, record.machine))
            if current is not None and current.last_seen >= seen:
                continue
            since = seen if record.state == "offline" else None
            self._kiosks[(record.site, record.machine)] = Kiosk(
                record.site, record.machine, record.state, seen, dict(record.status), since
            )
            changed = True
        return changed

    def apply_status(
        self, site: str, machine: str, status: Status, received: datetime, retained: bool = False
    ) -> bool:
        """A status from the broker. A retained one is old news: its own time counts."""
        current = self._kiosks.get((site, machine))
        seen = _aware(received)
        if retained:
            seen = _aware(status.ts) if status.ts else current.last_seen if current else seen
            if current is not None and current.last_seen > seen:
                return False
        figures = status.figures or (current.figures if current else {})
        since: datetime | None = None
        if status.state == "offline":
            # The will carries no time: the kiosk went away around when it was last heard.
            if current is None:
                since = seen
            elif current.state == "offline":
                since = current.offline_since or current.last_seen
            else:
                since = current.last_seen
            seen = max(seen, current.last_seen) if current else seen
        kiosk = Kiosk(site, machine, status.state, seen, dict(figures), since)
        self._kiosks[(site, machine)] = kiosk
        return kiosk != current

    def is_offline(self, kiosk: Kiosk, now: datetime | None = None) -> bool:
        moment = now or self._clock()
        return kiosk.state == "offline" or moment - kiosk.last_seen > self.settings.stale_after

    def offline_since(self, kiosk: Kiosk, now: datetime | None = None) -> datetime | None:
        if kiosk.state == "offline":
            return kiosk.offline_since or kiosk.last_seen
        return kiosk.last_seen if self.is_offline(kiosk, now) else None

    def shown_state(self, kiosk: Kiosk, now: datetime | None = None) -> str:
        """The kiosk's state, ``offline`` when unheard for long; ``unheard`` when it is not
        heard because its site broker's bridge is down (it may well be working in the room)."""
        if not self.is_offline(kiosk, now):
            return kiosk.state
        if kiosk.state != "offline" and self.is_cut_off(kiosk.site):
            return "unheard"
        return "offline"

    def kiosks(self, sites: Iterable[str] = ()) -> list[Kiosk]:
        wanted = set(sites)
        return [
            kiosk
            for key, kiosk in sorted(self._kiosks.items())
            if not wanted or kiosk.site in wanted
        ]

    def sites(self) -> list[str]:
        return sorted({site for site, _ in self._kiosks})

    def targets(self, site: str | None = None) -> list[tuple[str, str]]:
        """The kiosks a command for ``site`` (or all, when None) goes to."""
        return [key for key in sorted(self._kiosks) if site is None or key[0] == site]

    def alerts_for(self, kiosk: Kiosk, now: datetime | None = None) -> list[Alert]:
        moment = now or self._clock()
        found: list[Alert] = []
        since = self.offline_since(kiosk, moment)
        opened = self.settings.opening_of(moment)
        # Behind a bridge that is down, a kiosk is not heard, not off: the site's alert says it.
        if since is not None and opened is not None and not self.is_cut_off(kiosk.site):
            off_for = moment - max(since, opened)
            if off_for > self.settings.offline_alert_after:
                minutes = int(off_for.total_seconds() // 60)
                found.append(
                    Alert(
                        kiosk.site,
                        kiosk.machine,
                        "offline",
                        f"offline for {minutes} min",
                        minutes,
                    )
                )
        disk = kiosk.figure("disk_pct")
        if disk is not None and disk > self.settings.disk_alert_pct:
            found.append(Alert(kiosk.site, kiosk.machine, "disk", f"disk {disk:.0f}% full", disk))
        problems = kiosk.figure("content_problems")
        if problems:
            found.append(
                Alert(
                    kiosk.site,
                    kiosk.machine,
                    "content",
                    f"{problems:.0f} task files left out",
                    problems,
                )
            )
        printer = kiosk.figures.get("printer")
        # A printer that cannot print matters while someone could want it: the kiosk is on and
        # the room is open. A kiosk that is off says nothing new about its printer.
        if printer in PRINTER_PROBLEMS and opened is not None and since is None:
            found.append(
                Alert(kiosk.site, kiosk.machine, "printer", f"printer: {printer}", detail=printer)
            )
        return found

    def alerts(self, now: datetime | None = None, sites: Iterable[str] = ()) -> list[Alert]:
        """Every alert (of ``sites``, or all): the sites' own (cut off) first."""
        wanted = set(sites)
        moment = now or self._clock()
        kiosks = [
            alert for kiosk in self.kiosks(wanted) for alert in self.alerts_for(kiosk, moment)
        ]
        own = [alert for alert in self.site_alerts(moment) if not wanted or alert.site in wanted]
        return own + kiosks

    def summary(self, now: datetime | None = None) -> dict[str, SiteFleet]:
        """Per site: kiosks online, of which in a session, offline, and alerts (the site's own
        included: a site broker cut off is one)."""
        moment = now or self._clock()
        counts: dict[str, dict[str, int]] = {}
        for alert in self.site_alerts(moment):
            counts.setdefault(
                alert.site, {"online": 0, "in_session": 0, "offline": 0, "alerts": 0}
            )["alerts"] += 1
        for kiosk in self.kiosks():
            entry = counts.setdefault(
                kiosk.site, {"online": 0, "in_session": 0, "offline": 0, "alerts": 0}
            )
            if self.is_offline(kiosk, moment):
                entry["offline"] += 1
            else:
                entry["online"] += 1
                entry["in_session"] += kiosk.state == "in_session"
            entry["alerts"] += len(self.alerts_for(kiosk, moment))
        return {site: SiteFleet(**entry) for site, entry in sorted(counts.items())}
