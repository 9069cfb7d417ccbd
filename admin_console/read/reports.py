"""Funder reports without personal data: sessions, languages, guided tasks and help given.

The tables, their order and their words are declared in :mod:`admin_console.read.sections`: a
table of counted keys by site (``Section(kind=...)``) needs nothing here.

A report is a list of tables (rows × sites, with an all-sites column and totals). Before
anything is shown, every count from 1 to ``min_count - 1`` (1–4 by default; ``min_count`` is
never below 3) becomes ``<5``, while a 0 is shown as 0 (nobody to identify); and wherever a
single hidden cell could be worked out from a published total (a row, a column or the grand
total), one more cell is withheld and shown as ``x``. The same report is written as CSV
(:func:`write_csv`, columns in docs/admin-console.md) or rendered as HTML (:func:`report_html`),
which the GUI previews and turns into a PDF: every row named in words (task titles, language
names, months: :mod:`admin_console.read.labels`), tables under the headings of their part.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from admin_console.read.help import help_sites, open_states, site_help, site_medians
from admin_console.read.help_loop import (
    SiteLoad,
    ordered_outcomes,
    outcomes_and_topics_of,
    site_loads,
)
from admin_console.read.labels import RowWords
from admin_console.read.periods import ReportPeriod, custom
from admin_console.read.report_texts import ReportTexts
from admin_console.read.sections import BY_KEY, SECTIONS
from admin_console.read.usage import (
    Period,
    UsageFilter,
    known_sites,
    rolled_up,
    sessions_per_site_month,
)
from admin_console.store.gc_pause import without_gc_pauses
from admin_console.store.rollups import (
    DEFAULT_TIMEZONE,
    HELP_CLOSED,
    HELP_OUTCOME,
    HELP_TOPIC,
    HELP_WAIT,
    SESSION_CAP_MIN,
    SESSION_STEP_MIN,
    WAIT_BUCKET_S,
)
from kiosk.tasks.model import Catalog

DEFAULT_MIN_COUNT = 5
LOWEST_MIN_COUNT = 3
ALL = "all sites"
TOTAL = "total"
WITHHELD = "x"
NO_SHIFTS = "no shifts"  # a site without any buddy shift in the period: no rate
STAFFED_HOURS = "staffed hours"
CALLS_STAFFED = "calls in staffed hours"
PER_STAFFED_HOUR = "calls per staffed hour"
VISITS_TIMED = "visits with a length"  # visits that ended with their length (session_minutes)
HOURS_AT_KIOSK = "hours at a kiosk"
MINUTES_PER_VISIT = "minutes per visit"
SESSION_MINUTES = "session_minutes"


class ReportError(ValueError):
    """A report that may not be made as asked (a threshold below 3)."""


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    row_label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # row name, shown cells (one per column)


@dataclass(frozen=True)
class Report:
    period: Period
    sites: tuple[str, ...]
    min_count: int
    made: datetime
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...] = ()
    kind: str = "custom"  # month, quarter, year or custom (periods.KINDS): how it is named
    today: date | None = None  # the local day it was made; the period is not over if ≥ its end

    @property
    def not_over(self) -> bool:
        """The period has not ended: its figures will still change."""
        return self.today is not None and self.period.end >= self.today

    @property
    def empty(self) -> bool:
        return not any(table.rows for table in self.tables)

    def legend(self) -> str:
        """The legend in English (the CSV's language)."""
        return ReportTexts("en").plural("legend", self.min_count, x=WITHHELD)


def check_min_count(min_count: int) -> int:
    if min_count < LOWEST_MIN_COUNT:
        raise ReportError(f"--min-count {min_count} is below {LOWEST_MIN_COUNT}: not allowed")
    return min_count


# --- suppression --------------------------------------------------------------------------------

Cell = tuple[str, str]  # row, column


def suppress(
    counts: Mapping[str, Mapping[str, int]],
    rows: Sequence[str],
    columns: Sequence[str],
    min_count: int,
) -> dict[Cell, str]:
    """Shown text of every cell of a rows × columns table with its totals.

    ``counts[row][column]``; a row ``TOTAL`` and a column ``ALL`` are added when there is more
    than one row or column. Small cells (1 to ``min_count - 1``) show ``<min``, a 0 shows 0;
    then every sum (a row, a column) with exactly one hidden cell among its parts and its total
    gets a second hidden cell (one that starts no new lone hidden cell elsewhere if possible,
    then a non-zero one, then the smallest) until no hidden value can be worked out by a
    subtraction.
    """
    check_min_count(min_count)
    all_rows = [*rows, TOTAL] if len(rows) > 1 else list(rows)
    all_columns = [*columns, ALL] if len(columns) > 1 else list(columns)
    value: dict[Cell, int] = {}
    for r in rows:
        for c in columns:
            value[(r, c)] = int(counts.get(r, {}).get(c, 0))
    if len(columns) > 1:
        for r in rows:
            value[(r, ALL)] = sum(value[(r, c)] for c in columns)
    if len(rows) > 1:
        for c in all_columns:
            value[(TOTAL, c)] = sum(value[(r, c)] for r in rows)
    hidden: dict[Cell, str] = {
        cell: f"<{min_count}" for cell, n in value.items() if 0 < n < min_count
    }
    groups: list[list[Cell]] = []  # each: the parts, then their total
    if len(columns) > 1:
        groups += [[(r, c) for c in all_columns] for r in all_rows]
    if len(rows) > 1:
        groups += [[(r, c) for r in all_rows] for c in all_columns]
    member_of: dict[Cell, list[int]] = {}
    for index, group in enumerate(groups):
        for cell in group:
            member_of.setdefault(cell, []).append(index)
    hidden_in = [sum(cell in hidden for cell in group) for group in groups]  # kept up to date
    row_rank = {r: n for n, r in enumerate(all_rows)}

    def cost(cell: Cell, current: int) -> tuple[int, bool, int, int]:
        # Best: a cell whose other sums already hide something (no new lone hidden cell), then
        # one that is not 0 (a withheld 0 would tell the reader the hidden cell is all of the
        # difference), then the smallest value (the least information lost).
        lone = sum(1 for g in member_of[cell] if g != current and not hidden_in[g])
        return (lone, value[cell] == 0, value[cell], row_rank[cell[0]])

    changed = True
    while changed:
        changed = False
        for index, group in enumerate(groups):
            if hidden_in[index] != 1:
                continue
            *parts, total = group
            candidates = [cell for cell in parts if cell not in hidden] or [total]
            chosen = min(candidates, key=lambda cell: cost(cell, index))
            hidden[chosen] = WITHHELD
            for g in member_of[chosen]:
                hidden_in[g] += 1
            changed = True
    return {cell: hidden.get(cell, str(n)) for cell, n in value.items()}


def _table(
    key: str,
    counts: Mapping[str, Mapping[str, int]],
    rows: Sequence[str],
    sites: Sequence[str],
    min_count: int,
) -> ReportTable:
    """The table of section ``key`` (its English title and row label), suppressed."""
    english = ReportTexts("en")
    title, row_label = english.title(key), english.label(key)
    if not rows:
        return ReportTable(key, title, row_label, (), ())
    shown = suppress(counts, rows, sites, min_count)
    columns = [*sites, ALL] if len(sites) > 1 else list(sites)
    all_rows = [*rows, TOTAL] if len(rows) > 1 else list(rows)
    return ReportTable(
        key,
        title,
        row_label,
        tuple(columns),
        tuple((r, tuple(shown[(r, c)] for c in columns)) for r in all_rows),
    )


def _by_row(per_site: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for site, keys in per_site.items():
        for key, n in keys.items():
            rows.setdefault(key, {})[site] = n
    return rows


def _ordered(rows: Mapping[str, Mapping[str, int]]) -> list[str]:
    return sorted(rows, key=lambda r: (-sum(rows[r].values()), r))


def _months(period: Period) -> list[str]:
    """``YYYY-MM`` of every month a period touches, in order."""
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- building -----------------------------------------------------------------------------------


@without_gc_pauses
def build_report(
    engine: Engine,
    period: Period | ReportPeriod,
    sites: Sequence[str] = (),
    min_count: int = DEFAULT_MIN_COUNT,
    now: datetime | None = None,
) -> Report:
    """The report of a period (a month, quarter, year or any days) for some sites (all when
    none are named); ``now`` ends the buddy shifts still open and says whether the period is
    over (default: now)."""
    check_min_count(min_count)
    named = period if isinstance(period, ReportPeriod) else custom(period.start, period.end)
    period = named.period
    moment = now or datetime.now(UTC)
    today = moment.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    chosen = sorted(set(sites)) or known_sites(engine)
    usage = UsageFilter(period, tuple(chosen))
    counted = [section for section in SECTIONS if section.kind is not None]
    kinds = (
        *dict.fromkeys(str(section.kind) for section in counted),
        HELP_CLOSED,
        SESSION_MINUTES,
        HELP_OUTCOME,  # the help loop's outcomes and topics, counted at ingest
        HELP_TOPIC,
    )
    # Three independent reads at once, each on a connection of its own (both databases'
    # drivers let go of the GIL while a statement runs): every site's wait buckets for the
    # medians; the counts of the counted tables, the calls closed and the help loop's outcomes
    # and topics, in one pass; and here the sessions per month, the calls still open and the
    # help loop's staffed time and calls (in a third thread it took longer: its Python work
    # waits for the GIL).
    with ThreadPoolExecutor(max_workers=2) as pool:
        waiting = pool.submit(_wait_medians, engine, chosen, period)
        counting = pool.submit(_counts, engine, chosen, kinds, period)
        per_month = sessions_per_site_month(engine, usage)
        with engine.connect() as connection:
            still_open = open_states(connection, help_sites(connection, chosen), usage)
            loads = site_loads(connection, chosen, usage, now)
            # Every site: the sums over the sites hold it (a fiftieth of the rows).
            overall_wait = _overall_median(connection, chosen, period, every=not sites)
        counts = counting.result()
        waits = waiting.result()
    per_kind: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in kinds}
    closed: list[tuple[str, str, int]] = []
    for site, kind, key, n in counts:
        per_kind[kind].setdefault(site, {})[key] = n
        if kind == HELP_CLOSED:
            closed.append((site, str(key), n))
    states = closed + still_open
    results, ticked = outcomes_and_topics_of(counts)
    months: dict[str, dict[str, int]] = {}
    for site, firsts in per_month.items():
        for first, n in firsts.items():
            cell = months.setdefault(f"{first.year:04d}-{first.month:02d}", {})
            cell[site] = cell.get(site, 0) + n
    month_rows = _months(period) if per_month else []
    per_site_help = site_help(states, waits)
    outcomes: dict[str, dict[str, int]] = {}
    for site, entry in per_site_help.items():
        for state, n in entry.by_state.items():
            name = "waiting" if state in ("open", "claimed") else state
            cell = outcomes.setdefault(name, {})
            cell[site] = cell.get(site, 0) + n
    outcome_rows = [s for s in ("resolved", "cancelled", "expired", "waiting") if s in outcomes]
    # The tables of sections.py: those of a kind of counts from the counts, the others here.
    made = {
        "sessions": _table("sessions", months, month_rows, chosen, min_count),
        "help_outcomes": _table("help_outcomes", outcomes, outcome_rows, chosen, min_count),
        "help_wait": _median_table(per_site_help, chosen, min_count, overall_wait),
        "visit_hours": _hours_table(per_kind[SESSION_MINUTES], chosen, min_count),
        "calls_per_staffed_hour": _staffed_table(loads, chosen, min_count),
    }
    result_rows = _by_row(results)
    made["help_results"] = _table(
        "help_results",
        result_rows,
        list(ordered_outcomes(_row_totals(result_rows))),
        chosen,
        min_count,
    )
    topic_rows = _by_row(ticked)
    made["help_ticked_topics"] = _table(
        "help_ticked_topics", topic_rows, _ordered(topic_rows), chosen, min_count
    )
    for section in counted:
        rows = _by_row(per_kind[str(section.kind)])
        for stored, shown in section.renamed:
            if stored in rows:
                rows[shown] = rows.pop(stored)
        made[section.key] = _table(section.key, rows, _ordered(rows), chosen, min_count)
    tables = tuple(made[section.key] for section in SECTIONS)
    return Report(
        period, tuple(chosen), min_count, datetime.now(UTC), tables, kind=named.kind, today=today
    )


def _hours_table(
    minutes: Mapping[str, Mapping[str, int]], sites: Sequence[str], min_count: int
) -> ReportTable:
    """Visits that ended with their length, the hours they add up to and the minutes per
    visit, per site and for all sites. The lengths are counted in 5-minute steps (the middle
    of each step is used: ±2.5 minutes a visit); a site's hours are shown only beside a shown
    count of visits (hours of one or two visits would be those visits' own lengths)."""
    english = ReportTexts("en")
    title = english.title("visit_hours")
    visits: dict[str, int] = {}
    spent: dict[str, float] = {}
    for site in sites:
        for key, n in minutes.get(site, {}).items():
            low = int(key) if str(key).isdigit() else 0
            middle = low if low >= SESSION_CAP_MIN else low + SESSION_STEP_MIN / 2
            visits[site] = visits.get(site, 0) + n
            spent[site] = spent.get(site, 0.0) + n * middle
    if not any(visits.values()):
        return ReportTable("visit_hours", title, "", (), ())
    columns = [*sites, ALL] if len(sites) > 1 else list(sites)
    shown = suppress({VISITS_TIMED: visits}, [VISITS_TIMED], sites, min_count)
    hours: list[str] = []
    per_visit: list[str] = []
    for column in columns:
        n = sum(visits.values()) if column == ALL else visits.get(column, 0)
        total = sum(spent.values()) if column == ALL else spent.get(column, 0.0)
        cell = shown[(VISITS_TIMED, column)]
        if not cell.isdigit():
            hours.append(WITHHELD)
            per_visit.append(WITHHELD)
        elif n == 0:
            hours.append("0")
            per_visit.append("0")
        else:
            hours.append(f"{total / 60:.1f}")
            per_visit.append(f"{total / n:.0f}")
    return ReportTable(
        "visit_hours",
        title,
        "",
        tuple(columns),
        (
            (VISITS_TIMED, tuple(shown[(VISITS_TIMED, c)] for c in columns)),
            (HOURS_AT_KIOSK, tuple(hours)),
            (MINUTES_PER_VISIT, tuple(per_visit)),
        ),
    )


def _overall_median(
    connection: Any, sites: Sequence[str], period: Period, every: bool = False
) -> tuple[int, float | None]:
    """The wait buckets of every chosen site together: how many calls, and their median
    (``every``: the sites are all there are, read from the sums over the sites)."""
    if not sites:
        return 0, None
    buckets: dict[int, int] = {}
    for _kind, key, n in rolled_up(connection, None if every else sites, [HELP_WAIT], period):
        buckets[int(key)] = buckets.get(int(key), 0) + int(n)
    calls = sum(buckets.values())
    if calls == 0:
        return 0, None
    rank, seen = (calls - 1) / 2, 0  # as help.py's medians: the middle of the middle bucket
    for bucket in sorted(buckets):
        seen += buckets[bucket]
        if seen > rank:
            return calls, (bucket + 0.5) * WAIT_BUCKET_S
    return calls, None  # pragma: no cover - the loop always returns


def _row_totals(rows: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    return {row: sum(cells.values()) for row, cells in rows.items()}


def _staffed_table(
    loads: Mapping[str, SiteLoad], sites: Sequence[str], min_count: int
) -> ReportTable:
    """Staffed hours, the calls opened in them and calls per staffed hour, per site.

    The calls are suppressed like any count (over the sites with shifts, and their sum); a
    rate is shown only beside a call count that is shown, as the rate and the hours would
    give the count away. A site without shifts says so in every row (no rate, no division)."""
    english = ReportTexts("en")
    title = english.title("calls_per_staffed_hour")
    staffed = [site for site in sites if loads.get(site, SiteLoad()).staffed_s > 0]
    if not staffed:
        return ReportTable("calls_per_staffed_hour", title, "", (), ())
    columns = [*sites, ALL] if len(sites) > 1 else list(sites)
    counts = {CALLS_STAFFED: {site: loads[site].calls_staffed for site in staffed}}
    shown = suppress(counts, [CALLS_STAFFED], staffed, min_count)
    total = sum((loads[site] for site in staffed), SiteLoad())
    if len(staffed) == 1:
        shown[(CALLS_STAFFED, ALL)] = shown[(CALLS_STAFFED, staffed[0])]
    hours: list[str] = []
    calls: list[str] = []
    rates: list[str] = []
    for column in columns:
        load = total if column == ALL else loads.get(column, SiteLoad())
        if load.staffed_s <= 0 or load.per_hour is None:
            hours.append(NO_SHIFTS)
            calls.append(NO_SHIFTS)
            rates.append(NO_SHIFTS)
            continue
        cell = shown[(CALLS_STAFFED, column)]
        hours.append(f"{load.staffed_hours:.1f}")
        calls.append(cell)
        rates.append(f"{load.per_hour:.2f}" if cell.isdigit() else WITHHELD)
    return ReportTable(
        "calls_per_staffed_hour",
        title,
        "",
        tuple(columns),
        (
            (STAFFED_HOURS, tuple(hours)),
            (CALLS_STAFFED, tuple(calls)),
            (PER_STAFFED_HOUR, tuple(rates)),
        ),
    )


def _counts(
    engine: Engine, sites: Sequence[str], kinds: Sequence[str], period: Period
) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return rolled_up(connection, sites, kinds, period, by_site=True)


def _wait_medians(
    engine: Engine, sites: Sequence[str], period: Period
) -> dict[str, tuple[int, float | None]]:
    with engine.connect() as connection:
        return site_medians(connection, sites, HELP_WAIT, period)


def _median_table(
    help_sites: Mapping[str, object],
    sites: Sequence[str],
    min_count: int,
    overall: tuple[int, float | None] = (0, None),
) -> ReportTable:
    cells: list[str] = []
    for site in sites:
        entry = help_sites.get(site)
        answered = getattr(entry, "answered", 0)
        wait = getattr(entry, "median_wait_s", None)
        # A median of fewer calls than the threshold says too much about those few calls.
        cells.append(WITHHELD if answered < min_count or wait is None else f"{wait / 60:.1f}")
    english = ReportTexts("en")
    title, row_label = english.title("help_wait"), english.label("help_wait")
    if not help_sites:
        return ReportTable("help_wait", title, row_label, (), ())
    columns = tuple(sites)
    if len(sites) > 1:
        calls, wait = overall
        cells.append(WITHHELD if calls < min_count or wait is None else f"{wait / 60:.1f}")
        columns = (*columns, ALL)
    return ReportTable("help_wait", title, row_label, columns, (("median wait", tuple(cells)),))


# --- output -------------------------------------------------------------------------------------

CSV_COLUMNS = ("section", "item", "site", "value")
LABEL_COLUMN = "label"


def write_csv(
    report: Report, out: IO[str], lang: str | None = None, catalog: Catalog | None = None
) -> None:
    """One long table, columns :data:`CSV_COLUMNS` (docs/admin-console.md): ``section`` (a
    table's stable key, or ``report`` for the rows describing it), ``item`` (the row's stable
    key: a task id, a language code, ``2026-03``, ``total``), ``site`` (a site, or ``all
    sites``) and ``value`` (as the PDF shows it: a number, ``<5`` or ``x``); with ``lang``, a
    fifth column ``label``: the item in words in that language (a task's title, a language's
    name), empty on the ``report`` rows."""
    t = ReportTexts(lang)
    words = RowWords(t, catalog)
    labelled = lang is not None
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, LABEL_COLUMN] if labelled else CSV_COLUMNS)
    meta = (
        ("period", report.kind),
        ("from", report.period.start.isoformat()),
        ("to", report.period.end.isoformat()),
        ("not_over", "yes" if report.not_over else "no"),
        ("sites", " ".join(report.sites)),
        ("min_count", str(report.min_count)),
        ("legend", report.legend()),
    )
    for item, value in meta:
        writer.writerow(["report", item, "", value, *([""] if labelled else [])])
    for table in report.tables:
        section = BY_KEY.get(table.key)
        for row, cells in table.rows:
            label = [_row_words(section, row, t, words)] if labelled else []
            for column, shown in zip(table.columns, cells, strict=True):
                writer.writerow([table.key, row, column, shown, *label])


