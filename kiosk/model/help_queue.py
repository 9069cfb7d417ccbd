"""What the visitor is told about the site's help queue, without Qt: their place, the wait,
and whether a buddy is on duty ("U bent de tweede. Ongeveer 4 minuten.", "Nu is er geen
buddy. Volgende permanentie: dinsdag 14:00").

The queue comes from the queue keeper (``kiosk/v1/{site}/_site/queue``, docs/protocol.md). A
kiosk that never received one, or whose last one is older than :data:`QUEUE_FRESH_S` (the
keeper sends it every minute; a keeper that stopped must not leave the call button off for
good), says what it always said. This module only decides and words; it never sends, and it
never names a person but the buddy who claimed the call (that name comes from ``help/reply``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from kiosk.wire.protocol import SiteQueue

QUEUE_FRESH_S = 300.0  # five of the keeper's minutes: after that the queue is forgotten
ORDINAL_WORDS = 10  # "eerste" … "tiende"; then "nummer 11"


class TextSource(Protocol):
    """The kiosk's texts of one language (``kiosk.i18n.Texts``)."""

    lang: str

    def __call__(self, key: str, **values: object) -> str: ...

    def plural(self, key: str, n: int, **values: object) -> str: ...


@dataclass(frozen=True)
class QueueNow:
    """The queue as the visitor should hear it now."""

    place: int | None  # the visitor's call's place (1 = next), None when it is not waiting
    wait_s: float | None  # the estimated wait left, in seconds, with ``place``
    nobody_on_duty: bool  # the site keeps permanences and no buddy is checked in
    next_duty: datetime | None  # when the next permanence starts, in the kiosk's local time
    calls_offered: bool  # False: nobody on duty and the site takes no calls then ("none")

    @property
    def staff_help(self) -> bool:
        """Nobody on duty, but the site's staff answer the calls ("staff")."""
        return self.nobody_on_duty and self.calls_offered


def queue_now(
    queue: SiteQueue,
    request: str | None,
    now: datetime,
    local_zone: datetime,
) -> QueueNow:
    """The queue at ``now`` (UTC) for a visitor whose open call is ``request`` (or None).

    The estimate is the keeper's ``eta_s`` less the time since the queue's ``ts`` (never
    more than it said: a kiosk clock behind the server's does not make the wait grow).
    ``local_zone``: any time in the kiosk's local zone (the next permanence is said in it).
    """
    place, wait_s = None, None
    found = queue.place_of(request) if request is not None else None
    if found is not None:
        place, eta_s = found
        elapsed = max(0.0, (now - queue.ts).total_seconds())
        wait_s = max(0.0, eta_s - elapsed)
    nobody = queue.nobody_on_duty
    next_duty = None
    if nobody and queue.next_duty is not None:
        next_duty = queue.next_duty.astimezone(local_zone.tzinfo)
    return QueueNow(
        place=place,
        wait_s=wait_s,
        nobody_on_duty=nobody,
        next_duty=next_duty,
        calls_offered=not (nobody and queue.off_duty_calls == "none"),
    )


# --- words ----------------------------------------------------------------------------------


def place_text(texts: TextSource, place: int) -> str:
    """ "U bent de tweede." up to the tenth, then "U bent nummer 11 in de rij." """
    if 1 <= place <= ORDINAL_WORDS:
        return texts("queue_place", place=texts(f"ordinal_{place}"))
    return texts("queue_place_number", number=place)


def wait_minutes(wait_s: float) -> int:
    """Whole minutes of an estimate, rounded to the nearest: 0 ("less than a minute") below
    half a minute, so that the keeper's 60 s walk over reads "about 1 minute" as it comes."""
    return math.floor(max(0.0, wait_s) / 60 + 0.5)


def wait_text(texts: TextSource, wait_s: float) -> str:
    """ "Ongeveer 4 minuten." or "Minder dan een minuut." """
    minutes = wait_minutes(wait_s)
    if minutes == 0:
        return texts("queue_eta_soon")
    return texts.plural("queue_eta", minutes, minutes=minutes)


def waiting_text(texts: TextSource, place: int, wait_s: float) -> str:
    """ "U bent de tweede. Ongeveer 4 minuten." """
    return f"{place_text(texts, place)} {wait_text(texts, wait_s)}"


def when_text(texts: TextSource, when: datetime, today: datetime) -> str:
    """ "dinsdag 14:00" ("vandaag 14:00", "morgen 9:30"), both times in the kiosk's zone."""
    days = (when.date() - today.date()).days
    if days == 0:
        day = texts("day_today")
    elif days == 1:
        day = texts("day_tomorrow")
    else:
        day = texts(f"day_{when.weekday()}")
    time = texts("clock_time", hour=when.hour, minute=f"{when.minute:02d}")
    return texts("duty_when", day=day, time=time)


def off_duty_text(texts: TextSource, now: QueueNow, today: datetime) -> str:
    """What the start and home screens say when no buddy is on duty ('' when one is)."""
    if not now.nobody_on_duty:
        return ""
    if now.next_duty is not None and now.next_duty >= today - timedelta(minutes=1):
        parts = [texts("no_buddy_next", when=when_text(texts, now.next_duty, today))]
    else:
        parts = [texts("no_buddy")]
    parts.append(texts("no_buddy_staff") if now.calls_offered else texts("no_buddy_none"))
    return " ".join(parts)
