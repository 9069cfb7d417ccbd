"""``kiosk``: the kiosk shell for a public PC."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from kiosk.model.outbox import OutboxError
from kiosk.settings import load_settings
from kiosk.wire.broker import ConfigError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("--config", help="client config TOML ([broker], [kiosk] site, machine)")
    parser.add_argument("--broker", help="broker URL, mqtt://host:port or mqtts://host:port")
    parser.add_argument("--site", help="site name, e.g. schaerbeek")
    parser.add_argument("--machine", help="machine name, e.g. pc-03")
    parser.add_argument("--data-dir", dest="data_dir", help="folder for the outbox")
    parser.add_argument("--lang", help="language of the start screen (nl, fr, en, …)")
    parser.add_argument("--windowed", action="store_true", help="a normal window (demo, tests)")
    parser.add_argument(
        "--self-test",
        dest="self_test",
        action="store_true",
        help="start, wait for the start screen, print one JSON line and exit",
    )
    parser.add_argument(
        "--hash-pin",
        dest="hash_pin",
        action="store_true",
        help="read a staff PIN (4-12 digits) and print the staff_pin_hash line for the config",
    )
    parser.add_argument("--verbose", action="store_true")
    # The bundled kiosk's speech probe (kiosk.ui.speech): a child process, not for people.
    parser.add_argument(
        "--probe-speech", dest="probe_speech", action="store_true", help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.probe_speech:
        from kiosk.ui.speech import probe_main

        return probe_main()
    if args.hash_pin:
        return print_pin_hash()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s kiosk %(levelname)s %(message)s",
    )
    logging.getLogger("kiosk.paho").setLevel(logging.WARNING)
    try:
        settings = load_settings(vars(args))
    except ConfigError as err:
        print(f"kiosk: {err}", file=sys.stderr)
        return 2
    if args.self_test and "QT_QPA_PLATFORM" not in os.environ and "DISPLAY" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from kiosk.ui.app import run  # Qt loads only once the settings are known to be good

    try:
        return run(settings, windowed=args.windowed, self_test=args.self_test)
    except OutboxError as err:
        print(f"kiosk: {err}", file=sys.stderr)
        return 2


def print_pin_hash() -> int:
    """``kiosk --hash-pin``: the PIN never appears on screen or in the config, only its hash."""
    import getpass

    from kiosk.model.staff_exit import hash_pin

    pin = getpass.getpass("Staff PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        print(f'staff_pin_hash = "{hash_pin(pin)}"')
    except ValueError as err:
        print(f"kiosk: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
