"""Overview tab: per site, kiosks online / in a session / offline, today's sessions, help calls,
alerts (a site cut off from the centre is one alert for the site, not one per kiosk).

"Online", "in a session" and "offline" are live figures: they come from the broker. While the
console is not connected to it, they are unknown, and shown as "—" with the reason, never as
the last figures it had (which would say that visitors are there who left long ago). Today's
sessions and the help calls come from the database and stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from admin_console.desk.fleet import FleetModel
from admin_console.desk.help_queue import HelpQueue
from admin_console.read.help import SiteToday, today_by_site
from admin_console.ui.language import N_, alert_text, tr
from admin_console.ui.widgets import (
    ALERT,
    QtTile,
    fill_table,
    format_duration,
    heading,
    make_table,
    no_data_label,
)
from admin_console.ui.worker import QtDatabase

UNKNOWN = "—"  # a live figure the console does not know now

COLUMNS = (
    N_("QtOverviewTab", "Site"),
    N_("QtOverviewTab", "Online"),
    N_("QtOverviewTab", "In a session"),
    N_("QtOverviewTab", "Offline"),
    N_("QtOverviewTab", "Sessions today"),
    N_("QtOverviewTab", "Open help calls"),
    N_("QtOverviewTab", "Median wait today"),
    N_("QtOverviewTab", "Alerts"),
)


class QtOverviewTab(QWidget):
    def __init__(
        self,
        db: QtDatabase,
        fleet: FleetModel,
        queue: HelpQueue,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.fleet = fleet
        self.queue = queue
        self._clock = clock
        self.today: dict[str, SiteToday] = {}
        # Why the live figures are unknown; None while the broker is connected.
        self.unknown_because: str | None = tr("QtOverviewTab", "not connected to the broker yet")
        layout = QVBoxLayout(self)
        tiles = QGridLayout()
        self.tiles = {
            "online": QtTile(tr("QtOverviewTab", "kiosks online")),
            "in_session": QtTile(tr("QtOverviewTab", "visitors at a kiosk now")),
            "sessions": QtTile(tr("QtOverviewTab", "sessions today")),
            "calls": QtTile(tr("QtOverviewTab", "help calls open")),
            "alerts": QtTile(tr("QtOverviewTab", "alerts (Fleet tab)")),
        }
        for column, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, column)
        layout.addLayout(tiles)
        self.live_note = QLabel()
        self.live_note.setObjectName("liveNote")
        self.live_note.setWordWrap(True)
        layout.addWidget(self.live_note)
        layout.addWidget(heading(tr("QtOverviewTab", "Sites")))
        self.empty = no_data_label(
            tr("QtOverviewTab", "No data yet: no kiosk has reported and no visit was stored.")
        )
        layout.addWidget(self.empty)
        self.table = make_table([tr("QtOverviewTab", c) for c in COLUMNS], stretch=len(COLUMNS) - 1)
        layout.addWidget(self.table, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(15_000)

    def set_live(self, connected: bool, reason: str = "") -> None:
        """Live figures known (connected) or not, and why not (shown under the tiles)."""
        self.unknown_because = (
            None if connected else reason or tr("QtOverviewTab", "not connected to the broker")
        )
        self.update_view()

    def refresh(self) -> None:
        zone = ZoneInfo(self.fleet.settings.timezone)
        moment = self._clock()
        self.db.submit(lambda engine: today_by_site(engine, moment, zone.key), self._today_loaded)
        self.update_view()

    def _today_loaded(self, today: dict[str, SiteToday]) -> None:
        self.today = today
        self.update_view()

    def _alerts_text(self, site: str, now: datetime) -> str:
        """The site's alerts: its own first (a site broker cut off from the centre), then its
        kiosks' with the PC's name."""
        alerts = self.fleet.alerts(now, [site])
        if not alerts:
            return ""
        first = ", ".join(
            f"{a.machine} {alert_text(a)}" if a.machine else alert_text(a) for a in alerts[:2]
        )
        return first + (
            tr("QtOverviewTab", " (+{n} more)").format(n=len(alerts) - 2) if len(alerts) > 2 else ""
        )

    def update_view(self) -> None:
        now = self._clock()
        fleet = self.fleet.summary(now)
        calls: dict[str, int] = {}
        for call in self.queue.active():  # live calls, and those the database knows of
            calls[call.site] = calls.get(call.site, 0) + 1
        sites = sorted(set(fleet) | set(self.today) | set(calls))
        live = self.unknown_because is None
        rows, colours = [], []
        for site in sites:
            f = fleet.get(site)
            t = self.today.get(site, SiteToday())

            def figure(n: int) -> int | str:
                return n if live else UNKNOWN

            rows.append(
                (
                    site,
                    figure(f.online if f else 0),
                    figure(f.in_session if f else 0),
                    figure(f.offline if f else 0),
                    t.sessions,
                    calls.get(site, 0),
                    format_duration(t.median_wait_s),
                    self._alerts_text(site, now),
                )
            )
            colours.append(ALERT if (f and f.alerts) or calls.get(site) else None)
        fill_table(self.table, rows, numeric=range(1, 7), colours=colours)
        self.empty.setVisible(not sites)
        self.table.setVisible(bool(sites))
        online = sum(s.online for s in fleet.values())
        total = sum(s.total for s in fleet.values())
        if live:
            self.tiles["online"].set_value(f"{online} / {total}")
            self.tiles["in_session"].set_value(str(sum(s.in_session for s in fleet.values())))
            self.live_note.hide()
        else:
            self.tiles["online"].set_value(f"{UNKNOWN} / {total}")
            self.tiles["in_session"].set_value(UNKNOWN)
            self.live_note.setText(
                tr(
                    "QtOverviewTab",
                    "Kiosks online and visitors now: unknown ({why}). The other figures come "
                    "from the database.",
                    why=self.unknown_because,
                )
            )
            self.live_note.show()
        self.tiles["sessions"].set_value(str(sum(t.sessions for t in self.today.values())))
        self.tiles["calls"].set_value(str(sum(calls.values())))
        self.tiles["alerts"].set_value(str(sum(s.alerts for s in fleet.values())))
