"""The whole help loop of issue 16, as the room lives it, in one run: the real kiosk widgets,
the real objects of ``admin-console serve`` (aggregator, storer process, queue keeper), the
buddy desk's real link, a real Mosquitto; then the coordinator's commands on the database.

Outside the permanence the kiosk says that no buddy is on duty; a buddy checks in and it
stops saying so; a call ahead of the visitor is claimed and the visitor's place moves up;
"Sara komt u helpen"; the calls are closed with an outcome; the buddy checks out; the funder
report counts the outcomes and the coordinator's CSV has Sara's hours and calls.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from admin_console.desk.queue_keeper import SitePolicy
from admin_console.desk.queue_service import QueueService, QueueServiceOptions
from admin_console.links.buddy import BuddyCallbacks, BuddyLink
from admin_console.store.database import open_database
from admin_console.store.rollups import DEFAULT_TIMEZONE
from kiosk.settings import KioskSettings
from kiosk.ui.app import KioskApp
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.opening_hours import OpeningHours
from tests.conftest import Mosquitto
from tests.e2e.test_site_queue import SITE, Serve, Wire
from tests.harness import admin_console, suite_env

MACHINE = "pc-07"
QT_WAIT = 20_000


def _rota_not_now() -> OpeningHours:
    """A permanence that is not going on now: one hour, starting two hours from now (in the
    sites' time zone, as the keeper reads it)."""
    later = p.utc_now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)) + timedelta(hours=2)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    start = later.replace(minute=0)
    end = start + timedelta(minutes=59)
    return OpeningHours.parse({days[start.weekday()]: [f"{start:%H:%M}-{end:%H:%M}"]})


@pytest.fixture
def serve(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Serve]:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    open_database(db).dispose()
    running = Serve(mosquitto, db)
    running.start_aggregator()
    # The keeper as serve runs it, with a rota that is not now and calls to the staff.
    settings = parse_broker_url(mosquitto.url)
    options = QueueServiceOptions(client_id="whole-queue", expiry=timedelta(hours=2))
    keeper = QueueService(settings, {SITE: SitePolicy(_rota_not_now(), "staff")}, options)
    engine = open_database(db)
    try:
        keeper.seed(engine)
    finally:
        engine.dispose()
    keeper.start()
    assert keeper.link.connected.wait(20)
    running.keeper = keeper
    yield running
    running.stop()


@pytest.fixture
def kiosk(qtbot: QtBot, mosquitto: Mosquitto, tmp_path: Path) -> Iterator[KioskApp]:
    data = tmp_path / "kiosk"
    settings = KioskSettings(
        parse_broker_url(mosquitto.url),
        SITE,
        MACHINE,
        data,
        tasks_dir=data / "none",
        label="PC 7 — bij de deur",
    )
    app = KioskApp(settings)
    qtbot.addWidget(app.window)
    app.start(windowed=True)
    qtbot.waitUntil(lambda: app.link is not None and app.link.connected, timeout=QT_WAIT)
    yield app
    app.shutdown()


