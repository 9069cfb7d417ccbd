"""Remote commands from the admin console, without Qt: targets, publishing, acks and the audit log.

A command to a site or to all kiosks is one publish per kiosk topic, each with its own command
id (docs/protocol.md), so that every kiosk's answer can be told apart; ``batch`` ties them together.
Every command is written to ``command_audit`` with who sent it, and its ack when it comes.
:class:`AdminLink` is the console's MQTT connection: retained statuses, help calls and replies,
command acks and the site brokers' bridge states (``bridges/+/state``) in; commands and help
replies out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin_console.links.console import ConsoleLink
from admin_console.store.orm import CommandAuditRow
from kiosk.wire.broker import BrokerSettings
from kiosk.wire.protocol import (
    Channel,
    CommandAck,
    HelpChange,
    Rejected,
    Status,
    Topic,
    bridge_payload,
    bridge_site,
    bridge_state_topic,
    decode_ack,
    decode_help,
    decode_status,
    encode_command,
    format_ts,
    new_id,
    pc_label,
    topic_filter,
    utc_now,
)

SENDABLE = ("announce", "end_session", "lock", "unlock", "reload_content", "set_label")
ACK_TIMEOUT = timedelta(seconds=60)
ANNOUNCE_LANGS = ("nl", "fr", "en")


class CommandError(ValueError):
    """A command that cannot be sent as asked; the message says why (in English, for logs and
    the command line), ``reason`` names the case for screens that say it in their language:
    ``not_sendable``, ``no_text``, ``too_long``, ``no_kiosk`` (``target`` says for what),
    ``bad_label``, ``one_kiosk``."""

    def __init__(self, message: str, reason: str = "", target: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.target = target


@dataclass(frozen=True)
class Target:
    """One kiosk (site and machine), one site (site only) or every kiosk (neither)."""

    site: str | None = None
    machine: str | None = None

    def describe(self) -> str:
        if self.site is None:
            return "all kiosks"
        return f"{self.site}/{self.machine}" if self.machine else f"site {self.site}"

    def kiosks(self, known: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        if self.site is not None and self.machine is not None:
            return [(self.site, self.machine)]
        return sorted({k for k in known if self.site is None or k[0] == self.site})


def command_args(
    cmd: str,
    texts: Mapping[str, str] | None = None,
    hours: float = 0,
    label: str = "",
    target: Target | None = None,
) -> dict[str, Any]:
    """Arguments for ``cmd``: an announcement needs a text in at least one language; a PC's
    label (``set_label``) is for one PC, 1 to 60 printable characters, or empty to remove it."""
    if cmd not in SENDABLE:
        raise CommandError(f"{cmd!r} is not a command the console sends", "not_sendable")
    if cmd == "set_label":
        if target is not None and (target.site is None or target.machine is None):
            raise CommandError("a label names one PC: choose one kiosk", "one_kiosk")
        if not label.strip():
            return {"label": None}
        try:
            return {"label": pc_label(label)}
        except Rejected:
            raise CommandError("a label is 1 to 60 printable characters", "bad_label") from None
    if cmd != "announce":
        return {}
    text = {lang: value.strip() for lang, value in (texts or {}).items() if value.strip()}
    if not text:
        raise CommandError("an announcement needs a text in at least one language", "no_text")
    if any(len(value) > 500 for value in text.values()):
        raise CommandError("an announcement may be at most 500 characters", "too_long")
    args: dict[str, Any] = {"text": text}
    if hours > 0:
        args["until"] = format_ts(utc_now() + timedelta(hours=hours))
    return args


class Outcome(StrEnum):
    """What became of a command sent to one kiosk."""

    WAITING = "waiting"  # sent, no answer yet
    DONE = "done"  # the kiosk did it
    REFUSED = "refused"  # the kiosk answered no (``SentCommand.error`` says why)
    NO_ANSWER = "no answer"  # no answer within ACK_TIMEOUT (off, or not connected)


@dataclass(frozen=True)
class SentCommand:
    id: str
    batch: str
    sent: datetime  # aware UTC
    admin: str
    cmd: str
    target: str
    site: str
    machine: str
    args: dict[str, Any]
    acked: datetime | None = None
    ok: bool | None = None
    error: str | None = None
    reason: str | None = None  # why the kiosk refused (protocol.REFUSAL_REASONS), if it said

    def outcome(self, now: datetime | None = None) -> Outcome:
        if self.ok is True:
            return Outcome.DONE
        if self.ok is False:
            return Outcome.REFUSED
        if (now or utc_now()) - self.sent > ACK_TIMEOUT:
            return Outcome.NO_ANSWER
        return Outcome.WAITING


class CommandTracker:
    """Builds one message per kiosk and follows their acks (the GUI's list of sent commands)."""

    def __init__(self, admin: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.admin = admin[:64] or "admin"
        self._clock = clock
        self._sent: dict[str, SentCommand] = {}

    def prepare(
        self, cmd: str, args: dict[str, Any], target: Target, known: Iterable[tuple[str, str]]
    ) -> list[tuple[str, bytes, SentCommand]]:
        """(topic, payload, record) for every kiosk of the target; CommandError if none."""
        kiosks = target.kiosks(known)
        if not kiosks:
            where = target.describe()
            raise CommandError(f"no known kiosk for {where}", "no_kiosk", where)
        batch, now = new_id(), self._clock()
        out = []
        for site, machine in kiosks:
            command_id = new_id()
            payload = encode_command(cmd, args, command_id)
            record = SentCommand(
                command_id, batch, now, self.admin, cmd, target.describe(), site, machine, args
            )
            out.append((str(Topic(site, machine, Channel.CMD)), payload, record))
        return out

    def record(self, command: SentCommand) -> None:
        self._sent[command.id] = command

    def apply_ack(self, site: str, machine: str, ack: CommandAck) -> SentCommand | None:
        """The command this ack answers, updated; None for another console's command."""
        command = self._sent.get(ack.id)
        if command is None or (command.site, command.machine) != (site, machine):
            return None
        command = replace(command, acked=ack.ts, ok=ack.ok, error=ack.error, reason=ack.reason)
        self._sent[ack.id] = command
        return command

    def recent(self, limit: int = 200) -> list[SentCommand]:
        return sorted(self._sent.values(), key=lambda c: (c.sent, c.site, c.machine))[::-1][:limit]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class CommandAudit:
    """The ``command_audit`` table: who sent what to which kiosk, when, and the answer."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record_sent(self, commands: Sequence[SentCommand]) -> None:
        with Session(self._engine) as session, session.begin():
            for c in commands:
                session.add(
                    CommandAuditRow(
                        id=c.id,
                        batch=c.batch,
                        sent=_naive(c.sent),
                        admin=c.admin,
                        cmd=c.cmd,
                        target=c.target[:80],
                        site=c.site,
                        machine=c.machine,
                        args=c.args,
                    )
                )

    def record_ack(self, ack: CommandAck) -> bool:
        """Store the first answer to a command; True when the command is in the log."""
        with Session(self._engine) as session, session.begin():
            done = session.execute(
                update(CommandAuditRow)
                .where(CommandAuditRow.id == ack.id, CommandAuditRow.acked.is_(None))
                .values(
                    acked=_naive(ack.ts), ok=ack.ok, error=(ack.error or None), reason=ack.reason
                )
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def history(self, limit: int = 200) -> list[SentCommand]:
        with Session(self._engine) as session:
            rows = session.execute(
                select(CommandAuditRow).order_by(CommandAuditRow.sent.desc()).limit(limit)
            ).scalars()

            def aware(moment: datetime | None) -> datetime | None:
                return None if moment is None else moment.replace(tzinfo=UTC)

            return [
                SentCommand(
                    r.id,
                    r.batch,
                    r.sent.replace(tzinfo=UTC),
                    r.admin,
                    r.cmd,
                    r.target,
                    r.site,
                    r.machine,
                    dict(r.args or {}),
                    aware(r.acked),
                    r.ok,
                    r.error,
                    r.reason,
                )
                for r in rows
            ]


# --- the console's MQTT connection --------------------------------------------------------------


@dataclass(frozen=True)
class AdminCallbacks:
    """Called on paho's thread; the GUI carries them into its own thread."""

    status: Callable[[str, str, Status, bool], None]  # site, machine, status, retained
    help_change: Callable[[str, str, HelpChange], None]
    ack: Callable[[str, str, CommandAck], None]
    connection: Callable[[bool], None]
    # site, payload ("1" up, "0" down), retained: a site broker's bridge to the centre
    bridge: Callable[[str, bytes, bool], None] = lambda _site, _payload, _retained: None


class AdminLink(ConsoleLink):
    def __init__(self, settings: BrokerSettings, callbacks: AdminCallbacks) -> None:
        super().__init__(
            settings,
            "admin",
            "admin console",
            [
                topic_filter(Channel.STATUS),
                topic_filter(Channel.CMD_ACK),
                topic_filter(Channel.HELP),
                topic_filter(Channel.HELP_REPLY),
                bridge_state_topic("+"),
            ],
            callbacks.connection,
            max_inflight=100,
        )
        self._callbacks = callbacks

    def publish_command(self, topic: str, payload: bytes) -> bool:
        """Queue a command at QoS 1 (paho resends it after a reconnect); False if refused."""
        info = self._client.publish(topic, payload, qos=1)
        return info.rc == mqtt.MQTT_ERR_SUCCESS or info.rc == mqtt.MQTT_ERR_NO_CONN

    # Claim or resolve a call (with its outcome and topics), as a buddy desk does: the help
    # desk tab's ``Reply``.
    reply_help = ConsoleLink.publish_help_reply

    def handle_outside(self, topic: str, message: mqtt.MQTTMessage) -> None:
        site = bridge_site(topic)
        self._callbacks.bridge(site, bridge_payload(message.payload), bool(message.retain))

    def handle(self, topic: Topic, message: mqtt.MQTTMessage) -> None:
        if topic.channel is Channel.STATUS:
            status = decode_status(message.payload)
            self._callbacks.status(topic.site, topic.machine, status, bool(message.retain))
        elif topic.channel is Channel.CMD_ACK:
            self._callbacks.ack(topic.site, topic.machine, decode_ack(message.payload))
        elif topic.channel in (Channel.HELP, Channel.HELP_REPLY):
            change = decode_help(topic.channel, message.payload)
            self._callbacks.help_change(topic.site, topic.machine, change)
