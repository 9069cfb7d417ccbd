"""The Usage tab's wait by hour of the week from the counts kept at ingest (``help_wait_hour``)
against the raw calls, on SQLite and PostgreSQL.

The three weeks of tests/integration/test_help_loop_counts.py (two sites, calls delivered twice,
one claimed before it was opened, over the end of summer time) go through the aggregator's
``Ingest``, with two more calls: one claimed 3 s before it was opened (kiosk clocks apart) and one
claimed after 59.999 s. Per (weekday, local hour): the number of claimed calls must equal the raw
count exactly, and the median wait must be within half a 10-second bucket of the exact median of
the raw waits (``statistics.median``, as the Usage tab computed it from the calls before) — and
exactly the median of the waits at the middle of their buckets. The migration 0012 must count
back from the stored calls what ingest counted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import median

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin_console.ingest.batch import Inbound, Ingest
from admin_console.read.help_loop import bucket_median, help_loop_figures
from admin_console.read.usage import Period, UsageFilter
from admin_console.store.orm import HelpRequestRow
from admin_console.store.rollups import HELP_WAIT_HOUR, WAIT_BUCKET_S, local, wait_bucket
from kiosk.wire import protocol as p
from tests.integration import test_help_loop_counts as loop
from tests.integration.test_help_loop_counts import (
    BRUSSELS,
    FIRST,
    NOW,
    PERIODS,
    SITES,
    alembic_config,
    local_at,
    loop_counts,
)

engine = loop.engine  # the fixture: the three weeks through Ingest, on both databases
Cell = tuple[int, int]  # weekday 0 = Monday, local hour
HALF_BUCKET_S = WAIT_BUCKET_S / 2 + 0.001  # the bucket holds [10 k - 0.001, 10 k + 9.999) s


def add_edge_calls(engine: Engine) -> None:
    """A call claimed 3 s before it was opened, and one claimed after 59.999 s (bucket 6)."""
    ingest = Ingest(engine)
    for wait_s, hour in ((-3.0, 7.25), (59.999, 8.5)):  # before the day's calls
        request = p.new_id()
        opened = local_at(FIRST + timedelta(days=2), hour)
        claimed = opened + timedelta(seconds=wait_s)
        for change, channel in (
            (p.HelpChange(request, p.HelpState.OPEN, opened), "help"),
            (p.HelpChange(request, p.HelpState.CLAIMED, claimed, buddy="B"), "help/reply"),
        ):
            message = Inbound(f"kiosk/v1/gent/pc-01/{channel}", p.encode_help(change), opened)
            ingest.handle([message])


def raw_waits(engine: Engine, period: Period, sites: tuple[str, ...]) -> dict[Cell, list[float]]:
    """The exact waits of the period's claimed calls by the local hour they were opened (a
    negative one as 0 s), from the stored rows alone."""
    first, after = period.utc_bounds(BRUSSELS)
    with engine.connect() as connection:
        rows = connection.execute(
            select(HelpRequestRow.site, HelpRequestRow.opened, HelpRequestRow.claimed)
        ).all()
    waits: dict[Cell, list[float]] = defaultdict(list)
    for site, opened, claimed in rows:
        if site in sites and claimed is not None and first <= opened < after:
            when = local(opened, BRUSSELS)
            waits[(when.weekday(), when.hour)].append(max(0.0, (claimed - opened).total_seconds()))
    return dict(waits)


@pytest.mark.parametrize("chosen", [(), ("gent",), ("evere",)], ids=["all", "gent", "evere"])
def test_the_counted_wait_by_hour_is_the_raw_one_within_half_a_bucket(
    engine: Engine, chosen: tuple[str, ...]
) -> None:
    add_edge_calls(engine)
    whole = raw_waits(engine, PERIODS[0], chosen or SITES)
    # The data has what the test is about: cells of one call, of an even number, of many.
    sizes = {len(spans) for spans in whole.values()}
    assert 1 in sizes and any(n % 2 == 0 for n in sizes) and max(sizes) >= 3, sizes
    for period in PERIODS:
        raw = raw_waits(engine, period, chosen or SITES)
        counted = help_loop_figures(engine, UsageFilter(period, chosen), now=NOW).wait_by_hour
        assert set(counted) == set(raw), period
        for cell, spans in raw.items():
            assert counted[cell].calls == len(spans), (period, cell)
            # Exact where the raw is: the median of the waits, each at its bucket's middle ...
            middles = [wait_bucket(s) * WAIT_BUCKET_S + WAIT_BUCKET_S / 2 for s in spans]
            assert counted[cell].median_wait_s == median(middles), (period, cell)
            # ... which is never more than half a bucket from the exact median.
            assert abs(counted[cell].median_wait_s - median(spans)) <= HALF_BUCKET_S


def test_every_site_reads_the_sums_and_gets_what_the_sites_named_give(engine: Engine) -> None:
    """Without a site chosen, the pooled figures come from the sums over the sites: the same as
    with every site named (read per site)."""
    add_edge_calls(engine)
    for period in PERIODS:
        every = help_loop_figures(engine, UsageFilter(period), now=NOW)
        named = help_loop_figures(engine, UsageFilter(period, SITES), now=NOW)
        assert every.resolved > 0 and every.wait_by_hour, period
        assert every == named, period


def test_the_edge_waits_land_in_their_buckets(engine: Engine) -> None:
    add_edge_calls(engine)
    day = Period(FIRST + timedelta(days=2), FIRST + timedelta(days=2))
    counted = help_loop_figures(engine, UsageFilter(day, ("gent",)), now=NOW).wait_by_hour
    wednesday = FIRST.weekday() + 2
    assert counted[(wednesday, 7)].median_wait_s == 5.0  # claimed before opened: bucket 0
    assert counted[(wednesday, 8)].median_wait_s == 65.0  # 59.999 s + 1 ms: bucket 6


def test_the_bucket_median_takes_the_mean_of_the_two_middle_ones() -> None:
    assert bucket_median({}) is None and bucket_median({3: 0}) is None
    assert bucket_median({12: 1}) == 125.0
    assert bucket_median({12: 1, 30: 1}) == 215.0
    assert bucket_median({30: 2, 12: 1, 0: 1}) == (125.0 + 305.0) / 2
    assert bucket_median({1: 1, 2: 1, 9: 1}) == 25.0


def test_the_migration_counts_back_what_ingest_counted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_edge_calls(engine)
    monkeypatch.setattr(loop, "KINDS", (HELP_WAIT_HOUR,))  # loop_counts reads this kind
    ingested = loop_counts(engine)
    assert all(ingested)
    whole = help_loop_figures(engine, UsageFilter(PERIODS[0]), now=NOW).wait_by_hour
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
    assert not any(loop_counts(engine))  # the kind goes with the revision
    assert help_loop_figures(engine, UsageFilter(PERIODS[0]), now=NOW).wait_by_hour == {}
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert loop_counts(engine) == ingested
    assert help_loop_figures(engine, UsageFilter(PERIODS[0]), now=NOW).wait_by_hour == whole
