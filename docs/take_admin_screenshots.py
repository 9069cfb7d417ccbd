"""Screenshots of the admin console's tabs and of the buddy desk, from a generated demo dataset.

Run under Xvfb:
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_admin_screenshots.py
Writes docs/screenshots/admin-*.png and docs/screenshots/buddy-desk.png. The console's clock is
fixed at a Thursday morning so that kiosks are open, some are off and calls are waiting.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from admin_console.demo.data import generate
from admin_console.desk.commands import CommandAudit, CommandTracker, Target, command_args
from admin_console.desk.help_queue import HelpQueue
from admin_console.store.database import open_database
from admin_console.ui.buddy_desk import QtBuddyDesk
from admin_console.ui.language import install_translators
from admin_console.ui.window import AdminOptions, QtAdminWindow
from kiosk.wire.protocol import CommandAck, HelpChange, new_id, utc_now

OUT = Path(__file__).with_name("screenshots")
NOW = datetime(2026, 11, 19, 10, 40, tzinfo=ZoneInfo("Europe/Brussels"))
CLOSING = {"nl": "Wij sluiten om 16 uur.", "fr": "Nous fermons à 16 h."}


def settle(ms: int = 300) -> None:
    """Let Qt paint and the worker threads answer, without static processEvents calls."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> None:
    settle(400)
    widget.grab().save(str(OUT / f"{name}.png"))
    print(OUT / f"{name}.png")


def clock() -> datetime:
    return NOW.astimezone(UTC)


def audit_log(url: str) -> None:
    """A few commands other coordinators sent this week, with the kiosks' answers."""
    engine = open_database(url)
    audit = CommandAudit(engine)
    known = [("schaerbeek", f"pc-0{n}") for n in range(1, 7)] + [("gent", "pc-02")]
    for hours, who, cmd, args, target in (
        (26, "marie", "reload_content", {}, Target("schaerbeek")),
        (3, "koen", "lock", {}, Target("gent", "pc-02")),
        (1, "marie", "announce", command_args("announce", CLOSING), Target("schaerbeek")),
    ):
        tracker = CommandTracker(who, clock=lambda h=hours: clock() - timedelta(hours=h))
        records = [r for _, _, r in tracker.prepare(cmd, args, target, known)]
        audit.record_sent(records)
        for n, record in enumerate(records):
            if n != 4:  # one kiosk of the site was off
                audit.record_ack(CommandAck(record.id, record.sent, True, None))
    engine.dispose()


def admin_screens(url: str, lang: str = "en") -> None:
    window = QtAdminWindow(AdminOptions(db_url=url, admin="marie", lang=lang), clock)
    window.resize(1600, 1000)
    window.show()
    window.set_connected(True)
    window.start()
    for _ in range(100):  # the worker threads fill the tabs
        settle(200)
        if window.usage.data is not None and not window.db.busy():
            break
    # Live help calls as the broker would bring them.
    now = clock()
    for site, machine, age, task, step, call_lang in (
        ("anderlecht", "pc-04", 6 * 60 + 10, "csam-login", 2, "fr"),
        ("gent", "pc-01", 95, "irisbox-certificate", 1, "nl"),
    ):
        change = HelpChange(new_id(), "open", now - timedelta(seconds=age), task, step, call_lang)
        window.helpdesk.on_help_change(site, machine, change)
    window.helpdesk.reply = lambda *_args: None  # as when connected to the broker
    window.overview.update_view()
    if lang != "en":  # the translated console: two tabs are enough to see it
        tabs = [(0, "overview"), (3, "usage")] + ([(4, "reports")] if lang == "fr" else [])
        for index, name in tabs:
            window.tabs.setCurrentIndex(index)
            save(window, f"admin-{name}-{lang}")
        window.close()
        return
    for index, name in enumerate(("overview", "fleet", "helpdesk", "usage", "reports")):
        window.tabs.setCurrentIndex(index)
        save(window, f"admin-{name}")
    window.tabs.setCurrentIndex(3)
    bar = window.usage.chart_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    save(window, "admin-usage-help")
    window.tabs.setCurrentIndex(5)
    tab = window.commands
    tab.refresh()
    settle(800)
    tab.scope.setCurrentIndex(1)
    tab.site.setCurrentText("schaerbeek")
    tab.texts["nl"].setText("De computerruimte sluit vandaag om 16 uur.")
    tab.texts["fr"].setText("La salle informatique ferme aujourd'hui à 16 h.")
    save(window, "admin-commands")
    window.close()


