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
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("aggregator storing into %s", engine.url.render_as_string(hide_password=True))
    engine.dispose()
    code = 0
    try:
        aggregator.run(stop)
    except StorerDied as err:
        log.error("%s; stopping (nothing it had not stored was acknowledged)", err)
        code = 1
    finally:
        if broker is not None:
            broker.stop()
    log.info("aggregator stopped: %s", dict(aggregator.totals))
    return code


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

    return run_buddy_desk(_broker(args), site, args.name or buddy.name or "", lang)


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
