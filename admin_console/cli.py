"""``admin-console``: the aggregator, the buddy desk and usage figures."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import signal
import socket
import sys
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from admin_console.provision import cli as provision_cli
from admin_console.store.database import DatabaseError, default_database_url, open_database
from kiosk.wire.broker import ConfigError, broker_from_file, parse_broker_url
from kiosk.wire.config import ConfigFile, read_config
from kiosk.wire.config_schema import AdminConsoleFile
from kiosk.wire.protocol import NAME_RE

DEFAULT_BROKER = "mqtt://127.0.0.1:1883"
CONFIG_HELP = "the console's TOML file, e.g. /etc/kiosk-suite/admin-console.toml ([database] url)"
DB_HELP = (
    "database URL: sqlite:///path/to/file.db (default) or "
    "postgres://user:password@host/name (postgresql+psycopg://… also works)"
)
log = logging.getLogger("admin_console")


def _config(args: argparse.Namespace) -> ConfigFile[AdminConsoleFile] | None:
    """The ``--config`` file, checked against its schema (``AdminConsoleFile``); read once."""
    if not getattr(args, "config", None):
        return None
    cached = getattr(args, "_config_file", None)
    if cached is None:
        cached = read_config(Path(args.config), AdminConsoleFile)
        args._config_file = cached
    return cast("ConfigFile[AdminConsoleFile]", cached)


def _tables(args: argparse.Namespace) -> AdminConsoleFile:
    file = _config(args)
    return file.value if file is not None else AdminConsoleFile()


def _broker(args: argparse.Namespace) -> Any:
    file = _config(args)
    if args.broker:
        return parse_broker_url(args.broker)
    return (broker_from_file(file) if file else None) or parse_broker_url(DEFAULT_BROKER)


def database_url(url: str) -> str:
    """A database URL as SQLAlchemy takes it: ``postgres://`` and ``postgresql://`` (what
    hosting providers and ``psql`` write) use the psycopg 3 driver the suite installs."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _database_url(args: argparse.Namespace) -> str:
    return database_url(str(args.db or _tables(args).database.url or default_database_url()))


def cmd_serve(args: argparse.Namespace) -> int:
    from admin_console.ingest.aggregator import Aggregator, AggregatorOptions, StorerDied

    settings = _broker(args)
    database_url = _database_url(args)
    engine = open_database(database_url)  # the schema in place; the storer process writes
    broker = None
    share_group: str | None = args.share_group or None
    if args.embedded_broker:
        from admin_console.links.embedded_broker import EmbeddedBroker

        logging.getLogger("amqtt").setLevel(logging.CRITICAL)
        logging.getLogger("transitions").setLevel(logging.WARNING)
        broker = EmbeddedBroker(settings.host, settings.port)
        broker.start()
        share_group = None  # amqtt has no shared subscriptions; one aggregator takes all
    options = AggregatorOptions(
        client_id=args.client_id or f"aggregator-{socket.gethostname()}",
        share_group=share_group,
        help_expiry=timedelta(minutes=args.help_expiry_min),
        retention_days=args.retention_days,
    )
    aggregator = Aggregator(settings, database_url, options)
    keeper = _queue_keeper(args, settings, options.client_id, options.help_expiry)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("aggregator storing into %s", engine.url.render_as_string(hide_password=True))
    keeper.seed(engine)  # a restarted serve publishes the truth, not an empty queue
    engine.dispose()
    keeper.start()
    code = 0
    try:
        aggregator.run(stop)
    except StorerDied as err:
        log.error("%s; stopping (nothing it had not stored was acknowledged)", err)
        code = 1
    finally:
        keeper.stop()
        if broker is not None:
            broker.stop()
    log.info("aggregator stopped: %s", dict(aggregator.totals))
    return code


