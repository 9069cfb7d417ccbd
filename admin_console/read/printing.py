"""Pages printed (issue 19) for the console's Usage tab, without Qt: per site, with how many
in colour, and per guided task ("-": printed outside a task).

From the counts kept at ingest (``printed_pages`` by task, ``printed_color`` by ``color`` /
``grey``; :data:`admin_console.store.rollups.COUNTED`), over the filter's sites and period, as
every other usage figure: pages, never jobs, documents or who printed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from admin_console.read.usage import UsageFilter, chosen_sites, daily_rows, rolled_up

OUTSIDE_TASK = "-"  # the key of pages printed outside a guided task


@dataclass(frozen=True)
class SitePages:
    site: str
    pages: int
    color: int  # of them, in colour

    @property
    def grey(self) -> int:
        return self.pages - self.color


@dataclass(frozen=True)
class PrintedPages:
    sites: list[SitePages] = field(default_factory=list)  # most pages first
    tasks: dict[str, int] = field(default_factory=dict)  # task key (or "-"): pages, most first

    @property
    def total(self) -> int:
        return sum(s.pages for s in self.sites)

    @property
    def color(self) -> int:
        return sum(s.color for s in self.sites)


def printed_pages(engine: Engine, usage: UsageFilter) -> PrintedPages:
    """Pages printed in the filter's period and sites, per site and per task."""
    with engine.connect() as connection:
        by_site = rolled_up(
            connection,
            chosen_sites(connection, usage),
            ["printed_pages", "printed_color"],
            usage.period,
            by_site=True,
        )
        by_task = daily_rows(connection, usage, ["printed_pages"])
    pages: Counter[str] = Counter()
    color: Counter[str] = Counter()
    for site, kind, key, n in by_site:
        if kind == "printed_pages":
            pages[site] += int(n)
        elif key == "color":
            color[site] += int(n)
    tasks: Counter[str] = Counter()
    for _kind, key, n in by_task:
        tasks[str(key)] += int(n)
    sites = [
        SitePages(site, n, color[site])
        for site, n in sorted(pages.items(), key=lambda item: (-item[1], item[0]))
        if n
    ]
    ordered = dict(sorted(((k, n) for k, n in tasks.items() if n), key=lambda kn: (-kn[1], kn[0])))
    return PrintedPages(sites, ordered)
