"""Funder reports without personal data: sessions, languages, guided tasks and help given.

The tables, their order and their words are declared in :mod:`admin_console.read.sections`: a
table of counted keys by site (``Section(kind=...)``) needs nothing here.

A report is a list of tables (rows × sites, with totals). Before anything is shown, every count
below ``min_count`` (5 by default, never below 3) becomes ``<5``; and wherever a single hidden
cell could be worked out from a published total (a row, a column or the grand total), one more
cell is withheld and shown as ``x``. The same report is written as CSV (:func:`write_csv`) or
rendered as HTML (:func:`report_html`), which the GUI previews and turns into a PDF.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.engine import Engine

from admin_console.read.help import help_sites, open_states, site_help, site_medians
from admin_console.read.help_loop import SiteLoad, ordered_outcomes, outcomes_and_topics, site_loads
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
from admin_console.store.rollups import HELP_CLOSED, HELP_WAIT

DEFAULT_MIN_COUNT = 5
LOWEST_MIN_COUNT = 3
ALL = "all sites"
TOTAL = "total"
WITHHELD = "x"
NO_SHIFTS = "no shifts"  # a site without any buddy shift in the period: no rate
STAFFED_HOURS = "staffed hours"
CALLS_STAFFED = "calls in staffed hours"
PER_STAFFED_HOUR = "calls per staffed hour"


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
    than one row or column. Small cells show ``<min``; then every sum (a row, a column) with
    exactly one hidden cell among its parts and its total gets a second hidden cell (one that
    starts no new lone hidden cell elsewhere if possible, then the smallest) until no hidden
    value can be worked out by a subtraction.
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
    hidden: dict[Cell, str] = {cell: f"<{min_count}" for cell, n in value.items() if n < min_count}
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

    def cost(cell: Cell, current: int) -> tuple[int, int, int]:
        # Best: a cell whose other sums already hide something (no new lone hidden cell), then
        # the smallest value (the least information lost).
        lone = sum(1 for g in member_of[cell] if g != current and not hidden_in[g])
        return (lone, value[cell], row_rank[cell[0]])

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
    period: Period,
    sites: Sequence[str] = (),
    min_count: int = DEFAULT_MIN_COUNT,
    now: datetime | None = None,
) -> Report:
    """The report of a period for some sites (all when none are named); ``now`` ends the
    buddy shifts still open (default: now)."""
    check_min_count(min_count)
    chosen = sorted(set(sites)) or known_sites(engine)
    usage = UsageFilter(period, tuple(chosen))
    counted = [section for section in SECTIONS if section.kind is not None]
    kinds = (*dict.fromkeys(str(section.kind) for section in counted), HELP_CLOSED)
    # Three independent reads at once, each on a connection of its own (both databases'
    # drivers let go of the GIL while a statement runs): every site's wait buckets for the
    # medians; the counts of the counted tables and the calls closed, in one pass; and here
    # the sessions per month and the calls still open.
    with ThreadPoolExecutor(max_workers=2) as pool:
        waiting = pool.submit(_wait_medians, engine, chosen, period)
        counting = pool.submit(_counts, engine, chosen, kinds, period)
        per_month = sessions_per_site_month(engine, usage)
        with engine.connect() as connection:
            still_open = open_states(connection, help_sites(connection, chosen), usage)
            # The help loop: staffed time and calls, outcomes and topics (no names read).
            loads = site_loads(connection, chosen, usage, now)
            results, ticked = outcomes_and_topics(connection, chosen, usage)
        counts = counting.result()
        waits = waiting.result()
    per_kind: dict[str, dict[str, dict[str, int]]] = {kind: {} for kind in kinds}
    closed: list[tuple[str, str, int]] = []
    for site, kind, key, n in counts:
        per_kind[kind].setdefault(site, {})[key] = n
        if kind == HELP_CLOSED:
            closed.append((site, str(key), n))
    states = closed + still_open
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
        "help_wait": _median_table(per_site_help, chosen, min_count),
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
    return Report(period, tuple(chosen), min_count, datetime.now(UTC), tables)


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
    help_sites: Mapping[str, object], sites: Sequence[str], min_count: int
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
    return ReportTable(
        "help_wait",
        title,
        row_label,
        tuple(sites),
        (("median wait", tuple(cells)),),
    )


# --- output -------------------------------------------------------------------------------------


def write_csv(report: Report, out: IO[str]) -> None:
    """One long table: ``section,item,site,value``; the first rows describe the report."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "site", "value"])
    meta = (
        ("from", report.period.start.isoformat()),
        ("to", report.period.end.isoformat()),
        ("sites", " ".join(report.sites)),
        ("min_count", str(report.min_count)),
        ("legend", report.legend()),
    )
    for item, value in meta:
        writer.writerow(["report", item, "", value])
    for table in report.tables:
        for row, cells in table.rows:
            for column, shown in zip(table.columns, cells, strict=True):
                writer.writerow([table.key, row, column, shown])


