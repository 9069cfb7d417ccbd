"""``admin-console``: the aggregator, the buddy desk and usage figures."""

from __future__ import annotations

import argparse
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


def _database_url(args: argparse.Namespace) -> str:
    return str(args.db or _tables(args).database.url or default_database_url())


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

    tables = _tables(args)
    options = QueueServiceOptions(
        client_id=f"{client_id}-queue", timezone=tables.fleet.timezone, expiry=expiry
    )
    return QueueService(settings, policies_from_config(tables.sites), options)


def cmd_stats(args: argparse.Namespace) -> int:
    from admin_console.read.stats import collect_stats

    engine = open_database(_database_url(args), create=False)
    stats = collect_stats(engine)
    if args.json:
        print(json.dumps(stats, sort_keys=True))
        return 0
    print(f"events stored: {stats['events_total']}   rejected: {stats['rejected_total']}")
    for reason, count in stats["rejected"].items():
        print(f"  rejected {reason}: {count}")
    for site, entry in stats["sites"].items():
        wait = entry["help_median_wait_s"]
        print(
            f"{site}: {entry['sessions']} sessions, help {entry['help']}, median wait "
            + ("-" if wait is None else f"{wait:.0f} s")
        )
    return 0


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


def cmd_report(args: argparse.Namespace) -> int:
    from admin_console.read.reports import ReportError, build_report, check_min_count, write_csv
    from admin_console.read.usage import Period

    if args.start > args.end:
        raise ConfigError(f"--from {args.start} is after --to {args.end}")
    try:
        check_min_count(args.min_count)
    except ReportError as err:
        raise ConfigError(str(err)) from None
    sites = sorted({s for value in args.site or [] for s in value.split(",") if s})
    for site in sites:
        if not NAME_RE.match(site):
            raise ConfigError(f"site {site!r} is not valid: 1-32 lower-case letters, digits or '-'")
    engine = open_database(_database_url(args), create=False)
    report = build_report(engine, Period(args.start, args.end), sites, args.min_count)
    engine.dispose()
    if args.format == "csv":
        if args.out == "-":
            write_csv(report, sys.stdout)
        else:
            with Path(args.out).open("w", encoding="utf-8", newline="") as handle:
                write_csv(report, handle)
    else:
        if args.out == "-":
            raise ConfigError("a PDF needs a file: --out FILE")
        from admin_console.read.reports import report_html
        from admin_console.ui.pdf import write_pdf

        write_pdf(report_html(report, lang=_report_language(args.lang)), Path(args.out))
    if report.empty:
        print(f"admin-console: no data for {args.start} to {args.end}", file=sys.stderr)
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

    stats = sub.add_parser("stats", help="totals per site")
    stats.add_argument("--config")
    stats.add_argument("--db")
    stats.add_argument("--json", action="store_true")
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

    report = sub.add_parser("report", help="usage report for funders (CSV or PDF)")
    report.add_argument("--config")
    report.add_argument("--db")
    report.add_argument("--from", dest="start", type=_day, required=True, help="first day")
    report.add_argument("--to", dest="end", type=_day, required=True, help="last day")
    report.add_argument("--site", action="append", help="a site (repeat, or a,b); default all")
    report.add_argument("--format", choices=("csv", "pdf"), required=True)
    report.add_argument("--out", required=True, help="file to write ('-': CSV on stdout)")
    report.add_argument(
        "--min-count",
        type=int,
        default=5,
        help="counts below this show as <N (never below 3)",
    )
    report.add_argument(
        "--lang", help="language of the PDF: nl, fr or en (default: the system's language)"
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