def period_name(report: Report, t: ReportTexts) -> str:
    """ "March 2026", "first quarter 2026", "2026", or "5 March 2026 – 9 April 2026"."""
    start, end = report.period.start, report.period.end
    if report.kind == "month":
        return f"{t(f'month_{start.month}')} {start.year}"
    if report.kind == "quarter":
        return t(f"quarter_{(start.month - 1) // 3 + 1}", year=start.year)
    if report.kind == "year":
        return str(start.year)
    return f"{t.day(start)} – {t.day(end)}"


def report_html(
    report: Report, wide_limit: int = 7, lang: str = "en", catalog: Catalog | None = None
) -> str:
    """The report as simple HTML (what QTextDocument renders into the PDF), in English, Dutch
    or French (:mod:`admin_console.read.report_texts`); the figures are the same in each, and
    every row is named in words (``catalog``: the task catalogue; default the installed one)."""
    e = html.escape
    t = ReportTexts(lang)
    words = RowWords(t, catalog)
    sites = ", ".join(report.sites) or "—"
    parts = [
        f"<html lang='{t.lang}'><body style='font-family: sans-serif; font-size: 10pt'>",
        f"<h1>{e(t('heading'))} — {e(period_name(report, t))}</h1>",
        f"<p><b>{e(t('period'))}{t.colon}</b> {e(t.day(report.period.start))} – "
        f"{e(t.day(report.period.end))}<br>",
        f"<b>{e(t('sites'))}{t.colon}</b> {e(sites)}<br>",
        f"<b>{e(t('made'))}{t.colon}</b> {e(t.day(report.made.date()))} "
        f"{report.made:%H:%M} UTC</p>",
    ]
    if report.not_over and report.today is not None:
        warning = t("not_over", day=t.day(report.today))
        parts.append(
            "<p style='background: #fff3c4; border: 1px solid #c9a400; padding: 4px'>"
            f"<b>{e(warning)}</b></p>"
        )
    parts.append(
        f"<p>{e(t('anonymous'))} {e(t.plural('legend', report.min_count, x=WITHHELD))}</p>"
    )
    if report.empty:
        parts.append(f"<p><b>{e(t('no_data'))}</b></p>")
    part = ""
    for table in report.tables:
        if not table.rows:
            continue
        section = BY_KEY.get(table.key)
        if section is not None and section.part != part:
            part = section.part
            parts.append(f"<h2>{e(t(f'part_{part}'))}</h2>")
        parts.append(f"<h3>{e(t.title(table.key))}</h3>")
        parts.append(_html_table(_in_words(table, t, words), wide_limit, t("site")))
    parts.append("</body></html>")
    return "\n".join(parts)


