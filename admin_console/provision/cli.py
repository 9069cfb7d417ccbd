"""``admin-console provision …``: the command line over admin_console.provision (no Qt).

Output names files and usernames, never a password: the client files are where those live.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from admin_console.provision import broker_dir as prov

RELOAD_HINT = (
    "the broker applies this when it reloads: systemctl reload mosquitto "
    "(or kill -HUP <mosquitto pid>)"
)


def _days(text: str) -> int:
    days = int(text)
    if not 1 <= days <= 36500:
        raise argparse.ArgumentTypeError("days must be 1-36500")
    return days


def cmd_init(args: argparse.Namespace) -> int:
    result = prov.init(
        Path(args.dir),
        args.host or socket.gethostname(),
        args.port,
        bind=args.bind,
        broker_user=args.broker_user,
        force=args.force,
        server_days=args.days,
    )
    if result.voided:
        print(f"replaced the CA: the {result.voided} earlier credentials no longer work")
    print(f"broker directory: {result.directory}")
    print(f"  CA certificate (give to clients): {result.ca_cert}")
    print(f"  CA key: {result.directory / 'ca.key'} (keep it offline once provisioning is done)")
    print(
        f"  server certificate: valid for {', '.join(result.server_names)} "
        f"until {result.server_expires:%Y-%m-%d}"
    )
    if result.broker_user == "root":
        print("  broker account: root (`user root`; for containers and tests only)")
    elif result.broker_user:
        print(f"  broker account: {result.broker_user} (owns passwd, acl, server.key, data/)")
    print(f"  start the broker: mosquitto -c {result.conf}")
    print(
        f"  at the centre, the aggregator: admin-console serve --config {result.aggregator} "
        "(a room's broker runs none)"
    )
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0


def _issued(kind: str, issued: prov.Issued, usage: str) -> None:
    verb = "re-keyed" if issued.rotated else "added"
    print(f"{verb} {kind} ({issued.username}): {issued.path} (mode 0600, holds the password)")
    print(f"  use: {usage}")
    print(RELOAD_HINT)


def cmd_kiosk(args: argparse.Namespace) -> int:
    issued = prov.add(
        Path(args.dir),
        "kiosk",
        site=args.site,
        name=args.machine,
        rotate=args.rotate,
        ca_path=args.ca_path,
        label=args.label,
    )
    _issued(f"kiosk {args.site}/{args.machine}", issued, f"kiosk --config {issued.path.name}")
    return 0


def cmd_buddy(args: argparse.Namespace) -> int:
    if args.phone:
        return _phone_enrolment(args)
    issued = prov.add(
        Path(args.dir),
        "buddy",
        site=args.site,
        name=args.name,
        rotate=args.rotate,
        ca_path=args.ca_path,
    )
    usage = f"admin-console buddy --config {issued.path.name} --site {args.site}"
    _issued(f"buddy {args.name.strip()!r} of {args.site}", issued, usage)
    return 0


def _phone_enrolment(args: argparse.Namespace) -> int:
    from admin_console.provision import phone

    made = phone.enrol_phone(Path(args.dir), args.site, args.name, args.hours)
    verb = "re-keyed (the earlier phone is cut off)" if made.rotated else "added"
    print(f"{verb} the phone of buddy {args.name.strip()!r} of {args.site} ({made.username})")
    print(f"  one-time enrolment link: {made.link_file} (mode 0600; a secret until used)")
    print(f"  the same as a QR code: {made.qr_file}")
    print(f"  valid once, until {made.expires:%Y-%m-%d %H:%M} UTC (provision revoke --phone)")
    if args.show_qr:
        print(phone.qr_terminal(made.link))
    print(RELOAD_HINT)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from admin_console.provision import phone

    web = phone.configure_web(
        Path(args.dir),
        host=args.host,
        https_port=args.https_port,
        wss_port=args.wss_port,
        cert=Path(args.cert) if args.cert else None,
        key=Path(args.key) if args.key else None,
    )
    which = "the site's own" if web.own_cert else "the private CA's (phones will not trust it)"
    print(f"phone desk: {web.page_url} (page), {web.broker_url} (MQTT over WebSockets)")
    print(f"  certificate: {which}; start the page: python -m admin_console.phone --dir {args.dir}")
    print("  the broker opens the WebSockets listener when it restarts (conf.d/phone-desk.conf)")
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    issued = prov.add(
        Path(args.dir), "admin", name=args.name, rotate=args.rotate, ca_path=args.ca_path
    )
    _issued(f"admin {args.name.strip()!r}", issued, "the admin console, --config with this file")
    return 0


def cmd_bridge(args: argparse.Namespace) -> int:
    issued = prov.add(
        Path(args.dir), "bridge", site=args.site, rotate=args.rotate, ca_path=args.ca_path
    )
    usage = "copy it into the site broker's conf.d (see broker_config/bridge-site.conf)"
    _issued(f"bridge for {args.site}", issued, usage)
    return 0


def cmd_aggregator(args: argparse.Namespace) -> int:
    issued = prov.add(
        Path(args.dir), "aggregator", name=args.name, rotate=args.rotate, ca_path=args.ca_path
    )
    usage = f"admin-console serve --config {issued.path}"
    _issued("aggregator", issued, usage + (" --share-group aggregators" if args.name else ""))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    role, target = next(
        (role, value)
        for role in ("kiosk", "buddy", "phone", "admin", "bridge", "aggregator")
        if (value := getattr(args, role)) is not None
    )
    entry = prov.revoke(Path(args.dir), role, target)
    removed = f"; deleted {entry.config}" if entry.config else ""
    print(f"revoked {entry.describe()} ({entry.username}){removed}")
    print(RELOAD_HINT)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for entry in prov.accounts(Path(args.dir)):
        print(f"{entry.username:<40} {entry.describe():<32} issued {entry.issued}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    conf = prov.refresh(Path(args.dir))
    print(f"rewrote {conf}, passwd and acl from the registry")
    print(RELOAD_HINT)
    return 0


def cmd_server_cert(args: argparse.Namespace) -> int:
    names, expires = prov.renew_server_cert(Path(args.dir), args.days)
    print(f"new server certificate for {', '.join(names)} until {expires:%Y-%m-%d}")
    print(RELOAD_HINT)
    return 0


def _add_common(parser: argparse.ArgumentParser, *, rotate: bool = True) -> None:
    parser.add_argument(
        "--dir", required=True, help="the broker directory (the centre's, or a room's)"
    )
    if rotate:
        parser.add_argument(
            "--rotate", action="store_true", help="replace an existing credential's password"
        )
        parser.add_argument(
            "--ca-path",
            help="ca_file to write into the client file (default: DIR/ca.crt, relative to it)",
        )


def register(subparsers: Any) -> None:
    """Add ``provision`` and its sub-commands to admin-console's sub-command parsers."""
    provision: argparse.ArgumentParser = subparsers.add_parser(
        "provision",
        help="a broker directory (the centre's, or a room's): CA, certificates, credentials, ACL",
        description="Make a Mosquitto directory (the centre's, or a room's) and one credential "
        "per client. "
        "Secrets go into files (mode 0600), never into this command's output.",
    )
    sub = provision.add_subparsers(dest="provision_command", required=True)

    init = sub.add_parser("init", help="CA, server certificate, mosquitto.conf, aggregator")
    _add_common(init, rotate=False)
    init.add_argument("--host", help="name or IP clients dial (default: this machine's name)")
    init.add_argument("--port", type=int, default=prov.DEFAULT_PORT, help="TLS port (8883)")
    init.add_argument("--bind", help="listen on this IP address only (default: all)")
    init.add_argument(
        "--broker-user",
        help="account Mosquitto runs as when started by root (default: mosquitto); "
        "'root' for containers and tests",
    )
    init.add_argument("--days", type=_days, default=prov.SERVER_DAYS, help="server cert")
    init.add_argument("--force", action="store_true", help="replace an existing CA")
    init.set_defaults(func=cmd_init)

    kiosk = sub.add_parser("kiosk", help="a kiosk credential: DIR/kiosks/S/M.toml")
    _add_common(kiosk)
    kiosk.add_argument("--site", required=True)
    kiosk.add_argument("--machine", required=True)
    kiosk.add_argument(
        "--label",
        help='the PC\'s name in the room, shown on the buddy desk, e.g. "PC 3 — bij het raam" '
        "(1-60 characters; [kiosk] label of its file; a re-key keeps it)",
    )
    kiosk.set_defaults(func=cmd_kiosk)

    buddy = sub.add_parser("buddy", help="a buddy credential: DIR/buddies/S/N.toml")
    _add_common(buddy)
    buddy.add_argument("--site", required=True)
    buddy.add_argument("--name", required=True, help='as the buddy is called, e.g. "Sara"')
    buddy.add_argument(
        "--phone",
        action="store_true",
        help="enrol the buddy's phone instead (the phone desk; needs `provision web`): "
        "its own credential and a one-time link and QR code, DIR/phones/S/N.link and .svg",
    )
    buddy.add_argument("--hours", type=int, default=24, help="--phone: the link's lifetime")
    buddy.add_argument("--show-qr", action="store_true", help="--phone: print the QR code")
    buddy.set_defaults(func=cmd_buddy)

    admin = sub.add_parser("admin", help="an admin credential: DIR/admins/N.toml")
    _add_common(admin)
    admin.add_argument("--name", required=True)
    admin.set_defaults(func=cmd_admin)

    bridge = sub.add_parser("bridge", help="a site broker's bridge: DIR/bridges/S.conf")
    _add_common(bridge)
    bridge.add_argument("--site", required=True)
    bridge.set_defaults(func=cmd_bridge)

    aggregator = sub.add_parser(
        "aggregator", help="another aggregator (--name), or re-key one (--rotate)"
    )
    _add_common(aggregator)
    aggregator.add_argument(
        "--name", help="an extra aggregator for a shared group: DIR/aggregators/NAME.toml"
    )
    aggregator.set_defaults(func=cmd_aggregator)

    revoke = sub.add_parser("revoke", help="remove a credential (after the broker reloads)")
    _add_common(revoke, rotate=False)
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--kiosk", metavar="SITE/MACHINE")
    which.add_argument("--buddy", metavar="SITE/NAME")
    which.add_argument("--phone", metavar="SITE/NAME", help="a buddy's phone desk")
    which.add_argument("--admin", metavar="NAME")
    which.add_argument("--bridge", metavar="SITE")
    which.add_argument("--aggregator", metavar="NAME", help="an extra aggregator")
    revoke.set_defaults(func=cmd_revoke)

    web = sub.add_parser(
        "web", help="the phone desk: MQTT over WebSockets (TLS) and the page's address"
    )
    _add_common(web, rotate=False)
    web.add_argument("--host", help="the name phones dial (default: the broker's --host)")
    web.add_argument("--https-port", type=int, default=8443, help="the page (8443)")
    web.add_argument("--wss-port", type=int, default=8884, help="MQTT over WebSockets (8884)")
    web.add_argument("--cert", help="the site's own certificate (PEM, full chain), e.g. ACME's")
    web.add_argument("--key", help="its private key (PEM)")
    web.set_defaults(func=cmd_web)

    listing = sub.add_parser("list", help="the credentials (usernames, never passwords)")
    _add_common(listing, rotate=False)
    listing.set_defaults(func=cmd_list)

    refresh = sub.add_parser("refresh", help="rewrite mosquitto.conf, passwd, acl (moved DIR)")
    _add_common(refresh, rotate=False)
    refresh.set_defaults(func=cmd_refresh)

    server_cert = sub.add_parser("server-cert", help="a new server certificate, same CA")
    _add_common(server_cert, rotate=False)
    server_cert.add_argument("--days", type=_days, default=prov.SERVER_DAYS)
    server_cert.set_defaults(func=cmd_server_cert)
