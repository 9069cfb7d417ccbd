"""Help desk tab: the live queue of every site (claim, resolve) and the history of calls.

The queue hears the help topics when the broker lets the console read them, and is filled
from the database every few seconds in any case (the aggregator stores every help change), so
an admin credential without access to the help topics still sees who is waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from admin_console.desk.help_queue import HelpCall, HelpQueue, changes_from_record
from admin_console.read.help import (
    HelpRecord,
    HelpWaits,
    help_history,
    help_waits,
    recent_help,
)
from admin_console.read.usage import UsageFilter
from admin_console.ui.filters import QtFilterBar
from admin_console.ui.language import N_, tr, trn
from admin_console.ui.outcome_dialog import QtOutcomeDialog, open_outcome_dialog
from admin_console.ui.widgets import (
    WARN,
    fill_table,
    format_duration,
    format_local,
    heading,
    make_table,
    no_data_label,
)
from admin_console.ui.worker import QtDatabase
from kiosk.wire.config_schema import DEFAULT_TOPICS
from kiosk.wire.protocol import HelpChange, HelpOutcome

LIVE = (
    N_("QtHelpDeskTab", "Site"),
    N_("QtHelpDeskTab", "PC"),
    N_("QtHelpDeskTab", "Task"),
    N_("QtHelpDeskTab", "Step"),
    N_("QtHelpDeskTab", "Language"),
    N_("QtHelpDeskTab", "Waiting"),
    N_("QtHelpDeskTab", "State"),
    "",
)
HISTORY = (
    N_("QtHelpDeskTab", "Opened"),
    N_("QtHelpDeskTab", "Site"),
    N_("QtHelpDeskTab", "PC"),
    N_("QtHelpDeskTab", "Task"),
    N_("QtHelpDeskTab", "Step"),
    N_("QtHelpDeskTab", "Language"),
    N_("QtHelpDeskTab", "Outcome"),
    N_("QtHelpDeskTab", "Buddy"),
    N_("QtHelpDeskTab", "Wait"),
    N_("QtHelpDeskTab", "Handling"),
)


class Reply(Protocol):
    """Claims or resolves a call (``AdminLink.reply_help``); a resolution carries its outcome
    and topics."""

    def __call__(
        self,
        site: str,
        machine: str,
        request: str,
        state: str,
        buddy: str,
        *,
        outcome: HelpOutcome | None = None,
        topics: Sequence[str] = (),
    ) -> None: ...


class QtHelpDeskTab(QWidget):
    queue_changed = Signal()

    def __init__(
        self,
        db: QtDatabase,
        queue: HelpQueue,
        admin: str,
        zone: ZoneInfo,
        clock: Callable[[], datetime],
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.queue = queue
        self.admin = admin
        self.zone = zone
        self._clock = clock
        self.reply: Reply | None = None
        # [sites.NAME] topics of the console's config; a site not there has the defaults.
        self.site_topics: Mapping[str, Sequence[str]] = {}
        self.outcome_dialog: QtOutcomeDialog | None = None
        self.usage: UsageFilter | None = None
        self.history: list[HelpRecord] = []
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("QtHelpDeskTab", "Waiting now (all sites)")))
        self.live_empty = no_data_label(tr("QtHelpDeskTab", "No one is waiting for help."))
        layout.addWidget(self.live_empty)
        self.live = make_table([tr("QtHelpDeskTab", c) for c in LIVE], stretch=2)
        self.live.verticalHeader().setDefaultSectionSize(40)
        layout.addWidget(self.live, 2)
        layout.addWidget(heading(tr("QtHelpDeskTab", "History")))
        self.filters = QtFilterBar(today)
        self.filters.changed.connect(self.load_history)
        layout.addWidget(self.filters)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.history_empty = no_data_label(tr("QtHelpDeskTab", "No data for this period."))
        layout.addWidget(self.history_empty)
        self.table = make_table([tr("QtHelpDeskTab", c) for c in HISTORY], stretch=3)
        layout.addWidget(self.table, 3)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self.update_live)
        self._ticker.start(1000)
        self._sync = QTimer(self)
        self._sync.timeout.connect(self.sync_queue)
        self._sync.start(5000)

    # --- live queue --------------------------------------------------------------------------

    def on_help_change(self, site: str, machine: str, change: HelpChange) -> None:
        if self.queue.apply(machine, change, site=site):
            self.update_live()
            self.queue_changed.emit()

    def sync_queue(self) -> None:
        since = self._clock() - timedelta(hours=2)
        self.db.submit(lambda engine: recent_help(engine, since), self._apply_records)

    def _apply_records(self, records: list[HelpRecord]) -> None:
        changed = False
        for r in records:
            for change in changes_from_record(
                r.request,
                r.state,
                r.opened,
                r.claimed,
                r.closed,
                task=r.task,
                step=r.step,
                lang=r.lang,
                buddy=r.buddy,
            ):
                changed |= self.queue.apply(r.machine, change, site=r.site)
        if changed:
            self.update_live()
            self.queue_changed.emit()

    def update_live(self) -> None:
        now = self._clock()
        calls = self.queue.active()
        rows, colours = [], []
        for call in calls:
            rows.append(
                (
                    call.site,
                    call.machine,
                    call.task or tr("QtHelpDeskTab", "(free use)"),
                    "" if call.step is None else call.step + 1,
                    (call.lang or "").upper(),
                    format_duration(call.waiting_s(now)),
                    tr("QtHelpDeskTab", "Waiting")
                    if call.state == "open"
                    else tr("QtHelpDeskTab", "{name} is going").format(name=call.buddy),
                )
            )
            colours.append(WARN if call.state == "open" and call.waiting_s(now) > 300 else None)
        fill_table(self.live, rows, numeric=(3,), colours=colours)
        for row, call in enumerate(calls):
            self.live.setCellWidget(row, len(LIVE) - 1, self._button_for(call))
        self.live_empty.setVisible(not calls)
        self.live.setVisible(bool(calls))

    def _button_for(self, call: HelpCall) -> QPushButton:
        claim = call.state == "open"
        button = QPushButton(
            tr("QtHelpDeskTab", "Claim") if claim else tr("QtHelpDeskTab", "Resolve")
        )
        button.setEnabled(self.reply is not None)
        if claim:
            button.clicked.connect(lambda _=False, c=call: self._send(c, "claimed"))
        else:
            button.clicked.connect(lambda _=False, c=call: self.resolve(c))
        return button

    def topics_of(self, site: str) -> Sequence[str]:
        return self.site_topics.get(site, DEFAULT_TOPICS)

    def resolve(self, call: HelpCall) -> None:
        """Close a call as a buddy desk does: an outcome and the site's topics, no free text."""
        pc = f"{call.site}/{call.machine}"
        dialog = open_outcome_dialog(self, pc, self.topics_of(call.site))
        dialog.chosen.connect(lambda outcome, topics: self._send(call, "resolved", outcome, topics))
        dialog.finished.connect(lambda _code: setattr(self, "outcome_dialog", None))
        self.outcome_dialog = dialog

    def _send(
        self,
        call: HelpCall,
        state: str,
        outcome: HelpOutcome | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        if self.reply is not None:
            buddy = self.admin if state == "claimed" else (call.buddy or self.admin)
            self.reply(
                call.site,
                call.machine,
                call.request,
                state,
                buddy[:40],
                outcome=outcome,
                topics=tuple(topics),
            )

    def row_of(self, site: str, machine: str) -> int:
        for row in range(self.live.rowCount()):
            a, b = self.live.item(row, 0), self.live.item(row, 1)
            if a is not None and b is not None and (a.text(), b.text()) == (site, machine):
                return row
        return -1

    # --- history -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.filters.apply()
        self.sync_queue()

    def load_history(self, usage: UsageFilter) -> None:
        self.usage = usage

        def job(engine: object) -> tuple[list[HelpRecord], HelpWaits]:
            return help_history(engine, usage), help_waits(engine, usage)  # type: ignore[arg-type]

        self.db.submit(job, self._history_loaded)

    def _history_loaded(self, result: tuple[list[HelpRecord], HelpWaits]) -> None:
        self.history, waits = result
        outcome = {
            "open": tr("QtHelpDeskTab", "waiting"),
            "claimed": tr("QtHelpDeskTab", "buddy going"),
            "resolved": tr("QtHelpDeskTab", "resolved"),
            "cancelled": tr("QtHelpDeskTab", "cancelled"),
            "expired": tr("QtHelpDeskTab", "expired"),
        }
        rows = [
            (
                format_local(r.opened, self.zone),
                r.site,
                r.machine,
                r.task or tr("QtHelpDeskTab", "(free use)"),
                "" if r.step is None else r.step + 1,
                (r.lang or "").upper(),
                outcome.get(r.state, r.state),
                r.buddy or "",
                format_duration(r.wait_s),
                format_duration(r.handling_s),
            )
            for r in self.history
        ]
        fill_table(self.table, rows, numeric=(4, 8, 9))
        self.history_empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        self.summary.setText(
            trn(
                "QtHelpDeskTab",
                "{n} call, {answered} answered · median wait {median} · 90% waited less "
                "than {p90} · median handling {handling}",
                "{n} calls, {answered} answered · median wait {median} · 90% waited less "
                "than {p90} · median handling {handling}",
                waits.calls,
                answered=waits.answered,
                median=format_duration(waits.median_wait_s),
                p90=format_duration(waits.p90_wait_s),
                handling=format_duration(waits.median_handling_s),
            )
        )
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
