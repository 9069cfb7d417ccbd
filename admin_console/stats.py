"""Read side: totals per site for ``admin-console stats`` (and later the dashboards)."""

from __future__ import annotations

from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_console.orm import DailyCountRow, EventRow, HelpRequestRow, RejectedCountRow


def _site(sites: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return sites.setdefault(
        name, {"sessions": 0, "events": {}, "help": {}, "help_median_wait_s": None}
    )


def collect_stats(engine: Engine) -> dict[str, Any]:
    """Stored (unique) events, rejections by reason, and per site: sessions, events, help.

    Event figures come from the daily counts, which count every event once when it is first
    stored and outlive the retention of raw events.
    """
    with Session(engine) as session:
        raw_events = session.execute(select(func.count()).select_from(EventRow)).scalar_one()
        rejected = {
            reason: count
            for reason, count in session.execute(
                select(RejectedCountRow.reason, RejectedCountRow.count)
            )
        }
        by_type = session.execute(
            select(DailyCountRow.site, DailyCountRow.key, func.sum(DailyCountRow.count))
            .where(DailyCountRow.kind == "event")
            .group_by(DailyCountRow.site, DailyCountRow.key)
        ).all()
        by_state = session.execute(
            select(HelpRequestRow.site, HelpRequestRow.state, func.count()).group_by(
                HelpRequestRow.site, HelpRequestRow.state
            )
        ).all()
        waits = session.execute(
            select(HelpRequestRow.site, HelpRequestRow.opened, HelpRequestRow.claimed).where(
                HelpRequestRow.opened.is_not(None), HelpRequestRow.claimed.is_not(None)
            )
        ).all()
    sites: dict[str, dict[str, Any]] = {}
    events_total = 0
    for site, event_type, count in by_type:
        events_total += int(count)
        entry = _site(sites, site)
        entry["events"][event_type] = int(count)
        if event_type == "session_started":
            entry["sessions"] = int(count)
    for site, state, count in by_state:
        _site(sites, site)["help"][state] = int(count)
    per_site: dict[str, list[float]] = {}
    for site, opened, claimed in waits:
        if opened is None or claimed is None:
            continue
        per_site.setdefault(site, []).append(max(0.0, (claimed - opened).total_seconds()))
    for site, values in per_site.items():
        _site(sites, site)["help_median_wait_s"] = round(float(median(values)), 3)
    return {
        "events_total": events_total,
        "raw_events": int(raw_events),
        "rejected_total": int(sum(rejected.values())),
        "rejected": {reason: int(count) for reason, count in sorted(rejected.items())},
        "sites": dict(sorted(sites.items())),
    }