def report_html(report: Report, wide_limit: int = 7, lang: str = "en") -> str:
    """The report as simple HTML (what QTextDocument renders into the PDF), in English, Dutch
    or French (:mod:`admin_console.read.report_texts`); the figures are the same in each."""
    e = html.escape
    t = ReportTexts(lang)
    sites = ", ".join(report.sites) or "—"
    parts = [
        f"<html lang='{t.lang}'><body style='font-family: sans-serif; font-size: 10pt'>",
        f"<h1>{e(t('heading'))}</h1>",
        f"<p><b>{e(t('period'))}:</b> {e(t.day(report.period.start))} – "
        f"{e(t.day(report.period.end))}<br>",
        f"<b>{e(t('sites'))}:</b> {e(sites)}<br>",
        f"<b>{e(t('made'))}:</b> {report.made:%Y-%m-%d %H:%M} UTC</p>",
        f"<p>{e(t('anonymous'))} {e(t.plural('legend', report.min_count, x=WITHHELD))}</p>",
    ]
    if report.empty:
        parts.append(f"<p><b>{e(t('no_data'))}</b></p>")
    for table in report.tables:
        if not table.rows:
            continue
        parts.append(f"<h2>{e(t.title(table.key))}</h2>")
        parts.append(_html_table(_in_words(table, t), wide_limit, t("site")))
    parts.append("</body></html>")
    return "\n".join(parts)


def _in_words(table: ReportTable, t: ReportTexts) -> ReportTable:
    """A table with the report's own words translated: totals, outcomes, "(free use)"; data
    (sites, task ids, months, language codes) as it is."""
    section = BY_KEY.get(table.key)
    own_rows = section is not None and section.own_words
    prefix = section.words if section is not None else ""

    def row_name(row: str) -> str:
        if row == TOTAL:
            return t("total")
        if prefix:
            return t.known(prefix + row, row)
        return t.word(row) if own_rows else row

    def cell(value: str) -> str:
        # A word among the figures ("no shifts") is translated; numbers, <5 and x are not.
        return t.word(value) if own_rows and value == NO_SHIFTS else value

    return ReportTable(
        table.key,
        t.title(table.key),
        t.label(table.key),
        tuple(t("all sites") if column == ALL else column for column in table.columns),
        tuple((row_name(row), tuple(cell(c) for c in cells)) for row, cells in table.rows),
    )


def _html_table(table: ReportTable, wide_limit: int, site_label: str = "site") -> str:
    """Sites across the page; with many sites, short row names turn the table (one line per
    site), long ones (task ids) split it into several tables of ``wide_limit`` sites."""
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
    e = html.escape
    cell = "style='padding: 2px 8px; border: 1px solid #999'"
    head = "style='padding: 2px 8px; border: 1px solid #999; background: #dde4ee'"
    lines = ["<table cellspacing='0' style='border-collapse: collapse'>"]
    lines.append(
        f"<tr><th {head}>{e(corner)}</th>"
        + "".join(f"<th {head}>{e(c)}</th>" for c in columns)
        + "</tr>"
    )
    for row, values in zip(rows, cells, strict=True):
        lines.append(
            f"<tr><td {cell}>{e(row)}</td>"
            + "".join(f"<td {cell} align='right'>{e(v)}</td>" for v in values)
            + "</tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)