def _queue_keeper(
    args: argparse.Namespace, settings: Any, client_id: str, expiry: timedelta
) -> Any:
    """The queue keeper of ``serve``: every site's queue and duty roster, from [sites] and
    [fleet] timezone of the --config file. Its subscription is always plain (each process sees
    the whole site), its client id the aggregator's with ``-queue``."""
    from admin_console.desk.queue_service import (
        QueueService,
        QueueServiceOptions,
        policies_from_config,
    )
    from admin_console.provision.mosquitto import queue_keeper_username

    tables = _tables(args)
    options = QueueServiceOptions(
        client_id=f"{client_id}-queue", timezone=tables.fleet.timezone, expiry=expiry
    )
    if getattr(settings, "username", None):
        # Its own account (provisioned beside the aggregator's, same password): with the
        # aggregator's username, a broker that takes the username as client id would hand
        # the keeper the aggregator's session, and its events (issue 21 found it).
        settings = dataclasses.replace(settings, username=queue_keeper_username(settings.username))
    return QueueService(settings, policies_from_config(tables.sites), options)


def cmd_stats(args: argparse.Namespace) -> int:
    from admin_console.read.stats import collect_stats

    engine = open_database(_database_url(args), create=False)
    try:
        stats = collect_stats(engine)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(stats, sort_keys=True))
        return 0
    print(stats_table(stats))
    return 0


STATS_STATES = ("resolved", "cancelled", "expired", "open", "claimed")


