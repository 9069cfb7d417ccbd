"""Fixes proposed for the suite's code, kept here so that the benchmarks can measure their gain.

NOT the suite's code: ``make bench`` measures the suite as it is and, next to it, these
variants, so that BENCHMARKS.md can say what a change would bring. The change proposed for
``admin_console/ingest.py`` (``Ingest._store``, ``_count_daily``, ``_record_visits``):

    insert(Table).values(list_of_dicts)      →   connection.execute(insert(table), list_of_dicts)

A multi-row ``.values([...])`` is compiled anew for every batch (SQLAlchemy cannot cache a
statement whose shape depends on the row count): about 80% of the ingest time goes into
compiling it (cProfile: ``crud._extend_values_for_multiparams``). It also binds one parameter
per column per row, so a transaction of more than 250,000 / 8 ≈ 31,000 events on SQLite
(65,535 / 8 ≈ 8,000 on PostgreSQL) fails with "too many SQL variables", an OperationalError
that the aggregator takes for "database unavailable" and retries forever. An ``executemany``
of one cached statement (SQLAlchemy 2's "insertmanyvalues", which pages the rows and still
supports RETURNING) has neither problem, and stores the same rows.

Usage (the aggregator with the proposed ingest; same options as ``admin-console``)::

    python benchmarks/proposed_fixes.py serve --broker mqtt://127.0.0.1:P --db sqlite:///x.db
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from admin_console import ingest as ingest_module
from admin_console.ingest import IngestResult, _naive, _rejection, _Work
from admin_console.orm import DailyCountRow, EventRow, MachineRow, VisitRow
from admin_console.rollups import counts_for
from kiosk.wire.protocol import Reason


class ExecutemanyIngest(ingest_module.Ingest):
    """``Ingest`` with the three multi-row ``.values(...)`` replaced by ``executemany``."""

    def _store(self, work: _Work) -> IngestResult:
        result = IngestResult()
        with Session(self._engine) as session, session.begin():
            if work.events:
                unique = list({event["id"]: event for event in reversed(work.events)}.values())
                table = EventRow.__table__
                statement = (
                    self._insert(table)
                    .on_conflict_do_nothing(index_elements=["id"])
                    .returning(table.c.id)
                )
                new_ids = set(session.connection().execute(statement, unique).scalars())
                result.events_new = len(new_ids)
                result.events_duplicate = len(work.events) - len(new_ids)
                new_events = [event for event in unique if event["id"] in new_ids]
                self._count_daily(session, new_events)
                self._record_visits(session, new_events)
            for topic, change, message in work.help:
                if not self._apply_help(session, topic, change):
                    spoofed = _rejection(
                        message,
                        Reason.SPOOFED_ORIGIN.value,
                        "the request belongs to another machine",
                    )
                    work.rejections.append(spoofed)
            for topic, status, received in work.status:
                session.merge(
                    MachineRow(
                        site=topic.site,
                        machine=topic.machine,
                        state=status.state,
                        last_seen=_naive(received),
                        status=status.figures,
                    )
                )
            for rejection in work.rejections:
                if self._record_rejection(session, rejection):
                    result.rejected[rejection.reason] += 1
        for rejection in work.rejections:
            ingest_module.log.warning(
                "rejected a message on %s: %s (%s)",
                rejection.topic,
                rejection.reason,
                rejection.detail,
            )
        return result

    def _count_daily(self, session: Session, events: list[dict[str, Any]]) -> None:
        counts = counts_for(events, self._zone)
        if not counts:
            return
        rows = [
            {"day": day, "site": site, "kind": kind, "key": key[:80], "count": n}
            for (day, site, kind, key), n in sorted(counts.items())
        ]
        table = DailyCountRow.__table__
        statement = self._insert(table)
        session.connection().execute(
            statement.on_conflict_do_update(
                index_elements=["day", "site", "kind", "key"],
                set_={"count": table.c.count + statement.excluded.count},
            ),
            rows,
        )

    def _record_visits(self, session: Session, events: list[dict[str, Any]]) -> None:
        started: dict[str, dict[str, Any]] = {}
        ended: dict[str, dict[str, Any]] = {}
        for event in events:
            base = {"id": event["session"], "site": event["site"], "machine": event["machine"]}
            if event["type"] == "session_started":
                started[event["session"]] = {
                    **base,
                    "started": event["ts"],
                    "lang": event["data"]["lang"],
                }
            elif event["type"] == "session_ended":
                ended[event["session"]] = {
                    **base,
                    "ended": event["ts"],
                    "end_reason": event["data"]["reason"],
                    "duration_s": event["data"]["duration_s"],
                }
        table = VisitRow.__table__
        for rows, columns in (
            (started, ("started", "lang")),
            (ended, ("ended", "end_reason", "duration_s")),
        ):
            if not rows:
                continue
            statement = self._insert(table)
            session.connection().execute(
                statement.on_conflict_do_update(
                    index_elements=["id"],
                    set_={name: getattr(statement.excluded, name) for name in columns},
                ),
                sorted(rows.values(), key=lambda r: r["id"]),
            )


def main() -> int:
    """``admin-console`` with the proposed ingest in place of the suite's."""
    ingest_module.Ingest = ExecutemanyIngest  # type: ignore[misc]
    from admin_console.cli import main as admin_main

    return admin_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
