"""Read side: totals per site for ``admin-console stats`` (and later the dashboards)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from admin_console.read.help import OPEN_STATES, help_sites, site_medians
from admin_console.read.usage import Period, counted_sites, rolled_up
from admin_console.store.gc_pause import without_gc_pauses
from admin_console.store.orm import DailyCountRow, EventRow, HelpRequestRow, RejectedCountRow
from admin_console.store.rollups import DEFAULT_TIMEZONE, HELP_CLOSED, HELP_WAIT, local

# A site's named totals: (figure, event type) — the number of events of that type stored (from
# the counts). Every type's number is in the site's ``events`` as well; a figure that
# ``admin-console stats`` names is one line here.
SITE_TOTALS: tuple[tuple[str, str], ...] = (("sessions", "session_started"),)
_TOTAL_OF = {event_type: figure for figure, event_type in SITE_TOTALS}


def _site(sites: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return sites.setdefault(
        name,
        {
            **{figure: 0 for figure, _event_type in SITE_TOTALS},
            "events": {},
            "help": {},
            "help_median_wait_s": None,
        },
    )


def _raw_events(connection: Connection, sites: list[str], zone: ZoneInfo, events_total: int) -> int:
    """How many raw events are stored, without counting ten million rows.

    Retention removes the oldest events (by time), so every event after the oldest stored
    event's local day is still there: all counted events but those of that day and before, plus
    that first day's stored events (an index range). Exact, except for events older than the
    retention limit that arrived since the last expiry (a kiosk with a clock years behind):
    until the next expiry removes them, the days they went back to are counted whole."""
    oldest = connection.execute(select(func.min(EventRow.ts))).scalar()
    if oldest is None:
        return 0
    first_day = local(oldest, zone).date()
    _start, next_midnight = Period(first_day, first_day).utc_bounds(zone)
    raw = connection.execute(
        select(func.count()).select_from(EventRow).where(EventRow.ts < next_midnight)
    ).scalar_one()
    counted_from = connection.execute(select(func.min(DailyCountRow.day))).scalar()
    if counted_from is not None and counted_from <= first_day:
        before = Period(counted_from, first_day)
        events_total -= sum(n for _k, _key, n in rolled_up(connection, sites, ["event"], before))
    return int(raw) + events_total


@without_gc_pauses
def collect_stats(engine: Engine) -> dict[str, Any]:
    """Stored (unique) events, rejections by reason, and per site: sessions, events, help.

    Event figures come from the counts kept at ingest (monthly), which count every event once
    when it is first stored and outlive the retention of raw events; so do resolved and
    cancelled calls (open, claimed and expired ones are those stored). The median wait is that
    of the help waits counted at ingest in 10-second buckets (the middle of the bucket, ±5 s).
    """
    zone = ZoneInfo(DEFAULT_TIMEZONE)
    with engine.connect() as connection:
        known = counted_sites(connection)
        rejected = {
            reason: count
            for reason, count in connection.execute(
                select(RejectedCountRow.reason, RejectedCountRow.count)
            )
        }
        by_type = sorted(rolled_up(connection, known, ["event"], None, by_site=True))
        events_total = sum(int(count) for *_group, count in by_type)
        raw_events = _raw_events(connection, known, zone, events_total)
        # Calls a kiosk or buddy closed from their counts; the few others from the requests.
        closed = rolled_up(connection, known, [HELP_CLOSED], None, by_site=True)
        others = connection.execute(
            select(HelpRequestRow.site, HelpRequestRow.state, func.count())
            .where(HelpRequestRow.site.in_(help_sites(connection)))
            .where(HelpRequestRow.state.in_(OPEN_STATES))
            .group_by(HelpRequestRow.site, HelpRequestRow.state)
        ).all()
        by_state = [(site, state, n) for site, _kind, state, n in closed] + list(others)
        waits = site_medians(connection, known, HELP_WAIT, None)  # one row per site
    sites: dict[str, dict[str, Any]] = {}
    for site, _kind, event_type, count in by_type:
        entry = _site(sites, site)
        entry["events"][event_type] = int(count)
        figure = _TOTAL_OF.get(event_type)
        if figure is not None:
            entry[figure] = int(count)
    for site, state, count in by_state:
        _site(sites, site)["help"][state] = int(count)
    for site, (_calls, wait) in waits.items():
        _site(sites, site)["help_median_wait_s"] = None if wait is None else round(wait, 3)
    return {
        "events_total": events_total,
        "raw_events": int(raw_events),
        "rejected_total": int(sum(rejected.values())),
        "rejected": {reason: int(count) for reason, count in sorted(rejected.items())},
        "sites": dict(sorted(sites.items())),
    }
