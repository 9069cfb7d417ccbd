"""The admin console window offscreen: every tab from a demo database, bad input, live broker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from admin_console.demo.data import generate
from admin_console.desk.commands import AdminLink
from admin_console.read.help import help_waits
from admin_console.read.usage import Period, UsageFilter, sessions_per_day
from admin_console.store.database import open_database
from admin_console.ui.window import AdminOptions, QtAdminBridge, QtAdminWindow
from kiosk.wire import protocol as p
from kiosk.wire.broker import parse_broker_url
from kiosk.wire.config_schema import DEFAULT_TOPICS
from tests.conftest import Mosquitto, free_port

NOW = datetime(2026, 11, 19, 15, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Thursday


def clock() -> datetime:
    return NOW.astimezone(UTC)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = open_database(url)
    generate(engine, sites=2, kiosks_per_site=3, days=20, seed=3, now=NOW)
    engine.dispose()
    return url


def open_window(qtbot: QtBot, url: str, **options: object) -> QtAdminWindow:
    window = QtAdminWindow(AdminOptions(db_url=url, admin="tester", **options), clock)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.start()
    return window


@pytest.fixture
def window(qtbot: QtBot, demo_db: str) -> Iterator[QtAdminWindow]:
    window = open_window(qtbot, demo_db)
    qtbot.waitUntil(lambda: window.usage.data is not None and not window.db.busy(), timeout=30_000)
    yield window
    window.close()


def test_every_tab_fills_from_the_database(window: QtAdminWindow, demo_db: str) -> None:
    assert window.overview.table.rowCount() == 2  # schaerbeek and anderlecht
    assert window.fleet_tab.table.rowCount() == 6
    assert not window.db_banner.isVisibleTo(window)
    usage = window.usage.data
    assert usage is not None
    engine = open_database(demo_db, create=False)
    expected = sum(n for _, n in sessions_per_day(engine, usage.usage))
    waits = help_waits(engine, usage.usage)
    engine.dispose()
    assert window.usage.tiles["sessions"].value.text() == str(expected) != "0"
    assert set(window.usage.charts) == {
        "sessions",
        "hours",
        "tasks",
        "give_up",
        "languages",
        "help",
        "waits",
        "wait_hours",
        "outcomes",
        "topics",
    }
    assert window.usage.heatmap.values  # visits by hour of the week
    assert window.helpdesk.table.rowCount() > 0
    assert waits.calls > waits.answered > 0  # some visitors left before a buddy came
    summary = f"{waits.calls} calls, {waits.answered} answered"
    assert window.helpdesk.summary.text().startswith(summary)
    assert window.reports.report is not None and not window.reports.report.empty
    assert "Usage report" in window.reports.preview.toPlainText()
    assert window.commands.site.count() == 2


def set_dates(window: QtAdminWindow, start: date, end: date) -> None:
    bar = window.usage.filters
    bar.start.setDate(QDate(start.year, start.month, start.day))
    bar.end.setDate(QDate(end.year, end.month, end.day))


def test_a_backwards_period_is_refused_and_an_empty_one_says_no_data(
    qtbot: QtBot, window: QtAdminWindow
) -> None:
    before = window.usage.data
    set_dates(window, date(2026, 12, 1), date(2026, 11, 1))
    qtbot.mouseClick(window.usage.filters.apply_button, Qt.MouseButton.LeftButton)
    assert "2026-12-01 is after the end date 2026-11-01" in window.usage.filters.error.text()
    assert window.usage.data is before and not window.db.busy()
    set_dates(window, date(2020, 1, 1), date(2020, 1, 31))
    qtbot.mouseClick(window.usage.filters.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.usage.data is not before, timeout=15_000)
    assert window.usage.filters.error.text() == ""
    assert window.usage.empty.isVisibleTo(window.usage)
    assert not window.usage.chart_area.isVisibleTo(window.usage)
    assert window.usage.tiles["sessions"].value.text() == "0"


def test_database_work_runs_off_the_gui_thread(qtbot: QtBot, window: QtAdminWindow) -> None:
    threads: list[int] = []
    with qtbot.waitSignal(window.db.signals.done, timeout=10_000):
        window.db.submit(lambda _engine: threads.append(threading.get_ident()), lambda _r: None)
    assert threads and threads[0] != threading.get_ident()


def test_reports_are_saved_as_csv_and_pdf(
    qtbot: QtBot, window: QtAdminWindow, tmp_path: Path
) -> None:
    window.reports.filters.choose_sites(["anderlecht"])
    window.reports.min_count.setValue(10)  # makes a new report
    qtbot.waitUntil(
        lambda: window.reports.report is not None and window.reports.report.min_count == 10,
        timeout=15_000,
    )
    assert window.reports.report.sites == ("anderlecht",)
    with qtbot.waitSignal(window.reports.saved):
        window.reports.save(tmp_path / "r.csv", "csv")
    text = (tmp_path / "r.csv").read_text()
    assert "report,min_count,,10" in text and "schaerbeek" not in text
    window.reports.save(tmp_path / "r.pdf", "pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert window.reports.min_count.minimum() == 3


def test_an_unreachable_database_shows_a_banner_and_the_console_recovers(
    qtbot: QtBot, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"
    window = open_window(qtbot, url, retry_ms=300)
    qtbot.waitUntil(lambda: window.db_banner.isVisibleTo(window), timeout=15_000)
    assert "there is no database" in window.db_banner.text()
    engine = open_database(url)  # the aggregator starts and creates it
    generate(engine, sites=1, kiosks_per_site=1, days=3, now=NOW)
    engine.dispose()
    qtbot.waitUntil(lambda: not window.db_banner.isVisibleTo(window), timeout=15_000)
    qtbot.waitUntil(lambda: window.usage.data is not None, timeout=15_000)
    window.close()


class FakeKiosk:
    """Publishes a retained status like a kiosk and answers commands."""

    def __init__(self, port: int, site: str, machine: str) -> None:
        self.topic = f"kiosk/v1/{site}/{machine}"
        self.commands: list[p.Command] = []
        self.replies: list[p.HelpChange] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        ready = threading.Event()
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe([(f"{self.topic}/cmd", 1), (f"{self.topic}/help/reply", 1)])
        assert ready.wait(10)
        status = p.encode_status("in_session", version="0.3.1", disk_pct=97.0)
        self.client.publish(f"{self.topic}/status", status, qos=1, retain=True)

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/cmd"):
            command = p.decode_command(message.payload)
            self.commands.append(command)
            self.client.publish(f"{self.topic}/cmd/ack", p.encode_ack(command.id, True), qos=1)
        else:
            self.replies.append(p.decode_help(p.Channel.HELP_REPLY, message.payload))

    def call_for_help(self) -> str:
        change = p.HelpChange(p.new_id(), "open", p.utc_now(), "mypension-check", 2, "fr")
        self.client.publish(f"{self.topic}/help", p.encode_help(change), qos=1)
        return change.request

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_live_fleet_commands_and_help_through_the_broker(
    qtbot: QtBot, window: QtAdminWindow, mosquitto: Mosquitto
) -> None:
    kiosk = FakeKiosk(mosquitto.port, "leuven", "pc-07")
    bridge = QtAdminBridge()
    link = AdminLink(parse_broker_url(mosquitto.url), bridge.callbacks())
    window.attach(link, bridge)
    assert window.broker_banner.isVisibleTo(window)
    link.start()
    try:
        qtbot.waitUntil(lambda: not window.broker_banner.isVisibleTo(window), timeout=15_000)
        qtbot.waitUntil(lambda: ("leuven", "pc-07") in window.fleet.targets(), timeout=15_000)
        qtbot.waitUntil(lambda: window.fleet_tab.table.rowCount() == 7, timeout=15_000)
        assert any("disk 97% full" in a.message for a in window.fleet.alerts())

        tab = window.commands
        tab.scope.setCurrentIndex(0)
        tab.site.setCurrentText("leuven")
        tab.kiosk.setCurrentText("pc-07")
        tab.command.setCurrentIndex(tab.command.findData("announce"))
        tab.texts["nl"].setText("We sluiten om 16 uur.")
        qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(kiosk.commands) == 1, timeout=10_000)
        assert kiosk.commands[0].args["text"] == {"nl": "We sluiten om 16 uur."}
        qtbot.waitUntil(lambda: tab.sent.item(0, 5).text() == "done", timeout=10_000)
        # The audit log is read back through the database worker, behind the tabs' own reads
        # (the usage view of the demo database): on a loaded 2-core machine that took > 10 s.
        qtbot.waitUntil(
            lambda: (
                [(c.admin, c.machine, c.ok) for c in tab.audit][:1] == [("tester", "pc-07", True)]
            ),
            timeout=40_000,
        )

        # Naming the PC (issue 16): one kiosk only, checked before anything is sent.
        tab.command.setCurrentIndex(tab.command.findData("set_label"))
        assert tab.label.isEnabled() and not tab.texts["nl"].isEnabled()
        tab.label.setText("PC 7\tbij het raam")
        qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
        assert "1 to 60 characters" in tab.message.text() and len(kiosk.commands) == 1
        tab.label.setText("PC 7 — bij het raam")
        tab.scope.setCurrentIndex(1)
        qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
        assert "choose one kiosk" in tab.message.text() and len(kiosk.commands) == 1
        tab.scope.setCurrentIndex(0)
        tab.site.setCurrentText("leuven")
        tab.kiosk.setCurrentText("pc-07")
        qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(kiosk.commands) == 2, timeout=10_000)
        assert (kiosk.commands[1].cmd, kiosk.commands[1].args) == (
            "set_label",
            {"label": "PC 7 — bij het raam"},
        )

        request = kiosk.call_for_help()
        desk = window.helpdesk
        qtbot.waitUntil(lambda: desk.row_of("leuven", "pc-07") >= 0, timeout=10_000)
        row = desk.row_of("leuven", "pc-07")
        assert desk.live.item(row, 2).text() == "mypension-check"
        overview = window.overview.table

        def open_calls_at_leuven() -> str:
            rows = [r for r in range(overview.rowCount()) if overview.item(r, 0).text() == "leuven"]
            return overview.item(rows[0], 5).text() if rows else ""

        qtbot.waitUntil(lambda: open_calls_at_leuven() == "1", timeout=15_000)
        claim = desk.live.cellWidget(row, 7)
        assert claim is not None and claim.text() == "Claim"
        qtbot.mouseClick(claim, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(kiosk.replies), timeout=10_000)
        assert (kiosk.replies[0].request, kiosk.replies[0].state) == (request, "claimed")
        assert kiosk.replies[0].buddy == "tester"
        # Closing the call as a buddy desk does: an outcome and the site's topics (issue 16).
        qtbot.waitUntil(
            lambda: desk.live.cellWidget(desk.row_of("leuven", "pc-07"), 7).text() == "Resolve",
            timeout=10_000,
        )
        qtbot.mouseClick(
            desk.live.cellWidget(desk.row_of("leuven", "pc-07"), 7), Qt.MouseButton.LeftButton
        )
        choice = desk.outcome_dialog
        assert choice is not None and tuple(choice.topics) == DEFAULT_TOPICS
        qtbot.mouseClick(choice.outcomes[p.HelpOutcome.REFERRED], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(choice.topics["email"], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(choice.close_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(kiosk.replies) == 2, timeout=10_000)
        resolved = kiosk.replies[1]
        assert (resolved.state, resolved.buddy) == ("resolved", "tester")
        assert (resolved.outcome, resolved.topics) == (p.HelpOutcome.REFERRED, ("email",))
    finally:
        link.stop()
        kiosk.close()


def test_a_broker_that_cannot_be_reached_shows_a_banner_and_the_rest_works(
    qtbot: QtBot, window: QtAdminWindow
) -> None:
    bridge = QtAdminBridge()
    link = AdminLink(parse_broker_url(f"mqtt://127.0.0.1:{free_port()}"), bridge.callbacks())
    window.attach(link, bridge)
    link.start()
    try:
        assert window.broker_banner.isVisibleTo(window)
        assert "reconnecting" in window.broker_banner.text()
        window.usage.filters.preset.setCurrentIndex(0)  # last 7 days
        before = window.usage.data
        window.usage.refresh()
        qtbot.waitUntil(lambda: window.usage.data is not before, timeout=15_000)
        assert isinstance(window.usage.data.usage, UsageFilter)
        assert window.usage.data.usage.period == Period(date(2026, 11, 13), date(2026, 11, 19))
        tab = window.commands
        tab.scope.setCurrentIndex(1)  # every kiosk of a site
        tab.command.setCurrentIndex(tab.command.findData("unlock"))
        tab.send()
        assert "queued for 3 kiosks" in tab.message.text()  # paho sends them once connected
        assert [c.outcome(clock()) for c in tab.tracker.recent()] == ["waiting"] * 3
    finally:
        link.stop()


def test_the_help_tab_closes_calls_with_the_sites_own_topics(
    qtbot: QtBot, demo_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[sites.NAME] topics of the console's --config reach its help tab (issue 16)."""
    import admin_console.ui.window as window_module
    from admin_console.cli import main as admin_main

    config = tmp_path / "console.toml"
    config.write_text('[sites.leuven]\ntopics = ["email", "itsme-app"]\n', encoding="utf-8")
    seen: list[AdminOptions] = []
    monkeypatch.setattr(
        window_module, "run_admin_console", lambda _s, options, _lang: seen.append(options) or 0
    )
    assert admin_main(["gui", "--config", str(config), "--db", demo_db]) == 0
    (options,) = seen
    assert options.site_topics == {"leuven": ("email", "itsme-app")}
    window = open_window(qtbot, demo_db, site_topics=options.site_topics)
    try:
        assert tuple(window.helpdesk.topics_of("leuven")) == ("email", "itsme-app")
        assert tuple(window.helpdesk.topics_of("gent")) == DEFAULT_TOPICS
    finally:
        window.close()
