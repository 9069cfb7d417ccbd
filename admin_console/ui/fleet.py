"""Fleet tab: every kiosk by site with its label, state, last contact, version, load and
alerts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from admin_console.desk.fleet import FleetModel, Kiosk
from admin_console.ui.language import N_, alert_text, tr, trn
from admin_console.ui.widgets import (
    ALERT,
    GOOD,
    QUIET,
    fill_table,
    format_ago,
    make_table,
    no_data_label,
)
from kiosk.wire.opening_hours import WEEKDAYS, OpeningHours

COLUMNS = (
    N_("QtFleetTab", "Site"),
    N_("QtFleetTab", "PC"),
    N_("QtFleetTab", "Name in the room"),
    N_("QtFleetTab", "State"),
    N_("QtFleetTab", "Last seen"),
    N_("QtFleetTab", "Version"),
    N_("QtFleetTab", "CPU"),
    N_("QtFleetTab", "Memory"),
    N_("QtFleetTab", "Disk"),
    N_("QtFleetTab", "Printer"),
    N_("QtFleetTab", "Alerts"),
)
_DAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b")
STATES = {
    "idle": N_("QtFleetTab", "idle"),
    "in_session": N_("QtFleetTab", "in a session"),
    "locked": N_("QtFleetTab", "locked"),
    "offline": N_("QtFleetTab", "offline"),
}


def hours_text(hours: OpeningHours) -> str:
    """Opening hours as ``OpeningHours.describe`` says them, with the days in the console's
    language (Qt's short day names: ``ma–vr``, ``lun.–ven.``)."""
    if hours.always_open:
        return tr("QtFleetTab", "always open")
    locale = QLocale()
    days = {
        name: locale.dayName(number, QLocale.FormatType.ShortFormat)
        for number, name in enumerate(WEEKDAYS, start=1)
    }
    return _DAY.sub(lambda found: days[found.group(0)], hours.describe())


# The status's ``printer`` (kiosk.wire.protocol.PRINTER_STATES); none: no printer configured.
PRINTER = {
    "ok": N_("QtFleetTab", "ready"),
    "missing": N_("QtFleetTab", "not found"),
    "stopped": N_("QtFleetTab", "stopped"),
    "no_paper": N_("QtFleetTab", "out of paper"),
    "offline": N_("QtFleetTab", "off or unreachable"),
    "jammed": N_("QtFleetTab", "paper jam"),
    "other": N_("QtFleetTab", "error"),
}


def printer_text(kiosk: Kiosk) -> str:
    """The kiosk's printer as its last status said (issue 19); "–" without a printer."""
    state = kiosk.figures.get("printer")
    return tr("QtFleetTab", PRINTER[state]) if isinstance(state, str) and state in PRINTER else "–"


def label_text(kiosk: Kiosk) -> str:
    """The name people in the room use for the PC (its status's ``label``), or a plain
    "no name yet"."""
    label = kiosk.figures.get("label")
    return label if isinstance(label, str) and label else tr("QtFleetTab", "(no name yet)")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


class QtFleetTab(QWidget):
    def __init__(
        self, fleet: FleetModel, clock: Callable[[], datetime], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.fleet = fleet
        self._clock = clock
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("QtFleetTab", "Site:")))
        self.site = QComboBox()
        self.site.addItem(tr("QtFleetTab", "All sites"), "")
        self.site.currentIndexChanged.connect(self.update_view)
        bar.addWidget(self.site)
        self.summary = QLabel()
        bar.addWidget(self.summary, 1)
        self.hours = QLabel(
            tr(
                "QtFleetTab",
                "Opening hours: {hours} · offline alert after {m} min · disk alert above {d}%",
            ).format(
                hours=hours_text(fleet.settings.hours),
                m=int(fleet.settings.offline_alert_after.total_seconds() // 60),
                d=int(fleet.settings.disk_alert_pct),
            )
        )
        self.hours.setStyleSheet("color: #5F6368")
        bar.addWidget(self.hours)
        layout.addLayout(bar)
        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setStyleSheet("background: #FCE8E6; color: #8B0000; padding: 6px")
        layout.addWidget(self.alerts)
        self.empty = no_data_label(tr("QtFleetTab", "No kiosk has reported yet."))
        layout.addWidget(self.empty)
        self.table = make_table([tr("QtFleetTab", c) for c in COLUMNS], stretch=10)
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.update_view)
        self._timer.start(5000)

    def _sync_sites(self) -> None:
        sites = self.fleet.sites()
        known = [self.site.itemData(i) for i in range(1, self.site.count())]
        if known != sites:
            chosen = self.site.currentData()
            self.site.blockSignals(True)
            self.site.clear()
            self.site.addItem(tr("QtFleetTab", "All sites"), "")
            for site in sites:
                self.site.addItem(site, site)
            index = self.site.findData(chosen)
            self.site.setCurrentIndex(max(0, index))
            self.site.blockSignals(False)

    def update_view(self) -> None:
        self._sync_sites()
        now = self._clock()
        site = self.site.currentData() or ""
        kiosks = self.fleet.kiosks([site] if site else [])
        rows, colours = [], []
        all_alerts = []
        for kiosk in kiosks:
            alerts = self.fleet.alerts_for(kiosk, now)
            all_alerts += alerts
            state = self.fleet.shown_state(kiosk, now)
            rows.append(
                (
                    kiosk.site,
                    kiosk.machine,
                    label_text(kiosk),
                    tr("QtFleetTab", STATES.get(state, state)),
                    format_ago(kiosk.last_seen, now),
                    kiosk.version or "–",
                    _pct(kiosk.figure("cpu_pct")),
                    _pct(kiosk.figure("mem_pct")),
                    _pct(kiosk.figure("disk_pct")),
                    printer_text(kiosk),
                    "; ".join(alert_text(a) for a in alerts),
                )
            )
            colours.append(self._colour(state, bool(alerts)))
        fill_table(self.table, rows, numeric=(6, 7, 8), colours=colours)
        self.empty.setVisible(not kiosks)
        self.table.setVisible(bool(kiosks))
        offline = sum(self.fleet.is_offline(k, now) for k in kiosks)
        self.summary.setText(
            trn(
                "QtFleetTab",
                "{n} kiosk, {off} offline",
                "{n} kiosks, {off} offline",
                len(kiosks),
                off=offline,
            )
        )
        self.alerts.setVisible(bool(all_alerts))
        shown = [f"{a.site}/{a.machine}: {alert_text(a)}" for a in all_alerts[:8]]
        more = len(all_alerts) - len(shown)
        self.alerts.setText(
            trn("QtFleetTab", "{n} alert — ", "{n} alerts — ", len(all_alerts))
            + " · ".join(shown)
            + (tr("QtFleetTab", " … and {m} more").format(m=more) if more > 0 else "")
        )

    @staticmethod
    def _colour(state: str, alert: bool) -> QColor | None:
        if alert:
            return ALERT
        if state == "offline":
            return QUIET
        return GOOD if state == "in_session" else None


__all__ = ["Kiosk", "QtFleetTab"]