def _row_words(section: Any, row: str, t: ReportTexts, words: RowWords) -> str:
    if row == TOTAL:
        return t("total")
    return words.row(section, row)


def _in_words(table: ReportTable, t: ReportTexts, words: RowWords | None = None) -> ReportTable:
    """A table in the report's language: totals, outcomes, "(free use)", and the data's keys
    named (task titles, language names, months); site names as they are."""
    section = BY_KEY.get(table.key)
    own_rows = section is not None and section.own_words
    words = words or RowWords(t)

    def cell(value: str) -> str:
        # A word among the figures ("no shifts") is translated; numbers, <5 and x are not.
        return t.word(value) if own_rows and value == NO_SHIFTS else value

    return ReportTable(
        table.key,
        t.title(table.key),
        t.label(table.key),
        tuple(t("all sites") if column == ALL else column for column in table.columns),
        tuple(
            (_row_words(section, row, t, words), tuple(cell(c) for c in cells))
            for row, cells in table.rows
        ),
    )


def _html_table(table: ReportTable, wide_limit: int, site_label: str = "site") -> str:
    """Sites across the page; with many sites, short row names turn the table (one line per
    site), long ones (task titles) split it into several tables of ``wide_limit`` sites."""
    names = [row for row, _ in table.rows]
    if len(table.columns) <= wide_limit:
        return _html_grid(table.row_label, names, table.columns, [c for _, c in table.rows])
    if max(len(name) for name in names) <= 8:
        cells: list[Sequence[str]] = [
            [c[index] for _, c in table.rows] for index in range(len(table.columns))
        ]
        return _html_grid(site_label, table.columns, names, cells)
    parts = []
    for start in range(0, len(table.columns), wide_limit):
        columns = table.columns[start : start + wide_limit]
        cells = [c[start : start + wide_limit] for _, c in table.rows]
        parts.append(_html_grid(table.row_label, names, columns, cells))
    return "<br>".join(parts)


def _html_grid(
    corner: str, rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[str]]
) -> str:
    """One table; its header row is a ``<thead>``, which Qt repeats on every PDF page the table
    runs onto."""
    e = html.escape
    cell = "style='padding: 2px 8px; border: 1px solid #999'"
    head = "style='padding: 2px 8px; border: 1px solid #999; background: #dde4ee'"
    lines = ["<table cellspacing='0' style='border-collapse: collapse'>"]
    lines.append(
        f"<thead><tr><th {head}>{e(corner)}</th>"
        + "".join(f"<th {head}>{e(c)}</th>" for c in columns)
        + "</tr></thead><tbody>"
    )
    for row, values in zip(rows, cells, strict=True):
        lines.append(
            f"<tr><td {cell}>{e(row)}</td>"
            + "".join(f"<td {cell} align='right'>{e(v)}</td>" for v in values)
            + "</tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)
