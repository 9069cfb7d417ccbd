"""The kiosk window: draws the model (``KioskCore``) and forwards what the visitor does.

It never talks to the broker or the outbox itself. A tick a few times a second lets the model
run its clock (idle warning, time limit) and the window show what follows from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from kiosk.i18n import Texts
from kiosk.model.core import KioskCore
from kiosk.model.goodbye import Goodbye, Stage
from kiosk.model.help_queue import off_duty_text, waiting_text
from kiosk.model.session import Phase, minutes
from kiosk.model.skills import Offers
from kiosk.model.theme import HIGH_CONTRAST, NORMAL
from kiosk.model.tiles import BROWSE, Tile
from kiosk.ui.action_bar import QtActionBar
from kiosk.ui.overlays import QtGoodbye, QtIdleWarning, QtLockedScreen
from kiosk.ui.speech import QtReader
from kiosk.ui.start_screen import QtStartScreen
from kiosk.ui.widgets import QtPages, make_label

if TYPE_CHECKING:
    from kiosk.printing.desk import PrintDesk
    from kiosk.ui.feedback import QtFeedback
    from kiosk.ui.home_screen import QtHomeScreen
    from kiosk.ui.skills_screen import QtSkillsScreen, TasksFor

TilesFor = Callable[[Texts], list[Tile]]


def browse_only(texts: Texts) -> list[Tile]:
    return [Tile(BROWSE, texts("tile_browse"))]


class QtKioskWindow(QMainWindow):
    """Start screen, the visit (home or an activity), or out of order — following the model."""

    open_requested = Signal(str)  # a home tile: a task id, or BROWSE

    def __init__(
        self,
        core: KioskCore,
        idle_minutes: int | None = None,
        *,
        reader: QtReader | None = None,
        tiles_for: TilesFor = browse_only,
        tick_ms: int = 250,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``idle_minutes``: left for older callers; the start screen says the model's own
        idle timeout (``core.timer.policy``), in seconds when it is short."""
        del idle_minutes
        super().__init__()
        self._core = core
        self._texts = Texts(core.lang)
        self.reader = reader or QtReader()
        self._tiles_for = tiles_for
        self._broker_online = False
        self._queue_shown: tuple[str, str] = ("", "")  # (help status, duty notice) on screen
        self._style_key: tuple[str, int] | None = None
        self.allow_close: Callable[[], bool] = lambda: True
        # The theme before any widget, and the central widget in place before anything is put
        # in it: each widget is then polished once, with the theme (not first with the
        # platform's style, and again when the theme came: part of the start's cost).
        theme = HIGH_CONTRAST if core.high_contrast else NORMAL
        self._style_key = (theme.name, core.text_size)
        self.setStyleSheet(theme.stylesheet(core.text_size))

        root = QWidget()
        self.setCentralWidget(root)
        layout = QVBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = make_label("banner")
        layout.addWidget(self.banner)
        self.start_screen = QtStartScreen(core.timer.policy.idle_timeout_s)
        # The chosen language marked before the screen is first polished: no repolish (and no
        # QStyle made for it) at the start.
        self.start_screen.languages.retranslate(self._texts)
        # The home screen (tiles, icons, the accessibility bar) is made on first use, or by the
        # kiosk right after the start screen shows (``home_screen``): ~15 ms the start screen
        # does not need. An empty page holds its place in the stack until then.
        self._home: QtHomeScreen | None = None
        self._home_slot = QWidget()
        self.locked_screen = QtLockedScreen()
        self.activity_page = QWidget()  # the browser or a guided task takes this place
        self.activity_layout = QVBoxLayout(self.activity_page)
        self.activity_layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QtPages()
        self.stack.currentChanged.connect(lambda _i: self.stack.updateGeometry())
        for page in (self.start_screen, self._home_slot, self.activity_page, self.locked_screen):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.action_bar = QtActionBar()
        layout.addWidget(self.action_bar)
        self.idle_warning = QtIdleWarning(root)
        self.goodbye = Goodbye(monotonic)
        self._goodbye_screen: QtGoodbye | None = None  # made on the first "I'm done"
        self.goodbye_feedback: QtFeedback | None = None  # the faces on the goodbye
        # The skills check (issue 20), offered once the visit controller gives it the tasks.
        self._skills: QtSkillsScreen | None = None
        self._skills_lang = ""
        self._skills_enabled = False
        self._skills_tasks: TasksFor = lambda _lang: ()
        self._skills_offers: Callable[[], Offers] = Offers
        self._print_desk: PrintDesk | None = None

        self.start_screen.start_requested.connect(core.start_session)
        self.start_screen.language_chosen.connect(core.set_language)
        self.action_bar.call_requested.connect(self._call)
        self.action_bar.cancel_requested.connect(core.cancel_help)
        self.action_bar.done_requested.connect(self._ask_goodbye)
        self.idle_warning.still_here.connect(self._still_here)
        core.subscribe(self._update)
        core.subscribe_queue(self._update)
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start(tick_ms)
        self._update()

    # --- what the visitor sees ------------------------------------------------------------------

    @property
    def home_screen(self) -> QtHomeScreen:
        """The home screen, made (and put in its place) the first time it is asked for."""
        if self._home is None:
            from kiosk.ui.home_screen import QtHomeScreen

            home = QtHomeScreen(self.reader.available)
            core = self._core
            home.tile_chosen.connect(self._tile_chosen)
            access = home.accessibility
            access.text_size_chosen.connect(core.set_text_size)
            access.contrast_toggled.connect(core.set_high_contrast)
            access.read_aloud_requested.connect(self.read_aloud)
            home.languages.language_chosen.connect(core.set_language)
            home.skills_requested.connect(self.show_skills)
            home.feedback.chosen.connect(lambda face: core.feedback(face, home.feedback.task))
            home.show_skills(self._skills_enabled)
            index = self.stack.indexOf(self._home_slot)
            self.stack.insertWidget(index, home)
            self.stack.removeWidget(self._home_slot)
            self._home_slot.deleteLater()
            self._home = home
            self._style_home()
            texts = self._texts
            home.retranslate(texts, self._tiles_for(texts))
            home.accessibility.show_state(texts, core.text_size, core.high_contrast)
            home.show_duty(self._queue_shown[1])
            home.show_call_pending(core.help is not None)
        return self._home

    def _style_home(self) -> None:
        theme = HIGH_CONTRAST if self._core.high_contrast else NORMAL
        if self._home is not None:
            self._home.set_text_size(self._core.text_size)
            self._home.set_icon_colour(theme.primary_text)
            self._home.feedback.set_colour(theme.primary)
        if self._skills is not None:
            self._skills.set_colour(theme.primary, theme.primary_text)
        if self.goodbye_feedback is not None:
            self.goodbye_feedback.set_colour(theme.primary)

    # --- the skills check and the faces (issue 20) ---------------------------------------------

    def enable_skills(
        self,
        tasks_for: TasksFor,
        offers_for: Callable[[], Offers] = Offers,
        desk: PrintDesk | None = None,
    ) -> None:
        """Offer "Wat kan ik al?" on the home screen: ``tasks_for(lang)`` gives the catalogue's
        (id, category, title), ``offers_for`` the site's offers, ``desk`` the printer."""
        self._skills_enabled = True
        self._skills_tasks, self._skills_offers, self._print_desk = tasks_for, offers_for, desk
        if self._home is not None:
            self._home.show_skills(True)

    @property
    def skills_screen(self) -> QtSkillsScreen:
        """The skills check, made (and put in the stack) the first time it is asked for."""
        if self._skills is None:
            from kiosk.ui.skills_screen import QtSkillsScreen

            screen = QtSkillsScreen(
                self.reader.available, self._skills_tasks, self._skills_offers, self._print_desk
            )
            screen.home_requested.connect(self.show_home)
            screen.task_chosen.connect(self.open_requested)
            screen.read_requested.connect(self.read_aloud)
            screen.finished.connect(self._core.skills_checked)
            self.stack.addWidget(screen)
            self._skills = screen
            self._style_home()
        return self._skills

    def show_skills(self) -> None:
        """ "Wat kan ik al?" from its first statement."""
        if self._core.session is None:
            return
        if self._home is not None:
            self._home.feedback.close_question()
        screen = self.skills_screen
        self._skills_lang = self._texts.lang
        screen.start(self._texts)
        self.stack.setCurrentWidget(screen)

    def ask_task_feedback(self, task: str, title: str) -> None:
        """A guided task ended: "Well done! … Did it work?" with the faces, on the home screen."""
        texts = self._texts
        question = f"{texts('task_done', title=title)}\n{texts('feedback_question')}"
        self.home_screen.feedback.ask(texts, question, task)

    def set_read_aloud_available(self, available: bool) -> None:
        """Known once the speech engines were probed; without one the control stays hidden."""
        self.home_screen.accessibility.read_button.setVisible(available)
        if self._skills is not None:
            self._skills.read_button.setVisible(available)

    def set_tiles_for(self, tiles_for: TilesFor) -> None:
        self._tiles_for = tiles_for
        self._update()

    def refresh(self) -> None:
        self._update()

    def set_broker_online(self, online: bool) -> None:
        self._broker_online = online
        self._update()

    def help_text(self) -> str:
        """What the visitor reads about their call right now ('' when there is none)."""
        help_call = self._core.help
        if help_call is None:
            return ""
        if help_call.state == "claimed" and help_call.buddy:
            return self._texts("help_coming", name=help_call.buddy)
        if not self._broker_online:
            return self._texts("help_offline")
        queue = self._core.queue_now()
        if queue is not None and queue.place is not None and queue.wait_s is not None:
            return waiting_text(self._texts, queue.place, queue.wait_s)
        return self._texts("help_waiting")

    def duty_text(self) -> str:
        """What the start and home screens say about who is on duty ('' when a buddy is, or
        when no queue came: then the kiosk says what it always said)."""
        queue = self._core.queue_now()
        if queue is None:
            return ""
        return off_duty_text(self._texts, queue, self._core.local_now())

    def show_activity(self, widget: QWidget) -> None:
        """Put the browser (or a task beside it) in the visit's main area."""
        if self.activity_layout.indexOf(widget) < 0:
            self.activity_layout.addWidget(widget)
        self.stack.setCurrentWidget(self.activity_page)

    def show_home(self) -> None:
        if self._core.session:
            self.stack.setCurrentWidget(self.home_screen)

    def _tile_chosen(self, tile_id: str) -> None:
        self.home_screen.feedback.close_question()  # not answered: nothing is sent
        self.open_requested.emit(tile_id)

    def read_aloud(self) -> None:
        page: QWidget | None = self.stack.currentWidget()
        if self._goodbye_shown():
            page = self.goodbye_screen
        speak = getattr(page, "spoken_text", None)
        text = speak() if callable(speak) else ""
        self.reader.say(f"{text} {self.help_text()}".strip(), self._core.lang)

    def _apply_style(self) -> None:
        theme = HIGH_CONTRAST if self._core.high_contrast else NORMAL
        key = (theme.name, self._core.text_size)
        if key != self._style_key:
            self._style_key = key
            self.setStyleSheet(theme.stylesheet(self._core.text_size))
            self._style_home()
            self.action_bar.set_text_size(self._core.text_size)

    def _update(self) -> None:
        core = self._core
        if self._texts.lang != core.lang:
            self._texts = Texts(core.lang)
        texts = self._texts
        self._apply_style()
        self.setWindowTitle(texts("window_title"))
        self.start_screen.retranslate(texts, core.timer.can_start())
        if self._home is not None or core.session is not None:
            self.home_screen.retranslate(texts, self._tiles_for(texts))
            self.home_screen.accessibility.show_state(texts, core.text_size, core.high_contrast)
        self.locked_screen.retranslate(texts)
        if core.locked:
            self.stack.setCurrentWidget(self.locked_screen)
        elif core.session is None:
            arriving = self.stack.currentWidget() is not self.start_screen
            self.stack.setCurrentWidget(self.start_screen)
            self.idle_warning.hide()
            if arriving:
                self.focus_start()
        if core.session is None:
            self._forget_visit()
        elif self._skills is not None and self._skills_lang != texts.lang:
            self._skills_lang = texts.lang
            self._skills.retranslate(texts)
        elif self.stack.currentWidget() in (self.start_screen, self.locked_screen):
            self.stack.setCurrentWidget(self.home_screen)
        in_session = core.session is not None
        if not in_session and self.goodbye.stage is Stage.ASKING:
            self._goodbye_seen()  # the visit ended another way: no question over the next one
        if self._home is not None:
            self._home.show_call_pending(core.help is not None)
        # The buddy button on every screen, the start screen too; "I'm done" in a visit.
        self.action_bar.setVisible(not core.locked)
        self.action_bar.show_done(in_session)
        self._show_queue(force=True)
        self._show_banner(None)

    def focus_start(self) -> None:
        """The keyboard's focus on "Beginnen": Enter starts a visit, and a screen reader begins
        there (not on "Nederlands", the first button, which would change the language)."""
        button = self.start_screen.start_button
        if button.isEnabled():
            button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _forget_visit(self) -> None:
        """The visit ended: the skills check's answers and result, and an unanswered face on
        the home screen, are gone (the goodbye's faces stay: they ask about the visit)."""
        if self._skills is not None and self._skills.holds_anything():
            self._skills.wipe()
        if self._home is not None and not self._home.feedback.isHidden():
            self._home.feedback.close_question()

    def _show_queue(self, *, force: bool = False) -> None:
        """The call's status and who is on duty; on a tick only when the words changed (the
        estimate counts down, a queue grows old)."""
        core = self._core
        shown = (self.help_text(), self.duty_text())
        if shown == self._queue_shown and not force:
            return
        self._queue_shown = shown
        status, duty = shown
        self.start_screen.show_duty(duty)
        if self._home is not None:
            self._home.show_duty(duty)
        state = core.help.state if core.help else None
        off_duty = None if core.calls_offered else duty
        self.action_bar.show_help(self._texts, status, state, off_duty)

    # --- the clock ------------------------------------------------------------------------------

    def tick(self) -> None:
        tick = self._core.tick()
        self._show_queue()
        if self.goodbye.stage is Stage.NONE and self._goodbye_shown():
            self.goodbye_screen.hide()  # the goodbye was read: the start screen
        if tick.phase is Phase.WARNING and tick.warning_left_s is not None:
            self.idle_warning.show_countdown(self._texts, tick.warning_left_s)
        elif self.idle_warning.isVisible():
            self.idle_warning.hide()
        self._show_banner(tick.ends_in_s)

    def _show_banner(self, ends_in_s: float | None) -> None:
        parts = []
        announcement = self._core.announcement()
        if announcement:
            parts.append(announcement)
        if ends_in_s is not None and self._core.session:
            left = minutes(ends_in_s)
            parts.append(self._texts.plural("ends_soon", left, minutes=left))
        text = "\n".join(parts)
        if text != self.banner.text():
            self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # --- calling, and ending the visit -------------------------------------------------------

    def _call(self) -> None:
        """The green button, from any screen: on the start screen it begins a visit first."""
        core = self._core
        if core.session is None and not core.start_session():
            return
        core.call_buddy()

    def _ask_goodbye(self) -> None:
        self.goodbye.ask()
        if self.goodbye.stage is Stage.ASKING:
            self.goodbye_screen.ask(self._texts)
            if self.goodbye_feedback is not None:
                self.goodbye_feedback.close_question()

    def _keep_visit(self) -> None:
        self.goodbye.keep()
        self.goodbye_screen.hide()
        self.action_bar.done_button.setFocus()

    def _end_visit(self) -> None:
        texts = self._texts  # the goodbye in the visit's language, not the next one's
        if self.goodbye.confirm():
            self._core.end_session("user")  # the wipe: before any face is asked for
            self.goodbye_screen.say_goodbye(texts)
            if self.goodbye_feedback is not None:
                faces = self.goodbye_feedback
                faces.ask(texts, texts("feedback_visit_question"), None, say=False)

    def end_by_staff(self, end: Callable[[], None]) -> None:
        """A command from the console ends the visit (``end``: end_session or lock): the
        visitor is told, politely and in the visit's language, before the next screen."""
        texts, in_visit = self._texts, self._core.session is not None
        end()
        if in_visit:
            self.goodbye.ended_by_staff()
            self.goodbye_screen.say_goodbye(texts, by_staff=True)

    def dismiss_goodbye(self) -> None:
        """The goodbye, if it shows, goes now (the PC is back in service after a lock)."""
        if self._goodbye_shown():
            self._goodbye_seen()

    def _goodbye_seen(self) -> None:
        self.goodbye.dismiss()
        if self._goodbye_screen is not None:
            self._goodbye_screen.hide()

    def _goodbye_shown(self) -> bool:
        return self._goodbye_screen is not None and self._goodbye_screen.isVisible()

    @property
    def goodbye_screen(self) -> QtGoodbye:
        """ "Do you want to stop?" and the goodbye: made the first time, not at start."""
        if self._goodbye_screen is None:
            root = self.centralWidget()
            assert root is not None
            screen = self._goodbye_screen = QtGoodbye(root)
            screen.keep_requested.connect(self._keep_visit)
            screen.confirmed.connect(self._end_visit)
            screen.dismissed.connect(self._goodbye_seen)
            from kiosk.ui.feedback import QtFeedback

            faces = self.goodbye_feedback = QtFeedback()
            faces.chosen.connect(lambda face: self._core.feedback(face, None))
            screen.layout_.addWidget(faces)
            self._style_home()
        return self._goodbye_screen

    def _still_here(self) -> None:
        self._core.still_here()
        self.idle_warning.hide()

    # --- Qt -------------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        central = self.centralWidget()
        if central is not None:
            self.idle_warning.setGeometry(central.rect())
            if self._goodbye_screen is not None:
                self._goodbye_screen.setGeometry(central.rect())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.allow_close():
            event.accept()
        else:
            event.ignore()

    def keyboard_focus_order(self) -> list[QWidget]:
        """The widgets Tab visits on the current page, in order (for tests and reviews)."""
        first: QWidget = self.focusWidget() or self
        order: list[QWidget] = []
        widget: QWidget | None = first
        for _ in range(500):
            if widget is None:
                break
            if widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                order.append(widget)
            widget = widget.nextInFocusChain()
            if widget is first:
                break
        return order
