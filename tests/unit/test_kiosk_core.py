"""The kiosk's model and outbox, without Qt or a broker."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.model.core import KioskCore
from kiosk.model.outbox import Outbox, OutboxError
from kiosk.wire.protocol import Channel, HelpChange, decode_help, utc_now


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.db")


def kinds(outbox: Outbox) -> list[str]:
    out = []
    for row in outbox.next_rows(0, 100):
        if row.channel is Channel.EVENTS:
            out.append(json.loads(row.body)["type"])
        else:
            out.append(f"help:{decode_help(Channel.HELP, row.body.encode()).state}")
    return out


def test_rows_survive_reopening_and_leave_only_when_removed(tmp_path: Path) -> None:
    first = Outbox(tmp_path / "o.db")
    first.add([(Channel.EVENTS, '{"a":1}'), (Channel.HELP, '{"b":2}'), (Channel.EVENTS, '{"c":3}')])
    first.close()
    again = Outbox(tmp_path / "o.db")
    rows = again.next_rows(0, 10)
    assert [r.channel for r in rows] == [Channel.EVENTS, Channel.HELP, Channel.EVENTS]
    assert [r.seq for r in again.next_rows(rows[0].seq, 10)] == [rows[1].seq, rows[2].seq]
    again.remove([rows[0].seq, rows[2].seq])
    assert again.count() == 1


def test_remove_takes_exactly_the_acknowledged_rows_of_a_large_backlog(outbox: Outbox) -> None:
    # More rows than one DELETE takes (500), with gaps: what several PUBACKs hand over at once.
    outbox.add([(Channel.EVENTS, f'{{"n":{n}}}') for n in range(2000)])
    rows = outbox.next_rows(0, 2000)
    acked = [r.seq for r in rows if r.seq % 3 != 0][:1234]
    outbox.remove(acked)
    kept = {r.seq for r in outbox.next_rows(0, 2000)}
    assert kept == {r.seq for r in rows} - set(acked)
    assert outbox.count() == 2000 - 1234


def test_a_failed_remove_keeps_every_row(outbox: Outbox) -> None:
    # All or nothing: a crash or an error in the middle of a large remove deletes no row.
    outbox.add([(Channel.EVENTS, f'{{"n":{n}}}') for n in range(1200)])
    seqs: list[object] = [r.seq for r in outbox.next_rows(0, 1200)]
    seqs[1100] = object()  # sqlite3 cannot bind it: the third DELETE fails
    with pytest.raises(Exception, match="type"):
        outbox.remove(seqs)  # type: ignore[arg-type]
    assert outbox.count() == 1200


def test_an_unwritable_outbox_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutboxError, match="outbox"):
        Outbox(blocker / "sub" / "outbox.db")


def test_a_visit_writes_its_events_before_anything_else(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    core.start_session()
    session = core.session
    core.call_buddy()
    core.end_session("user")
    assert kinds(outbox) == [
        "session_started",
        "help_requested",
        "help:open",
        "help:cancelled",
        "session_ended",
    ]
    bodies = [json.loads(r.body) for r in outbox.next_rows(0, 100) if r.channel is Channel.EVENTS]
    assert {b["session"] for b in bodies} == {session}
    assert core.session is None and core.help is None


def test_the_session_id_does_not_outlive_the_visit(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    core.start_session()
    first = core.session
    core.end_session("user")
    core.start_session()
    assert core.session not in (None, first)


def test_a_buddy_reply_changes_what_the_visitor_sees(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    seen: list[str] = []
    core.subscribe(lambda: seen.append(core.help.state if core.help else "none"))
    core.call_buddy()
    assert core.session is not None  # calling a buddy starts a visit if needed
    assert core.help is not None
    request = core.help.request
    core.apply_help_reply(
        HelpChange("00000000-0000-4000-8000-000000000000", "claimed", utc_now(), buddy="X")
    )
    assert core.help.state == "open"  # someone else's call
    core.apply_help_reply(HelpChange(request, "claimed", utc_now(), buddy="Sara"))
    assert (core.help.state, core.help.buddy) == ("claimed", "Sara")
    core.apply_help_reply(HelpChange(request, "claimed", utc_now(), buddy="Tom"))
    assert core.help.buddy == "Sara"  # the first claim stands
    core.apply_help_reply(HelpChange(request, "resolved", utc_now(), buddy="Sara"))
    assert core.help is None
    assert seen[-3:] == ["open", "claimed", "none"] or seen[-2:] == ["claimed", "none"]


def test_a_second_press_does_not_call_twice(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    core.call_buddy()
    core.call_buddy()
    assert kinds(outbox).count("help_requested") == 1


def test_a_call_left_open_by_a_crash_is_cancelled_at_the_next_start(tmp_path: Path) -> None:
    crashed = KioskCore(Outbox(tmp_path / "o.db"))
    crashed.call_buddy()
    assert crashed.help is not None
    request = crashed.help.request
    outbox = Outbox(tmp_path / "o.db")
    KioskCore(outbox)
    last = outbox.next_rows(0, 100)[-1]
    change = decode_help(Channel.HELP, last.body.encode())
    assert (change.request, change.state) == (request, "cancelled")


def test_session_duration_is_reported(outbox: Outbox) -> None:
    now = [utc_now()]
    core = KioskCore(outbox, clock=lambda: now[0])
    core.start_session()
    now[0] += timedelta(seconds=90)
    assert core.status()["session_s"] == 90.0
    core.end_session("idle")
    ended = json.loads(outbox.next_rows(0, 10)[-1].body)
    assert (ended["reason"], ended["duration_s"]) == ("idle", 90.0)


def test_a_seq_is_never_reused_after_the_outbox_was_emptied(outbox: Outbox) -> None:
    outbox.add([(Channel.EVENTS, "{}"), (Channel.EVENTS, "{}")])
    rows = outbox.next_rows(0, 10)
    outbox.remove([r.seq for r in rows])
    outbox.add([(Channel.EVENTS, "{}")])
    assert outbox.next_rows(rows[-1].seq, 10) != []


def test_a_guided_task_logs_its_steps_and_where_the_visitor_stopped(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    core.start_task("irisbox-certificate", steps=6)
    core.go_to_step(1)
    core.go_to_step(3)
    core.go_to_step(99)  # clamped to the last step
    core.call_buddy()
    core.end_session("user")
    rows = [json.loads(r.body) for r in outbox.next_rows(0, 100)]
    events = [(r["type"], r.get("step")) for r in rows if "type" in r]
    assert events == [
        ("session_started", None),
        ("task_started", None),
        ("task_step", 0),
        ("task_step", 1),
        ("task_step", 3),
        ("task_step", 5),
        ("help_requested", None),
        ("task_abandoned", 5),
        ("session_ended", None),
    ]
    help_open = next(r for r in rows if r.get("state") == "open")
    assert (help_open["task"], help_open["step"]) == ("irisbox-certificate", 5)


def test_a_completed_task_is_not_abandoned(outbox: Outbox) -> None:
    core = KioskCore(outbox)
    core.start_task("phishing-recognise", steps=2)
    core.go_to_step(1)
    core.complete_task()
    core.abandon_task()
    core.site_opened("irisbox")
    types = [json.loads(r.body).get("type") for r in outbox.next_rows(0, 100)]
    assert "task_completed" in types and "task_abandoned" not in types
    assert types[-1] == "site_opened"
