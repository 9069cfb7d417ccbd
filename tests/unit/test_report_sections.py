"""The declarations behind the counts and the report agree: rollups.COUNTED, sections.SECTIONS,
the protocol's event types and the report's words."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from admin_console.read.report_texts import REPORT_LANGUAGES, REPORTS
from admin_console.read.sections import BY_KEY, SECTIONS
from admin_console.read.stats import SITE_TOTALS
from admin_console.store.rollups import COUNTED, counts_for
from kiosk.wire import protocol as p


def test_every_count_is_of_an_event_type_of_the_contract() -> None:
    for counted in COUNTED:
        assert counted.event in p.EVENT_TYPES, counted
    assert len({(c.event, c.kind) for c in COUNTED}) == len(COUNTED)
    for _figure, event_type in SITE_TOTALS:
        assert event_type in p.EVENT_TYPES


def test_every_section_reads_a_kind_that_is_counted_and_has_its_words() -> None:
    kinds = {c.kind for c in COUNTED}
    assert len(BY_KEY) == len(SECTIONS)  # a key once: the CSV's sections are told apart by it
    for section in SECTIONS:
        assert section.kind is None or section.kind in kinds, section.key
        assert set(REPORT_LANGUAGES) == {"en", "nl", "fr"}
        assert section.title_key == f"title_{section.key}"
        assert section.label_key in (f"label_{section.key}", None)
        for lang in REPORT_LANGUAGES:
            words = REPORTS.catalog(lang)
            assert words.has(section.title_key) and words.text(section.title_key), section.key
            if section.label_key is not None:
                assert words.has(section.label_key) and words.text(section.label_key)
            for _stored, shown in section.renamed:
                assert words.has(shown), (section.key, shown, lang)


def test_counts_follow_the_declarations() -> None:
    """Each declared count, from a valid event of its type; and nothing undeclared."""
    zone = ZoneInfo("Europe/Brussels")
    moment = datetime(2026, 11, 16, 9, 30)  # naive UTC, as stored: 10:30 in Brussels, a Monday
    for kind in p.EVENTS:
        data = {f.name: f.valid[0] for f in kind.fields}
        event = {"ts": moment, "site": "gent", "type": kind.name, "data": data}
        counts = counts_for([event], zone)
        day = moment.date()
        expected = Counter({(day, "gent", "event", kind.name): 1})
        for counted in COUNTED:
            if counted.event == kind.name:
                added = 1 if counted.weight is None else data[counted.weight]
                keys = counted.key(data, "0-10")  # a key, or several (the skills check)
                for key in (keys,) if isinstance(keys, str) else keys:
                    expected[(day, "gent", counted.kind, key)] += added
        assert counts == expected, kind.name
    printed = {"ts": moment, "site": "gent", "type": "printed"}
    pages = counts_for(
        [{**printed, "data": {"pages": 3, "color": False, "task": None}}] * 2
        + [{**printed, "data": {"pages": 1, "color": True, "task": "irisbox"}}],
        zone,
    )
    assert pages[(moment.date(), "gent", "printed_pages", "-")] == 6  # pages, not jobs
    assert pages[(moment.date(), "gent", "printed_color", "color")] == 1
    assert pages[(moment.date(), "gent", "event", "printed")] == 3
    started = {"ts": moment, "site": "gent", "type": "session_started", "data": {"lang": "fr"}}
    assert set(counts_for([started], zone)) == {
        (moment.date(), "gent", "event", "session_started"),
        (moment.date(), "gent", "lang", "fr"),
        (moment.date(), "gent", "hour", "0-10"),
    }
    free = {"ts": moment, "site": "gent", "type": "help_requested", "data": {"task": None}}
    assert (moment.date(), "gent", "help_requested", "-") in counts_for([free], zone)
