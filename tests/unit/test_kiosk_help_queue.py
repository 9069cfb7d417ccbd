"""What the kiosk tells a visitor about the site's help queue (issue 16), without Qt: the place
and the estimate, who is on duty and the next permanence, in nl, fr and en; the model's queue
(forgotten when old, no call into the void); and the PC label kept across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.i18n import Texts
from kiosk.model.commands import CommandHandler, CommandRefused
from kiosk.model.core import KioskCore
from kiosk.model.help_queue import (
    QUEUE_FRESH_S,
    off_duty_text,
    queue_now,
    wait_minutes,
    waiting_text,
    when_text,
)
from kiosk.model.outbox import Outbox
from kiosk.model.pc_label import PcLabel
from kiosk.wire.protocol import Command, QueuePlace, SiteQueue, new_id

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
BRUSSELS = timezone(timedelta(hours=1))  # winter time
LOCAL = T0.astimezone(BRUSSELS)  # Monday 10:00 in the room


def queue(*places: tuple[str, int], **fields: object) -> SiteQueue:
    return SiteQueue(T0, tuple(QueuePlace(r, eta) for r, eta in places), **fields)  # type: ignore[arg-type]


# --- the place and the estimate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "place", "wait_s", "said"),
    [
        ("nl", 2, 240, "U bent de tweede. Ongeveer 4\u00a0minuten."),
        ("nl", 1, 60, "U bent de eerste. Ongeveer 1\u00a0minuut."),
        ("nl", 1, 59, "U bent de eerste. Ongeveer 1\u00a0minuut."),
        ("nl", 1, 29, "U bent de eerste. Minder dan een minuut."),
        ("nl", 10, 3000, "U bent de tiende. Ongeveer 50\u00a0minuten."),
        ("nl", 11, 3300, "U bent nummer 11 in de rij. Ongeveer 55\u00a0minuten."),
        ("fr", 2, 240, "Vous êtes en deuxième position. Environ 4\u00a0minutes."),
        ("fr", 1, 89, "Vous êtes en première position. Environ 1\u00a0minute."),
        ("fr", 3, 0, "Vous êtes en troisième position. Moins d'une minute."),
        ("fr", 12, 600, "Vous êtes en position 12 dans la file. Environ 10\u00a0minutes."),
        ("en", 2, 240, "You are second in line. About 4\u00a0minutes."),
        ("en", 1, 10, "You are first in line. Less than a minute."),
    ],
)
def test_the_place_and_the_estimate_in_words(
    lang: str, place: int, wait_s: float, said: str
) -> None:
    assert waiting_text(Texts(lang), place, wait_s) == said


def test_every_ordinal_word_up_to_ten_is_its_own() -> None:
    for lang in ("nl", "fr", "en"):
        texts = Texts(lang)
        words = [waiting_text(texts, place, 0) for place in range(1, 12)]
        assert len(set(words)) == 11, lang
        assert not any(char.isdigit() for word in words[:10] for char in word), lang


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (29.9, 0), (30, 1), (59.7, 1), (89, 1), (90, 2), (238, 4), (270, 5)],
)
def test_an_estimate_is_whole_minutes_to_the_nearest(seconds: float, minutes: int) -> None:
    assert wait_minutes(seconds) == minutes


def test_the_estimate_is_eta_less_the_time_since_the_queue() -> None:
    mine, ahead = new_id(), new_id()
    q = queue((ahead, 60), (mine, 300))
    now = queue_now(q, mine, T0 + timedelta(seconds=70), LOCAL)
    assert (now.place, now.wait_s) == (2, 230)
    assert waiting_text(Texts("nl"), now.place, now.wait_s) == (  # type: ignore[arg-type]
        "U bent de tweede. Ongeveer 4\u00a0minuten."
    )
    late = queue_now(q, mine, T0 + timedelta(minutes=9), LOCAL)
    assert late.wait_s == 0  # never a negative wait
    early = queue_now(q, mine, T0 - timedelta(minutes=3), LOCAL)  # a kiosk clock behind
    assert early.wait_s == 300  # the wait never grows past what the keeper said
    assert queue_now(q, new_id(), T0, LOCAL).place is None  # not our call: no place
    assert queue_now(q, None, T0, LOCAL).place is None


# --- who is on duty -------------------------------------------------------------------------


def test_the_next_permanence_in_dutch_and_french() -> None:
    tuesday = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 in Brussels
    thursday = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # 9:30 in Brussels
    staff = queue_now(queue(on_duty=0, next_duty=thursday), None, T0, LOCAL)
    none = queue_now(queue(on_duty=0, next_duty=thursday, off_duty_calls="none"), None, T0, LOCAL)
    assert staff.nobody_on_duty and staff.calls_offered and staff.staff_help
    assert none.nobody_on_duty and not none.calls_offered and not none.staff_help
    assert off_duty_text(Texts("nl"), staff, LOCAL) == (
        "Nu is er geen buddy. Volgende permanentie: donderdag\u00a09:30. "
        "Een medewerker kan u wel helpen."
    )
    assert off_duty_text(Texts("fr"), none, LOCAL) == (
        "Pas de bénévole en ce moment. "
        "Prochaine permanence\u00a0: jeudi à 9\u00a0h\u00a030. "
        "Vous ne pouvez pas appeler maintenant."
    )
    nl, fr = Texts("nl"), Texts("fr")
    local_tuesday = tuesday.astimezone(BRUSSELS)
    assert when_text(nl, local_tuesday, LOCAL) == "morgen\u00a014:00"
    assert when_text(fr, local_tuesday, LOCAL) == "demain à 14\u00a0h\u00a000"
    assert when_text(nl, local_tuesday, LOCAL - timedelta(days=1)) == "dinsdag\u00a014:00"
    assert when_text(fr, local_tuesday, LOCAL - timedelta(days=1)) == "mardi à 14\u00a0h\u00a000"
    assert when_text(nl, LOCAL.replace(hour=16), LOCAL) == "vandaag\u00a016:00"
    assert when_text(Texts("en"), local_tuesday, LOCAL - timedelta(days=1)) == ("Tuesday at 14:00")


def test_the_next_permanence_is_in_the_kiosks_local_time() -> None:
    tuesday = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    now = queue_now(queue(on_duty=0, next_duty=tuesday), None, T0, LOCAL)
    assert now.next_duty is not None and now.next_duty.hour == 14  # Brussels, not UTC


def test_without_a_next_permanence_that_part_is_left_out() -> None:
    now = queue_now(queue(on_duty=0), None, T0, LOCAL)
    assert off_duty_text(Texts("nl"), now, LOCAL) == (
        "Nu is er geen buddy. Een medewerker kan u wel helpen."
    )
    passed = queue_now(queue(on_duty=0, next_duty=T0 - timedelta(hours=1)), None, T0, LOCAL)
    assert "Volgende" not in off_duty_text(Texts("nl"), passed, LOCAL)


def test_a_buddy_on_duty_or_a_site_without_permanences_says_nothing() -> None:
    for q in (queue(on_duty=2), queue(on_duty=None), queue()):
        now = queue_now(q, None, T0, LOCAL)
        assert not now.nobody_on_duty and now.calls_offered
        assert off_duty_text(Texts("nl"), now, LOCAL) == ""
    none_but_on_duty = queue_now(queue(on_duty=1, off_duty_calls="none"), None, T0, LOCAL)
    assert none_but_on_duty.calls_offered  # "none" only matters while nobody is on duty


# --- the model ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.mono = 100.0
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.now += timedelta(seconds=seconds)


def core_with(tmp_path: Path, clock: Clock) -> KioskCore:
    return KioskCore(
        Outbox(tmp_path / "o.db"),
        clock=lambda: clock.now,
        monotonic=lambda: clock.mono,
        wall=lambda: clock.now.astimezone(BRUSSELS),
    )


def test_the_model_follows_the_queue_and_forgets_an_old_one(tmp_path: Path) -> None:
    clock = Clock()
    core = core_with(tmp_path, clock)
    told: list[str] = []
    changed: list[str] = []
    core.subscribe_queue(lambda: told.append("queue"))
    core.subscribe(lambda: changed.append("state"))
    assert core.queue_now() is None and core.calls_offered  # no queue ever: as before
    core.start_session()
    core.call_buddy()
    assert core.help is not None
    mine = core.help.request
    changed.clear()
    core.apply_queue(queue((new_id(), 60), (mine, 300)))
    assert told == ["queue"] and changed == []  # a queue is not a state change of this PC
    now = core.queue_now()
    assert now is not None and (now.place, now.wait_s) == (2, 300)
    clock.advance(QUEUE_FRESH_S + 1)  # the keeper went quiet: forget it
    assert core.queue_now() is None
    core.apply_queue(queue((mine, 60)))
    assert core.queue_now() is not None
    core.apply_queue(None)  # the retained queue was taken away
    assert core.queue_now() is None


def test_no_call_into_the_void(tmp_path: Path) -> None:
    clock = Clock()
    core = core_with(tmp_path, clock)
    core.start_session()
    core.apply_queue(queue(on_duty=0, off_duty_calls="none"))
    assert not core.calls_offered
    rows = core._outbox.count()
    core.call_buddy()
    assert core.help is None and core._outbox.count() == rows
    core.apply_queue(queue(on_duty=0, off_duty_calls="staff"))
    core.call_buddy()
    assert core.help is not None  # the site's staff answer


# --- the PC label ---------------------------------------------------------------------------


def command(args: dict[str, object]) -> Command:
    return Command(new_id(), T0, "set_label", args)


def test_the_label_comes_from_the_config_and_a_command_wins_across_restarts(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "o.db")
    label = PcLabel(outbox, "PC 1")
    assert label.value == "PC 1"
    handler = CommandHandler({"set_label": label.set_from_command})
    assert handler.handle(command({"label": "  PC 3 — bij het raam "})).ok
    assert label.value == "PC 3 — bij het raam"
    outbox.close()
    outbox = Outbox(tmp_path / "o.db")  # the kiosk restarts
    assert PcLabel(outbox, "PC 1").value == "PC 3 — bij het raam"
    label = PcLabel(outbox, "PC 1")
    label.set_from_command({"label": None})  # taken away: the config's does not come back
    outbox.close()
    outbox = Outbox(tmp_path / "o.db")
    assert PcLabel(outbox, "PC 1").value is None
    outbox.close()


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"label": ""},
        {"label": "   "},
        {"label": "x" * 61},
        {"label": "PC\n3"},
        {"label": 3},
        {"label": "PC 3", "extra": 1},
        {"text": "PC 3"},
    ],
)
def test_bad_label_args_are_refused_and_change_nothing(
    tmp_path: Path, args: dict[str, object]
) -> None:
    outbox = Outbox(tmp_path / "o.db")
    label = PcLabel(outbox, "PC 1")
    result = CommandHandler({"set_label": label.set_from_command}).handle(command(args))
    assert (result.ok, result.reason) == (False, "bad_args")
    assert label.value == "PC 1" and PcLabel(outbox, "PC 1").value == "PC 1"
    with pytest.raises(CommandRefused):
        label.set_from_command(args)
    outbox.close()


def test_a_damaged_stored_label_falls_back_to_the_config(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.db")
    outbox.set_state("pc_label", "{not json")
    assert PcLabel(outbox, "PC 1").value == "PC 1"
    outbox.set_state("pc_label", '{"label": "bad\\u0000"}')
    assert PcLabel(outbox, None).value is None
    outbox.close()


def test_the_config_gives_the_label(tmp_path: Path) -> None:
    from kiosk.settings import load_settings
    from kiosk.wire.broker import ConfigError

    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nsite = "gent"\nlabel = "PC 3 — bij het raam"\n', encoding="utf-8")
    assert load_settings({"config": str(path)}, env={}).label == "PC 3 — bij het raam"
    path.write_text('[kiosk]\nsite = "gent"\n', encoding="utf-8")
    assert load_settings({"config": str(path)}, env={}).label is None
    path.write_text('[kiosk]\nsite = "gent"\nlabel = "PC\\t3"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="line 3"):
        load_settings({"config": str(path)}, env={})