def test_the_help_loop_from_the_rota_to_the_report(
    qtbot: QtBot, mosquitto: Mosquitto, serve: Serve, kiosk: KioskApp, tmp_path: Path
) -> None:
    window, core = kiosk.window, kiosk.core
    start = window.start_screen
    wire = Wire(mosquitto.port)
    calls: dict[str, str] = {}  # request → machine, as the desk learns them

    def heard(machine: str, change: p.HelpChange) -> None:
        calls.setdefault(change.request, machine)

    buddy = BuddyLink(
        parse_broker_url(mosquitto.url),
        SITE,
        BuddyCallbacks(
            heard,
            lambda *_: None,
            lambda _online: None,
        ),
    )
    buddy.start()
    try:
        # Outside the permanence, before anyone presses anything: no buddy now, and when next.
        qtbot.waitUntil(lambda: start.duty.isVisibleTo(window), timeout=QT_WAIT)
        assert start.duty.text().startswith("Nu is er geen buddy. Volgende permanentie: ")

        # Sara checks in: the kiosk stops saying that nobody is there.
        wire.checkin("Sara", "in")
        qtbot.waitUntil(lambda: not start.duty.isVisibleTo(window), timeout=QT_WAIT)

        # Someone at pc-01 called first; then our visitor calls.
        ahead = wire.call("pc-01")
        qtbot.mouseClick(start.start_button, Qt.MouseButton.LeftButton)
        core.call_buddy()
        assert core.help is not None
        mine = core.help.request
        status = window.action_bar.help_status
        qtbot.waitUntil(lambda: status.text().startswith("U bent de tweede."), timeout=QT_WAIT)

        # Sara takes the call ahead: the visitor moves up.
        qtbot.waitUntil(lambda: buddy.connected and ahead in calls, timeout=QT_WAIT)
        buddy.reply("pc-01", ahead, "claimed", "Sara")
        qtbot.waitUntil(lambda: status.text().startswith("U bent de eerste."), timeout=QT_WAIT)

        # ... then our visitor's: "Sara komt u helpen".
        qtbot.waitUntil(lambda: mine in calls, timeout=QT_WAIT)
        buddy.reply(MACHINE, mine, "claimed", "Sara")
        qtbot.waitUntil(lambda: "Sara" in status.text(), timeout=QT_WAIT)

        # Both closed with an outcome, and four more calls of the afternoon, so that the
        # report's counts are above the small-count suppression.
        outcomes = {ahead: p.HelpOutcome.SOLVED, mine: p.HelpOutcome.SOLVED}
        for machine in ("pc-02", "pc-03", "pc-04", "pc-05"):
            request = wire.call(machine)
            qtbot.waitUntil(lambda r=request: r in calls, timeout=QT_WAIT)
            buddy.reply(machine, request, "claimed", "Sara")
            outcomes[request] = p.HelpOutcome.SOLVED
        for request, outcome in outcomes.items():
            change = p.HelpChange(
                request,
                p.HelpState.RESOLVED,
                p.utc_now(),
                buddy="Sara",
                outcome=outcome,
                topics=("email",),
            )
            topic = f"kiosk/v1/{SITE}/{calls[request]}/help/reply"
            wire.send(topic, p.encode_help(change), retain=True)
        qtbot.waitUntil(lambda: core.help is None, timeout=QT_WAIT)  # the kiosk saw it closed
        wire.checkin("Sara", "out")
        aggregator = serve.aggregator
        assert aggregator is not None
        qtbot.waitUntil(lambda: aggregator.totals["shifts_ended"] == 1, timeout=QT_WAIT)
        qtbot.waitUntil(lambda: _resolved_with_outcome(serve.db) == len(outcomes), timeout=QT_WAIT)
        serve.stop()  # the storer has written everything; the coordinator reads the database

        # The report's days are the sites' days: in Brussels, not in the machine's zone (CI
        # at 23:40 UTC asked for the 4th while the calls were on the 5th in Brussels).
        today = p.utc_now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date().isoformat()
        report = _cli(
            "report",
            "--db",
            serve.db,
            "--from",
            today,
            "--to",
            today,
            "--format",
            "csv",
            "--out",
            "-",
        )
        rows = list(csv.reader(io.StringIO(report)))
        results = {(r[1], r[2]): r[3] for r in rows if r[0] == "help_results"}
        assert results.get(("solved", SITE)) == "6", rows
        assert "Sara" not in report  # volunteers' names never reach a funder report

        hours = _cli(
            "buddies", "hours", "--db", serve.db, "--from", today, "--to", today, "--out", "-"
        )
        (sara,) = [r for r in csv.DictReader(io.StringIO(hours)) if r["buddy"] == "Sara"]
        assert sara["site"] == SITE and sara["shifts"] == "1" and sara["open_shifts"] == "0"
        assert sara["calls_claimed"] == "6" and sara["calls_resolved"] == "6"
        assert sara["hours"] == "0.00"  # seconds on duty (exact hours: test_help_loop_figures)
    finally:
        buddy.stop()
        wire.stop()


def _resolved_with_outcome(db: str) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from admin_console.store.orm import HelpRequestRow

    engine = open_database(db, create=False)
    try:
        with Session(engine) as session:
            return (
                session.scalar(
                    select(func.count()).where(
                        HelpRequestRow.state == "resolved", HelpRequestRow.outcome == "solved"
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def _cli(*args: str) -> str:
    done = subprocess.run(
        admin_console(*args), capture_output=True, text=True, env=suite_env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
