"""Fleet tab: the site brokers and their line to the centre (issue 21: up or down, since
when, the kiosks heard through each), then every kiosk by site with its label, state, last
contact, version, load, printer and alerts. A site whose kiosks talk to the centre directly
has no site broker, and none is shown for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from admin_console.desk.fleet import Alert, FleetModel, Kiosk, SiteBroker
from admin_console.ui.language import N_, alert_text, tr, trn
from admin_console.ui.widgets import (
    ALERT,
    GOOD,
    QUIET,
    fill_table,
    format_ago,
    heading,
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
    # behind a site broker whose bridge is down: maybe working in the room, not heard here
    "unheard": N_("QtFleetTab", "not heard (room cut off)"),
}
BROKER_COLUMNS = (
    N_("QtFleetTab", "Site"),
    N_("QtFleetTab", "Line to the centre"),
    N_("QtFleetTab", "Since"),
    N_("QtFleetTab", "Kiosks heard through it"),
    N_("QtFleetTab", "Still to send"),
    N_("QtFleetTab", "Alert"),
)


def since_text(broker: SiteBroker, now: datetime, zone: ZoneInfo) -> str:
    """When the bridge went up or down, in local time, and how long ago; a state the console
    found retained when it started began then or earlier."""
    since = broker.bridge.since
    local = since.astimezone(zone)
    same_day = local.date() == now.astimezone(zone).date()
    moment = local.strftime("%H:%M" if same_day else "%d/%m %H:%M")
    if not broker.bridge.since_known:
        moment = tr("QtFleetTab", "{time} or earlier", time=moment)
    return f"{moment} ({format_ago(since, now)})"


def broker_row(broker: SiteBroker, now: datetime, zone: ZoneInfo) -> tuple[str, ...]:
    """One site broker as the topology table shows it."""
    line = tr("QtFleetTab", "connected") if broker.bridge.up else tr("QtFleetTab", "cut off")
    return (
        broker.bridge.site,
        line,
        since_text(broker, now, zone),
        tr("QtFleetTab", "{heard} of {n}", heard=broker.heard, n=broker.kiosks),
        waiting_text(broker),
        alert_text(broker.alert) if broker.alert else "",
    )


def waiting_text(broker: SiteBroker) -> str:
    """What the room still has to send: its kiosks' outboxes, as they last said."""
    if broker.waiting is None:
        return "–"
    if not broker.bridge.up:
        # Nothing is heard through a cut line: the figure is from before the cut.
        return tr("QtFleetTab", "{n} before the cut", n=broker.waiting)
    return str(broker.waiting)


def alert_line(alert: Alert) -> str:
    """An alert in the list above the tables: the site's own without a PC."""
    where = f"{alert.site}/{alert.machine}" if alert.machine else alert.site
    return tr("QtFleetTab", "{where}: {alert}", where=where, alert=alert_text(alert))


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
        self.brokers_heading = heading(tr("QtFleetTab", "Site brokers: their line to the centre"))
        layout.addWidget(self.brokers_heading)
        self.brokers = make_table([tr("QtFleetTab", c) for c in BROKER_COLUMNS], stretch=4)
        self.brokers.setSortingEnabled(False)
        layout.addWidget(self.brokers)
        self.kiosks_heading = heading(tr("QtFleetTab", "Kiosks"))
        layout.addWidget(self.kiosks_heading)
        self.empty = no_data_label(tr("QtFleetTab", "No kiosk has reported yet."))
        layout.addWidget(self.empty)
        self.table = make_table([tr("QtFleetTab", c) for c in COLUMNS], stretch=10)
        self.table.setSortingEnabled(False)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.update_view)
        self._timer.start(5000)

    def _sync_sites(self) -> None:
        sites = sorted(set(self.fleet.sites()) | {b.site for b in self.fleet.bridges()})
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
        self._update_brokers(site, now)
        rows, colours = [], []
        all_alerts = self.fleet.site_alerts(now)
        all_alerts = [a for a in all_alerts if not site or a.site == site]
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
        offline = sum(self.fleet.shown_state(k, now) == "offline" for k in kiosks)
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
        shown = [alert_line(a) for a in all_alerts[:8]]
        more = len(all_alerts) - len(shown)
        self.alerts.setText(
            trn("QtFleetTab", "{n} alert — ", "{n} alerts — ", len(all_alerts))
            + " · ".join(shown)
            + (tr("QtFleetTab", " … and {m} more").format(m=more) if more > 0 else "")
        )

    def _update_brokers(self, site: str, now: datetime) -> None:
        """The site brokers (of the chosen site): hidden when there is none."""
        zone = ZoneInfo(self.fleet.settings.timezone)
        brokers = self.fleet.topology([site] if site else [], now)
        fill_table(
            self.brokers,
            [broker_row(b, now, zone) for b in brokers],
            colours=[None if b.bridge.up else ALERT for b in brokers],
        )
        for widget in (self.brokers_heading, self.brokers, self.kiosks_heading):
            widget.setVisible(bool(brokers))
        self.brokers.setMaximumHeight(
            self.brokers.horizontalHeader().height()
            + sum(self.brokers.rowHeight(r) for r in range(len(brokers)))
            + 2 * self.brokers.frameWidth()
            + 4
        )

    @staticmethod
    def _colour(state: str, alert: bool) -> QColor | None:
        if alert:
            return ALERT
        if state in ("offline", "unheard"):
            return QUIET
        return GOOD if state == "in_session" else None


__all__ = ["Kiosk", "QtFleetTab", "broker_row"]
