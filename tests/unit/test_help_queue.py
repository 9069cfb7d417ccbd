"""The buddy desk's queue: every PC's call once, oldest first, whatever the message order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from admin_console.desk.help_queue import HelpQueue
from kiosk.wire.protocol import HelpChange, new_id

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def queue_at(moment: datetime) -> HelpQueue:
    return HelpQueue(clock=lambda: moment)


def test_open_calls_oldest_first_with_waiting_time() -> None:
    queue = queue_at(T0 + timedelta(minutes=5))
    first, second = new_id(), new_id()
    queue.apply("pc-2", HelpChange(second, "open", T0 + timedelta(minutes=3), "irisbox", 1, "fr"))
    queue.apply("pc-1", HelpChange(first, "open", T0, None, None, "nl"))
    calls = queue.active()
    assert [c.machine for c in calls] == ["pc-1", "pc-2"]
    assert calls[0].waiting_s(T0 + timedelta(minutes=5)) == 300


def test_claimed_then_resolved_leaves_the_queue() -> None:
    queue = queue_at(T0)
    request = new_id()
    queue.apply("pc-1", HelpChange(request, "open", T0))
    assert queue.apply("pc-1", HelpChange(request, "claimed", T0, buddy="Sara"))
    assert queue.active()[0].buddy == "Sara"
    assert not queue.apply("pc-1", HelpChange(request, "claimed", T0, buddy="Tom"))
    queue.apply("pc-1", HelpChange(request, "resolved", T0, buddy="Sara"))
    assert queue.active() == []


def test_retained_messages_in_reverse_order() -> None:
    queue = queue_at(T0)
    request = new_id()
    queue.apply("pc-1", HelpChange(request, "cancelled", T0))
    queue.apply("pc-1", HelpChange(request, "open", T0))
    assert queue.active() == []


def test_stale_calls_and_foreign_machines_are_ignored() -> None:
    queue = queue_at(T0 + timedelta(hours=3))
    request = new_id()
    queue.apply("pc-1", HelpChange(request, "open", T0))
    assert queue.active() == []
    assert not queue.apply("pc-9", HelpChange(request, "cancelled", T0))


def test_a_claimed_call_that_is_cancelled_is_told_once_never_dropped_silently() -> None:
    """Issue 16: the buddy who claimed it is on the way; the desk must say it was cancelled."""
    queue = queue_at(T0)
    claimed, unclaimed, resolved = new_id(), new_id(), new_id()
    for request, machine in ((claimed, "pc-1"), (unclaimed, "pc-2"), (resolved, "pc-3")):
        queue.apply(machine, HelpChange(request, "open", T0))
    queue.apply("pc-1", HelpChange(claimed, "claimed", T0, buddy="Sara"))
    queue.apply("pc-3", HelpChange(resolved, "claimed", T0, buddy="Tom"))
    queue.apply("pc-3", HelpChange(resolved, "resolved", T0, buddy="Tom"))
    queue.apply("pc-2", HelpChange(unclaimed, "cancelled", T0))  # nobody was on the way
    assert queue.take_withdrawn() == []
    assert queue.apply("pc-1", HelpChange(claimed, "cancelled", T0))
    withdrawn = queue.take_withdrawn()
    assert [(c.machine, c.buddy, c.state) for c in withdrawn] == [("pc-1", "Sara", "cancelled")]
    assert queue.take_withdrawn() == [] and queue.active() == []
    # A retained "cancelled" heard by a desk that never saw the claim: nothing to tell.
    late = queue_at(T0)
    late.apply("pc-4", HelpChange(new_id(), "cancelled", T0))
    assert late.take_withdrawn() == []
