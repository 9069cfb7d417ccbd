"""Per-day counts kept at ingest, so dashboards stay fast and figures outlive raw events.

Only events that were *newly* stored are counted (the insert returns their ids), so a batch
delivered twice counts once, also with several aggregators writing at the same time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

Key = tuple[date, str, str, str]  # day, site, kind, key

DEFAULT_TIMEZONE = "Europe/Brussels"


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored naive-UTC time as local time at the sites."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def counts_for(events: Iterable[Mapping[str, Any]], zone: ZoneInfo) -> Counter[Key]:
    """What each new event adds to the daily counts."""
    counts: Counter[Key] = Counter()
    for event in events:
        when = local(event["ts"], zone)
        day, site, kind, data = when.date(), event["site"], event["type"], event["data"]
        counts[(day, site, "event", kind)] += 1
        if kind == "session_started":
            counts[(day, site, "lang", data["lang"])] += 1
            counts[(day, site, "hour", f"{when.weekday()}-{when.hour}")] += 1
        elif kind in ("task_started", "task_completed"):
            counts[(day, site, kind, data["task"])] += 1
        elif kind == "task_abandoned":
            counts[(day, site, kind, f"{data['task']}#{data['step']}")] += 1
        elif kind == "site_opened":
            counts[(day, site, kind, data["site_key"])] += 1
        elif kind == "help_requested":
            counts[(day, site, kind, data["task"] or "-")] += 1
    return counts
