"""The demo dataset: valid events, consistent rollups, realistic hours, the same for a seed."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from admin_console.demo.data import builtin_tasks, generate
from admin_console.read.stats import collect_stats
from admin_console.store.database import open_database
from admin_console.store.orm import DailyCountRow, EventRow, HelpRequestRow, MachineRow, VisitRow
from kiosk.wire import protocol as p
from tests.conftest import admin_console, suite_env

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=BRUSSELS)  # a Thursday afternoon


def make(url: str, seed: int = 7) -> tuple[Engine, dict[str, object]]:
    engine = open_database(url)
    result = generate(engine, sites=2, kiosks_per_site=2, days=9, seed=seed, now=NOW)
    return engine, result


def fingerprint(engine: Engine) -> str:
    with engine.connect() as connection:
        ids = connection.execute(select(EventRow.id).order_by(EventRow.id)).scalars().all()
    return hashlib.sha256("".join(ids).encode()).hexdigest()


def test_rows_and_rollups_agree_and_every_event_follows_the_contract(db_url: str) -> None:
    engine, result = make(db_url)
    with engine.connect() as c:
        events = c.execute(select(EventRow)).all()
        visits = c.execute(select(VisitRow)).all()
        helps = c.execute(select(HelpRequestRow)).all()
        counted = c.execute(
            select(func.sum(DailyCountRow.count)).where(DailyCountRow.kind == "event")
        ).scalar_one()
        machines = c.execute(select(func.count()).select_from(MachineRow)).scalar_one()
    assert result["events"] == len(events) == counted > 500
    assert result["sessions"] == len(visits) and result["help_requests"] == len(helps) > 0
    assert machines == result["machines"] == 4
    assert result["events_per_s"] > 0
    for row in events:
        raw = {
            "id": row.id,
            "type": row.type,
            "ts": p.format_ts(row.ts.replace(tzinfo=UTC)),
            "session": row.session,
            **row.data,
        }
        assert p.validate_event(raw).data == row.data
    requested = {r.data["request"] for r in events if r.type == "help_requested"}
    assert {h.id for h in helps} == requested
    stats = collect_stats(engine)
    assert sum(s["sessions"] for s in stats["sites"].values()) == len(visits)
    engine.dispose()


def test_visits_happen_in_opening_hours_and_look_like_a_computer_room(db_url: str) -> None:
    engine, _ = make(db_url)
    with engine.connect() as c:
        visits = c.execute(select(VisitRow)).all()
        helps = c.execute(select(HelpRequestRow)).all()
        events = c.execute(select(EventRow.ts, EventRow.type, EventRow.data)).all()
    starts = [v.started.replace(tzinfo=UTC).astimezone(BRUSSELS) for v in visits]
    assert all(s.weekday() < 6 and 9 <= s.hour < 17 for s in starts)
    assert max(e.ts for e in events) <= NOW.astimezone(UTC).replace(tzinfo=None)
    langs = Counter(v.lang for v in visits)
    assert set(langs) <= {"nl", "fr", "en", "ar", "tr", "ro", "pl", "es"} and len(langs) >= 4
    tasks = {e.data["task"] for e in events if e.type == "task_started"}
    assert tasks <= {t.id for t in builtin_tasks()} and len(tasks) >= 5
    assert any(e.type == "task_abandoned" for e in events)
    waits = [(h.claimed - h.opened).total_seconds() for h in helps if h.claimed]
    assert 60 <= median(waits) <= 600
    assert {h.state for h in helps} >= {"resolved"}
    engine.dispose()


def test_the_same_seed_gives_the_same_data_and_a_full_database_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    engine, result = make(db_url)
    again, result_again = make(f"sqlite:///{tmp_path / 'again.db'}")
    assert fingerprint(engine) == fingerprint(again)
    assert result["events"] == result_again["events"]
    other, _ = make(f"sqlite:///{tmp_path / 'other.db'}", seed=8)
    assert fingerprint(other) != fingerprint(engine)
    with pytest.raises(ValueError, match="already holds events"):
        generate(engine, sites=1, kiosks_per_site=1, days=1)
    for e in (engine, again, other):
        e.dispose()


def test_the_command_line_reports_what_it_wrote(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    args = ["demo-data", "--db", db, "--sites", "2", "--kiosks-per-site", "2", "--days", "3"]
    done = subprocess.run(
        admin_console(*args), capture_output=True, text=True, timeout=120, env=suite_env()
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["events"] > 0 and result["sites"] == ["schaerbeek", "anderlecht"]
    assert "events/s" in done.stderr
    bad = subprocess.run(
        admin_console(*args), capture_output=True, text=True, timeout=120, env=suite_env()
    )
    assert bad.returncode == 2 and "already holds events" in bad.stderr
