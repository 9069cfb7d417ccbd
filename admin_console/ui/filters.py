"""The sites-and-period bar shared by the Usage, Help desk and Reports tabs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from admin_console.read.usage import Period, PeriodError, UsageFilter
from admin_console.ui.language import N_, tr

PRESETS = (
    N_("QtFilterBar", "Last 7 days"),
    N_("QtFilterBar", "Last 30 days"),
    N_("QtFilterBar", "Last 90 days"),
    N_("QtFilterBar", "This year"),
    N_("QtFilterBar", "Last 365 days"),
    N_("QtFilterBar", "Custom"),
)


def preset_period(name: str, today: date) -> Period | None:
    days = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365}
    if name in days:
        return Period(today - timedelta(days=days[name] - 1), today)
    if name == "This year":
        return Period(today.replace(month=1, day=1), today)
    return None


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class QtFilterBar(QWidget):
    """Sites (all, or a choice), a period (a preset or two dates) and Apply.

    ``changed`` carries a valid :class:`UsageFilter`; a start after the end is refused with a
    message next to the dates, and nothing is emitted.
    """

    changed = Signal(object)

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(tr("QtFilterBar", "Sites:")))
        self.sites_button = QToolButton()
        self.sites_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sites_menu = QMenu(self)
        self.sites_button.setMenu(self.sites_menu)
        self.sites_button.setMinimumWidth(140)
        layout.addWidget(self.sites_button)
        self.preset = QComboBox()
        self.preset.addItems([tr("QtFilterBar", p) for p in PRESETS])
        self.preset.setCurrentIndex(1)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        layout.addWidget(self.preset)
        layout.addWidget(QLabel(tr("QtFilterBar", "From")))
        self.start = QDateEdit()
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        layout.addWidget(self.start)
        layout.addWidget(QLabel(tr("QtFilterBar", "to")))
        self.end = QDateEdit()
        self.end.setCalendarPopup(True)
        self.end.setDisplayFormat("yyyy-MM-dd")
        layout.addWidget(self.end)
        self.apply_button = QPushButton(tr("QtFilterBar", "Apply"))
        self.apply_button.clicked.connect(self.apply)
        layout.addWidget(self.apply_button)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #B00020; font-weight: bold")
        layout.addWidget(self.error, 1)
        self._site_actions: list[QAction] = []
        self.set_sites([])
        self._preset_chosen(1)
        self.start.dateChanged.connect(self._custom)
        self.end.dateChanged.connect(self._custom)

    def set_sites(self, sites: Sequence[str]) -> None:
        """The sites to choose from; a choice already made survives a refresh."""
        chosen = set(self.chosen_sites())
        self.sites_menu.clear()
        self._site_actions = []
        every = self.sites_menu.addAction(tr("QtFilterBar", "All sites"))
        every.triggered.connect(self._all_sites)
        self.sites_menu.addSeparator()
        for site in sites:
            action = self.sites_menu.addAction(site)
            action.setCheckable(True)
            action.setChecked(site in chosen)
            action.toggled.connect(self._label_sites)
            self._site_actions.append(action)
        self._label_sites()

    def chosen_sites(self) -> tuple[str, ...]:
        return tuple(a.text() for a in self._site_actions if a.isChecked())

    def choose_sites(self, sites: Sequence[str]) -> None:
        for action in self._site_actions:
            action.setChecked(action.text() in sites)

    def set_period(self, period: Period) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(len(PRESETS) - 1)
        self.preset.blockSignals(False)
        self._set_dates(period)

    def current(self) -> UsageFilter:
        """The filter shown; PeriodError when the dates are the wrong way round."""
        return UsageFilter(
            Period(_pydate(self.start.date()), _pydate(self.end.date())), self.chosen_sites()
        )

    def apply(self) -> None:
        try:
            usage = self.current()
        except PeriodError:
            self.error.setText(
                tr("QtFilterBar", "The start date {start} is after the end date {end}.").format(
                    start=self.start.date().toString("yyyy-MM-dd"),
                    end=self.end.date().toString("yyyy-MM-dd"),
                )
            )
            return
        self.error.clear()
        self.changed.emit(usage)

    def _all_sites(self) -> None:
        for action in self._site_actions:
            action.setChecked(False)

    def _label_sites(self) -> None:
        chosen = self.chosen_sites()
        if not chosen:
            text = tr("QtFilterBar", "All sites")
        elif len(chosen) == 1:
            text = chosen[0]
        else:
            text = tr("QtFilterBar", "{n} sites").format(n=len(chosen))
        self.sites_button.setText(text + " ▾")

    def _preset_chosen(self, index: int) -> None:
        period = preset_period(PRESETS[index], self._today())
        if period is not None:
            self._set_dates(period)

    def _set_dates(self, period: Period) -> None:
        for edit, day in ((self.start, period.start), (self.end, period.end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def _custom(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(len(PRESETS) - 1)
        self.preset.blockSignals(False)