def done_with(widget: QWidget) -> None:
    """Close and free a window here, in the GUI thread. Left to Python's cyclic collector, it
    can be freed in the console's database thread, and stopping its timers there crashes Qt
    ("Timers cannot be stopped from another thread", then a segfault: seen 2 runs in 4)."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def buddy_desk(lang: str = "en") -> None:
    now = utc_now()
    queue = HelpQueue()
    waiting = new_id()
    opened = now - timedelta(minutes=6, seconds=12)
    queue.apply("pc-03", HelpChange(waiting, "open", opened, "mypension-check", 2, "fr"))
    mine, theirs = new_id(), new_id()
    queue.apply("pc-01", HelpChange(mine, "open", now - timedelta(minutes=4), None, None, "nl"))
    queue.apply("pc-01", HelpChange(mine, "claimed", now - timedelta(minutes=3), buddy="Sara"))
    queue.apply(
        "pc-07", HelpChange(theirs, "open", now - timedelta(minutes=3), "csam-login", 2, "ar")
    )
    queue.apply("pc-07", HelpChange(theirs, "claimed", now - timedelta(minutes=1), buddy="Yassine"))
    queue.apply(
        "pc-05",
        HelpChange(new_id(), "open", now - timedelta(seconds=40), "irisbox-certificate", 0, "nl"),
    )
    desk = QtBuddyDesk(queue, "schaerbeek", "Sara")
    desk.set_connected(True)
    desk.resize(1200, 520)
    desk.show()
    desk.refresh()
    save(desk, "buddy-desk" if lang == "en" else f"buddy-desk-{lang}")
    done_with(desk)


def buddy_desk_offline(lang: str) -> None:
    """No broker: the desk cannot know who waits, and says so (never an all-clear)."""
    desk = QtBuddyDesk(HelpQueue(), "schaerbeek", "Sara")
    desk.set_connected(False)
    desk.resize(1200, 360)
    desk.show()
    save(desk, f"buddy-desk-offline-{lang}")
    done_with(desk)


def buddy_desk_withdrawn(lang: str) -> None:
    """A call Sara claimed was cancelled by the visitor: the desk says so until she has read it."""
    now = utc_now()
    queue = HelpQueue()
    request = new_id()
    queue.apply("pc-03", HelpChange(request, "open", now - timedelta(minutes=5), "csam-login", 2))
    waiting = HelpChange(new_id(), "open", now - timedelta(minutes=1), "irisbox-certificate", 0)
    queue.apply("pc-05", waiting)
    desk = QtBuddyDesk(queue, "schaerbeek", "Sara")
    desk.set_connected(True)
    desk.resize(1200, 420)
    desk.show()
    desk.on_help_change("pc-03", HelpChange(request, "claimed", now, buddy="Sara"))
    desk.on_help_change("pc-03", HelpChange(request, "cancelled", now))
    save(desk, f"buddy-desk-cancelled-{lang}")
    done_with(desk)


class _QuietLink:
    """Stands in for the broker link in the desk states below: takes what the desk sends."""

    def reply(self, *_args: object, **_kwargs: object) -> None:
        return None

    def check(self, _checkin: object) -> None:
        return None


def buddy_desk_states(lang: str) -> None:
    """The desk of issue 16: calls that speak human (labels, task and step, language by name),
    who is on duty, checked out, the outcome choice, the last buddy's question, a wrong clock."""
    from kiosk.wire.protocol import DutyRoster, OnDuty, SiteQueue

    def desk_with_calls() -> QtBuddyDesk:
        now = utc_now()
        queue = HelpQueue()
        for machine, label in (
            ("pc-03", "PC 3 — bij het raam"),
            ("pc-05", "PC 5 — naast de printer"),
        ):
            queue.set_label(machine, label)
        queue.apply(
            "pc-03",
            HelpChange(
                new_id(), "open", now - timedelta(minutes=6, seconds=12), "mypension-check", 2, "fr"
            ),
        )
        mine = new_id()
        queue.apply(
            "pc-05", HelpChange(mine, "open", now - timedelta(minutes=4), "csam-login", 3, "ar")
        )
        queue.apply("pc-05", HelpChange(mine, "claimed", now - timedelta(minutes=2), buddy="Sara"))
        queue.apply(
            "pc-08",
            HelpChange(new_id(), "open", now - timedelta(seconds=50), "gmail-account", 0, "nl"),
        )
        desk = QtBuddyDesk(queue, "schaerbeek", "Sara")
        desk.link = _QuietLink()  # type: ignore[assignment]
        desk.set_connected(True)
        desk.resize(1400, 640)
        desk.show()
        return desk

    since = utc_now() - timedelta(minutes=48)
    on_duty = DutyRoster(utc_now(), (OnDuty("Sara", since), OnDuty("Yassine", since)))
    desk = desk_with_calls()
    desk.on_duty(on_duty)
    desk.refresh()
    save(desk, f"buddy-desk-calls-{lang}")
    desk.checkin_button.click()  # already on duty: a plain message, nothing sent
    save(desk, f"buddy-desk-duplicate-checkin-{lang}")
    desk.checkout_button.click()  # Yassine stays on duty: no question
    desk.on_duty(DutyRoster(utc_now(), (OnDuty("Yassine", since),)))  # the keeper's roster
    save(desk, f"buddy-desk-checked-out-{lang}")
    done_with(desk)

    desk = desk_with_calls()
    desk.on_duty(on_duty)
    resolve = desk.action_button(desk.row_of("pc-05"))
    assert resolve is not None
    resolve.click()
    dialog = desk.outcome_dialog
    assert dialog is not None
    dialog.adjustSize()
    next(iter(dialog.outcomes.values())).setChecked(True)
    for key in ("eid-itsme", "government-site"):
        dialog.topics[key].setChecked(True)
    save(dialog, f"buddy-desk-outcome-{lang}")
    dialog.reject()
    done_with(desk)

    desk = desk_with_calls()
    desk.on_duty(DutyRoster(utc_now(), (OnDuty("Sara", since),)))
    desk.on_queue(SiteQueue(utc_now(), on_duty=1, off_duty_calls="staff"), True)
    desk.checkout_button.click()
    checkout = desk.checkout_dialog
    assert checkout is not None
    checkout.adjustSize()
    save(checkout, f"buddy-desk-last-checkout-{lang}")
    checkout.stay_button.click()
    done_with(desk)

    desk = desk_with_calls()
    desk.on_duty(on_duty)
    desk.on_queue(SiteQueue(utc_now() + timedelta(minutes=7), on_duty=2), False)
    save(desk, f"buddy-desk-clock-{lang}")
    done_with(desk)