def stats_table(stats: dict[str, Any]) -> str:
    """``stats`` for a person: a line of totals, the refused messages by reason, then one row a
    site (sessions, help calls by outcome, median wait), columns aligned, an all-sites row."""
    lines = [
        f"Events stored: {stats['events_total']}    "
        f"refused as malformed: {stats['rejected_total']}",
    ]
    for reason, count in stats["rejected"].items():
        lines.append(f"  refused, {reason}: {count}")
    head = ("site", "sessions", "events", *STATS_STATES, "median wait")
    rows: list[tuple[str, ...]] = []
    totals = dict.fromkeys(("sessions", "events", *STATS_STATES), 0)
    for site, entry in stats["sites"].items():
        wait = entry["help_median_wait_s"]
        events = sum(entry["events"].values())
        help_counts = [int(entry["help"].get(state, 0)) for state in STATS_STATES]
        totals["sessions"] += int(entry["sessions"])
        totals["events"] += events
        for state, n in zip(STATS_STATES, help_counts, strict=True):
            totals[state] += n
        rows.append(
            (
                site,
                str(entry["sessions"]),
                str(events),
                *(str(n) for n in help_counts),
                "—" if wait is None else f"{wait / 60:.1f} min",
            )
        )
    if not rows:
        lines.append("No site has figures yet.")
        return "\n".join(lines)
    if len(rows) > 1:
        rows.append(("all sites", *(str(totals[k]) for k in totals), ""))
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    lines.append("")
    lines.append("Help calls by outcome; median wait: from the call to a buddy's answer.")
    for row in (head, *rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cmd_buddy(args: argparse.Namespace) -> int:
    buddy = _tables(args).buddy  # [buddy] site, name: what `admin-console provision buddy` writes
    site = args.site or buddy.site
    if not site:
        raise ConfigError("buddy: which site? --site S (or [buddy] site in the --config file)")
    if not NAME_RE.match(site):
        raise ConfigError(f"site {site!r} is not valid: 1-32 lower-case letters, digits or '-'")
    lang = _language(args.lang)
    from admin_console.ui.buddy_desk import run_buddy_desk

    table = _tables(args).sites.get(site)  # [sites.NAME] topics: what a buddy may tick
    topics = None if table is None else table.topics
    return run_buddy_desk(_broker(args), site, args.name or buddy.name or "", lang, topics)


def _language(requested: str | None) -> str:
    from admin_console.ui.language import choose_language

    try:
        return choose_language(requested)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def _admin_name(args: argparse.Namespace, config: AdminConsoleFile) -> str:
    """Who sends commands: --name, else the broker username of the config, else the OS user."""
    import getpass

    name = args.name or (config.broker.username if config.broker is not None else None)
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "admin"
    return str(name)[:64]


def cmd_gui(args: argparse.Namespace) -> int:
    from admin_console.desk.fleet import FleetSettings
    from admin_console.read.reports import check_min_count

    config = _tables(args)
    min_count = config.reports.min_count
    try:
        check_min_count(min_count)
    except ValueError as err:
        raise ConfigError(f"[reports] min_count: {err}") from None
    settings = _broker(args)
    from admin_console.ui.window import AdminOptions, run_admin_console

    options = AdminOptions(
        db_url=_database_url(args),
        admin=_admin_name(args, config),
        fleet=FleetSettings.from_config(config.fleet),
        min_count=min_count,
        broker_url=settings.url,
        site_topics={site: tuple(table.topics) for site, table in config.sites.items()},
    )
    return run_admin_console(settings, options, _language(args.lang))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def _report_language(wanted: str | None) -> str:
    """The PDF's language: ``--lang`` (nl, fr, en) or the system's; an unknown one is refused
    with the list."""
    from admin_console.read.report_texts import REPORT_LANGUAGES, report_language

    if wanted is not None and wanted not in REPORT_LANGUAGES:
        raise ConfigError(
            f"--lang {wanted!r}: reports are written in {', '.join(REPORT_LANGUAGES)}"
        )
    return wanted or report_language(_language(None))


def _report_period(args: argparse.Namespace) -> Any:
    """The period of ``report``: exactly one of --month, --quarter, --year or --from/--to."""
    from admin_console.read import periods

    chosen = [
        name
        for name, value in (("--month", args.month), ("--quarter", args.quarter),
                            ("--year", args.year))
        if value is not None
    ]  # fmt: skip
    if args.start is not None or args.end is not None:
        chosen.append("--from/--to")
    if len(chosen) != 1:
        raise ConfigError(
            "which period? give one of --month 2026-03, --quarter 2026-Q1, --year 2026 or "
            "--from 2026-03-01 --to 2026-03-31"
            + (f" (not {' and '.join(chosen)})" if chosen else "")
        )
    try:
        if args.month is not None:
            return periods.parse_month(args.month)
        if args.quarter is not None:
            return periods.parse_quarter(args.quarter)
        if args.year is not None:
            return periods.parse_year(args.year)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if args.start is None or args.end is None:
        raise ConfigError("--from and --to go together: --from 2026-03-01 --to 2026-03-31")
    if args.start > args.end:
        raise ConfigError(f"--from {args.start} is after --to {args.end}")
    return periods.custom(args.start, args.end)


def _writable(path: Path) -> None:
    """A clear ConfigError before any work when ``path`` cannot be written."""
    folder = path.parent
    if path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {path}: the folder {folder} does not exist")


def _write_failed(path: Path, err: OSError) -> ConfigError:
    return ConfigError(f"cannot write {path}: {err.strerror or err}")


def cmd_report(args: argparse.Namespace) -> int:
    from admin_console.read.reports import ReportError, build_report, check_min_count, write_csv

    named = _report_period(args)
    try:
        check_min_count(args.min_count)
    except ReportError as err:
        raise ConfigError(str(err)) from None
    lang = _report_language(args.lang) if args.format == "pdf" or args.lang else None
    sites = sorted({s for value in args.site or [] for s in value.split(",") if s})
    for site in sites:
        if not NAME_RE.match(site):
            raise ConfigError(f"site {site!r} is not valid: 1-32 lower-case letters, digits or '-'")
    if args.out == "-" and args.format == "pdf":
        raise ConfigError("a PDF needs a file: --out FILE")
    out = Path(args.out)
    if args.out != "-":
        _writable(out)
    engine = open_database(_database_url(args), create=False)
    try:
        if sites:
            from admin_console.read.usage import known_sites

            known = known_sites(engine)
            unknown = [site for site in sites if site not in known]
            if unknown:
                listed = ", ".join(known) or "none yet"
                raise ConfigError(
                    f"unknown site {', '.join(map(repr, unknown))}: the database knows {listed}"
                )
        report = build_report(engine, named, sites, args.min_count)
    finally:
        engine.dispose()
    if args.format == "csv":
        if args.out == "-":
            write_csv(report, sys.stdout, lang)
        else:
            try:
                with out.open("w", encoding="utf-8", newline="") as handle:
                    write_csv(report, handle, lang)
            except OSError as err:
                raise _write_failed(out, err) from None
    else:
        from admin_console.read.reports import report_html
        from admin_console.ui.pdf import write_pdf

        try:
            write_pdf(report_html(report, lang=lang or "en"), out)
        except OSError as err:
            raise _write_failed(out, err) from None
    if report.not_over:
        print(
            f"admin-console: the period {report.period.start} to {report.period.end} is not "
            "over yet: its figures will still change (the report says so)",
            file=sys.stderr,
        )
    if report.empty:
        print(
            f"admin-console: no data for {report.period.start} to {report.period.end}",
            file=sys.stderr,
        )
    elif args.out != "-":
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _known_site(engine: Any, site: str | None) -> str | None:
    """``--site``: valid and known to the database, or a ConfigError naming the known ones."""
    if site is None:
        return None
    if not NAME_RE.match(site):
        raise ConfigError(f"site {site!r} is not valid: 1-32 lower-case letters, digits or '-'")
    from admin_console.read.buddies import every_site

    known = every_site(engine)
    if site not in known:
        listed = ", ".join(known) or "none yet"
        raise ConfigError(f"unknown site {site!r}: the database knows {listed}")
    return site


def cmd_buddies_hours(args: argparse.Namespace) -> int:
    """The coordinator's CSV: per buddy and month, hours on duty, shifts and calls."""
    from admin_console.read.buddies import buddy_months, write_hours_csv
    from admin_console.read.usage import Period, UsageFilter

    if args.start > args.end:
        raise ConfigError(f"--from {args.start} is after --to {args.end}")
    engine = open_database(_database_url(args), create=False)
    try:
        site = _known_site(engine, args.site)
        usage = UsageFilter(
            Period(args.start, args.end), (site,) if site else (), _tables(args).fleet.timezone
        )
        months = buddy_months(engine, usage)
    finally:
        engine.dispose()
    if args.out == "-":
        write_hours_csv(months, sys.stdout)
    else:
        try:
            with Path(args.out).open("w", encoding="utf-8", newline="") as handle:
                write_hours_csv(months, handle)
        except OSError as err:
            raise ConfigError(f"cannot write {args.out}: {err.strerror or err}") from None
        print(f"wrote {args.out} ({len(months)} rows)", file=sys.stderr)
    if not months:
        print(f"admin-console: no buddy shifts or calls from {args.start} to {args.end}",
              file=sys.stderr)  # fmt: skip
    return 0


def cmd_buddies_forget(args: argparse.Namespace) -> int:
    """Delete a buddy's shifts and blank their name on help calls (the counts stay)."""
    from admin_console.read.buddies import forget_buddy, names_like

    engine = open_database(_database_url(args), create=False)
    try:
        site = _known_site(engine, args.site)
        gone = forget_buddy(engine, args.name, site)
        similar = names_like(engine, args.name, site) if gone.nothing else []
    finally:
        engine.dispose()
    where = f" at {site}" if site else ""
    if gone.nothing:
        hint = f"; stored names that differ only in case or spaces: {', '.join(map(repr, similar))}"
        print(
            f"admin-console: nothing matched: no shift or help call of {args.name!r}{where}"
            + (hint if similar else " (names must match exactly)"),
            file=sys.stderr,
        )
        return 1
    print(
        f"{args.name!r}{where} forgotten: {gone.shifts} shifts deleted, the name blanked on "
        f"{gone.calls} help calls (the calls are still counted)"
    )
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    from admin_console.demo.data import generate

    engine = open_database(_database_url(args))

    def progress(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            print(f"\rday {done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        result = generate(
            engine,
            sites=args.sites,
            kiosks_per_site=args.kiosks_per_site,
            days=args.days,
            seed=args.seed,
            sessions_per_kiosk_day=args.sessions_per_kiosk_day,
            progress=progress,
        )
    except ValueError as err:
        raise ConfigError(str(err)) from None
    finally:
        engine.dispose()
    print(file=sys.stderr)
    print(
        f"{result['events']} events, {result['sessions']} sessions, "
        f"{result['help_requests']} help requests in {result['seconds']} s "
        f"({result['events_per_s']} events/s)",
        file=sys.stderr,
    )
    print(json.dumps(result, sort_keys=True))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="admin-console", description=__doc__)
    parser.add_argument("--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="the aggregator: MQTT → database")
    serve.add_argument("--config", help="TOML with [broker] and [database] url")
    serve.add_argument("--broker", help="mqtt://host:port or mqtts://host:port")
    serve.add_argument("--db", help="sqlite:///path (default) or postgresql+psycopg://…")
    serve.add_argument(
        "--embedded-broker",
        action="store_true",
        help="run a broker in this process on the --broker address (demo, one PC)",
    )
    serve.add_argument("--client-id", help="MQTT client id; unique per aggregator process")
    serve.add_argument(
        "--share-group",
        default="",
        help="join this shared subscription group to split the stream between "
        "several aggregators (default: one aggregator, plain subscription; "
        "see docs/broker.md for why)",
    )
    serve.add_argument(
        "--help-expiry-min",
        type=float,
        default=120.0,
        help="minutes after which an unanswered help call expires",
    )
    serve.add_argument(
        "--retention-days",
        type=int,
        default=400,
        help="keep raw events this long; daily counts are kept for good",
    )
    serve.set_defaults(func=cmd_serve)

    stats = sub.add_parser(
        "stats",
        help="totals per site: sessions, events, help calls, median wait",
        description="Totals of everything stored, per site, as a table (or --json).",
    )
    stats.add_argument("--config", help=CONFIG_HELP)
    stats.add_argument("--db", help=DB_HELP)
    stats.add_argument(
        "--json", action="store_true", help="one JSON object instead of the table (for scripts)"
    )
    stats.set_defaults(func=cmd_stats)

    buddy = sub.add_parser("buddy", help="the buddy desk window")
    buddy.add_argument("--config")
    buddy.add_argument("--site", help="the site (default: [buddy] site of the --config file)")
    buddy.add_argument(
        "--name", help="your name as visitors will see it (default: [buddy] name of the config)"
    )
    buddy.add_argument("--broker")
    buddy.add_argument("--lang", help="nl, fr or en (default: the system's language)")
    buddy.set_defaults(func=cmd_buddy)

    gui = sub.add_parser("gui", help="the admin console window")
    gui.add_argument("--config", help="TOML with [broker], [database], [fleet], [reports]")
    gui.add_argument("--broker", help="mqtt://host:port or mqtts://host:port")
    gui.add_argument("--db", help="sqlite:///path (default) or postgresql+psycopg://…")
    gui.add_argument("--name", help="who you are in the command audit log")
    gui.add_argument("--lang", help="nl, fr or en (default: the system's language)")
    gui.set_defaults(func=cmd_gui)

    report = sub.add_parser(
        "report",
        help="usage report for funders (CSV or PDF)",
        description="The funders' report of a period: reach, guided tasks, help, printing; "
        "anonymous, counts of 1 to 4 hidden. Give the period as one of --month, --quarter, "
        "--year or --from/--to. Exit 2 with a one-line message when it cannot be made or "
        "written.",
    )
    report.add_argument("--config", help=CONFIG_HELP)
    report.add_argument("--db", help=DB_HELP)
    period = report.add_argument_group("period (one of)")
    period.add_argument("--month", help="a calendar month, YYYY-MM, e.g. 2026-03")
    period.add_argument("--quarter", help="a quarter, YYYY-QN, e.g. 2026-Q1 (January-March)")
    period.add_argument("--year", help="a calendar year, YYYY, e.g. 2026")
    period.add_argument("--from", dest="start", type=_day, help="first day, YYYY-MM-DD (with --to)")
    period.add_argument(
        "--to", dest="end", type=_day, help="last day, YYYY-MM-DD, included (with --from)"
    )
    report.add_argument(
        "--site",
        action="append",
        help="a site, e.g. gent (repeat, or gent,evere); default: every site",
    )
    report.add_argument("--format", choices=("csv", "pdf"), required=True, help="csv or pdf (A4)")
    report.add_argument(
        "--out", required=True, help="the file to write, e.g. report.pdf ('-': CSV on stdout)"
    )
    report.add_argument(
        "--min-count",
        type=int,
        default=5,
        help="counts from 1 to N-1 show as <N; a whole number, at least 3 (default 5)",
    )
    report.add_argument(
        "--lang",
        help="language of the words: nl, fr or en (PDF default: the system's language; "
        "a CSV with --lang gets a fifth column, label, with the items in words)",
    )
    report.set_defaults(func=cmd_report)

    buddies = sub.add_parser(
        "buddies",
        help="buddy hours for the coordinator (CSV); forget a buddy",
        description="Buddies' names are kept only for the coordinator's hours (volunteers get "
        "a compensation for their permanences); they are never in a funder report. "
        "'forget' removes a buddy.",
    )
    buddies_sub = buddies.add_subparsers(dest="buddies_command", required=True)
    hours = buddies_sub.add_parser(
        "hours",
        help="per buddy and month: hours on duty, shifts, calls claimed and resolved (CSV)",
        description="One CSV row per month, site and buddy: month (YYYY-MM, local), site, "
        "buddy, hours (on duty, 2 decimals), shifts (begun that month), open_shifts (no "
        "check-out yet: counted until now, 12 hours at most), calls_claimed, calls_resolved.",
    )
    hours.add_argument("--config", help="TOML with [database] url and [fleet] timezone")
    hours.add_argument("--db", help="sqlite:///path (default) or postgresql+psycopg://…")
    hours.add_argument(
        "--from", dest="start", type=_day, required=True, help="first day, YYYY-MM-DD (local)"
    )
    hours.add_argument(
        "--to", dest="end", type=_day, required=True, help="last day, YYYY-MM-DD (included)"
    )
    hours.add_argument("--site", help="one site, e.g. gent (default: every site)")
    hours.add_argument(
        "--out", required=True, help="the CSV file to write, or '-' for standard output"
    )
    hours.set_defaults(func=cmd_buddies_hours)
    forget = buddies_sub.add_parser(
        "forget",
        help="delete a buddy's shifts and blank their name on help calls (counts stay)",
        description="Deletes every shift of NAME and blanks NAME on the help calls they "
        "claimed; the calls, waits and outcomes stay counted. Says how many rows changed; "
        "exit 1 when nothing matched.",
    )
    forget.add_argument("name", metavar="NAME", help="the buddy's name, exactly as stored")
    forget.add_argument("--config", help="TOML with [database] url")
    forget.add_argument("--db", help="sqlite:///path (default) or postgresql+psycopg://…")
    forget.add_argument("--site", help="only at this site, e.g. gent (default: every site)")
    forget.set_defaults(func=cmd_buddies_forget)

    demo = sub.add_parser("demo-data", help="fill a database with a realistic demo dataset")
    demo.add_argument("--config")
    demo.add_argument("--db")
    demo.add_argument("--sites", type=int, required=True)
    demo.add_argument("--kiosks-per-site", type=int, required=True)
    demo.add_argument("--days", type=int, required=True)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--sessions-per-kiosk-day", type=float, default=8.6)
    demo.set_defaults(func=cmd_demo_data)

    provision_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s admin-console %(levelname)s %(message)s",
    )
    logging.getLogger("admin_console.paho").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except (ConfigError, DatabaseError) as err:
        print(f"admin-console: {err}", file=sys.stderr)
        return 2
    except Exception as err:
        from admin_console.links.embedded_broker import BrokerStartError

        if isinstance(err, BrokerStartError):
            print(f"admin-console: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