def help_loop_screens(url: str, lang: str = "en") -> None:
    """Issue 16's figures: the Usage tab at the help loop's charts (the wait by hour of the
    week, how buddies closed the calls, what they helped with) and the report's new tables."""
    from PySide6.QtGui import QTextDocument

    from admin_console.read.report_texts import ReportTexts

    window = QtAdminWindow(AdminOptions(db_url=url, admin="marie", lang=lang), clock)
    window.resize(1600, 1000)
    window.show()
    window.set_connected(True)
    window.start()
    for _ in range(100):
        settle(200)
        if window.usage.data is not None and window.reports.report and not window.db.busy():
            break
    suffix = "" if lang == "en" else f"-{lang}"
    window.tabs.setCurrentIndex(3)
    settle(300)
    window.usage.chart_area.verticalScrollBar().setValue(window.usage.charts["waits"].y())
    save(window, f"admin-usage-loop{suffix}")
    window.tabs.setCurrentIndex(4)
    settle(300)
    preview = window.reports.preview
    preview.moveCursor(preview.textCursor().MoveOperation.End)
    # From the end backwards: the table's title comes to the top of the view.
    preview.find(
        ReportTexts(lang).title("calls_per_staffed_hour"), QTextDocument.FindFlag.FindBackward
    )
    cursor = preview.textCursor()
    cursor.clearSelection()  # found, in view, not highlighted
    preview.setTextCursor(cursor)
    save(window, f"admin-report-loop{suffix}")
    done_with(window)


def fleet_cut_off_screens(url: str, lang: str) -> None:
    """Issue 21: the fleet tab with the site brokers' lines to the centre, one room cut off for
    45 minutes (its one alert, its kiosks not heard), one connected; and a printer out of paper
    (issue 19). The other rooms' kiosks talk to the centre: no site broker shown for them."""
    from kiosk.wire.protocol import Status

    window = QtAdminWindow(AdminOptions(db_url=url, admin="marie", lang=lang), clock)
    window.resize(1600, 1000)
    window.show()
    window.set_connected(True)
    window.start()
    for _ in range(100):
        settle(200)
        if window.fleet.sites() and not window.db.busy():
            break
    now = clock()
    cut, connected = window.fleet.sites()[:2]
    went = now - timedelta(minutes=45)
    for kiosk in window.fleet.kiosks([cut]):  # last heard just before the line went
        heard = went - timedelta(minutes=1)
        held = Status("idle", heard, {**kiosk.figures, "waiting": 40})  # events kept on disk
        window.fleet.apply_status(cut, kiosk.machine, held, heard)
    window.fleet.apply_bridge(connected, b"1", now - timedelta(hours=5, minutes=12))
    window.fleet.apply_bridge(cut, b"1", now - timedelta(hours=5))
    window.fleet.apply_bridge(cut, b"0", went)
    printing = window.fleet.kiosks([connected])[0]
    paper = Status("in_session", now, {**printing.figures, "printer": "no_paper"})
    window.fleet.apply_status(connected, printing.machine, paper, now)
    window.tabs.setCurrentIndex(1)
    window.fleet_tab.update_view()
    save(window, f"admin-fleet-cut-off-{lang}")
    done_with(window)


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = open_database(url)
        result = generate(engine, sites=6, kiosks_per_site=6, days=120, seed=11, now=NOW)
        engine.dispose()
        print(f"demo data: {result['events']} events, {result['events_per_s']} events/s")
        audit_log(url)
        admin_screens(url)
        help_loop_screens(url)
        for lang in ("nl", "fr"):
            translators = install_translators(app, lang)
            admin_screens(url, lang)
            help_loop_screens(url, lang)
            fleet_cut_off_screens(url, lang)
            buddy_desk(lang)
            buddy_desk_offline(lang)
            buddy_desk_withdrawn(lang)
            buddy_desk_states(lang)
            for translator in translators:
                app.removeTranslator(translator)
    buddy_desk()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
