"""How every part reaches the broker: URLs, credentials, TLS and a configured paho client."""

from __future__ import annotations

import logging
import random
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kiosk.wire.config import ConfigError, ConfigFile, check, load_toml
from kiosk.wire.config_schema import BrokerTable

if TYPE_CHECKING:  # paho (and ssl) load when a client is made: the kiosk shows its screen first
    import paho.mqtt.client as mqtt

_log = logging.getLogger("suite.broker")


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    def __repr__(self) -> str:  # never print the password
        return f"BrokerSettings({self.url}, user={self.username!r})"


def parse_broker_url(url: str) -> BrokerSettings:
    """``mqtt://host:port`` (plain, loopback and development) or ``mqtts://host:port`` (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ConfigError(f"broker URL {url!r} must start with mqtt:// or mqtts://")
    if not parts.hostname:
        raise ConfigError(f"broker URL {url!r} has no host")
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError:
        raise ConfigError(f"broker URL {url!r} has an invalid port") from None
    return BrokerSettings(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "mqtts",
        username=parts.username,
        password=parts.password,
    )


__all__ = [
    "BrokerSettings",
    "ConfigError",
    "Will",
    "acknowledge",
    "broker_from_config",
    "broker_from_file",
    "load_toml",
    "make_client",
    "parse_broker_url",
]


def broker_from_config(config: dict[str, Any], config_path: Path | None) -> BrokerSettings | None:
    """The ``[broker]`` table of a client config (as ``load_toml`` reads it): url, username,
    password, ca_file, checked against the schema (kiosk.wire.config_schema.BrokerTable)."""
    table = config.get("broker")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"config {config_path}: [broker] must be a table with a url")
    checked = check(table, BrokerTable, config_path, prefix=("broker",))
    return broker_settings(checked, config_path, lambda _key: f"config {config_path}")


def broker_from_file(file: ConfigFile[Any]) -> BrokerSettings | None:
    """The ``[broker]`` table of a config read by ``kiosk.wire.config.read_config``."""
    table = getattr(file.value, "broker", None)
    if table is None:
        return None
    return broker_settings(table, file.path, lambda key: file.where("broker", key))


def broker_settings(
    table: BrokerTable, config_path: Path | None, where: Callable[[str], str]
) -> BrokerSettings:
    """The settings of a checked ``[broker]`` table; ``where(key)`` names the line of a key.
    A relative ca_file is relative to the config file."""
    try:
        settings = parse_broker_url(table.url)
    except ConfigError as err:
        raise ConfigError(f"{where('url')}: [broker] url: {err}") from None
    ca_path: Path | None = None
    if table.ca_file is not None:
        ca_path = Path(table.ca_file)
        if not ca_path.is_absolute() and config_path is not None:
            ca_path = config_path.parent / ca_path
        # Checked here, where the message can name the config; otherwise ssl fails much later
        # with a bare FileNotFoundError (typically: a client file copied without its ca.crt).
        if not ca_path.is_file():
            raise ConfigError(f"{where('ca_file')}: [broker] ca_file {ca_path} not found")
    return BrokerSettings(
        host=settings.host,
        port=settings.port,
        tls=settings.tls,
        username=table.username if table.username is not None else settings.username,
        password=table.password if table.password is not None else settings.password,
        ca_file=ca_path,
    )


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


class _QuietWhileAway(logging.Filter):
    """paho logs "Client is not connected. Socket: None). Last known Connection State: …" as an
    error at every turn of its loop while it redials: raw text, and said better by our own
    "cannot reach the broker at …; retrying" (found when a coordinator stopped the centre)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Client is not connected.")


def make_client(
    settings: BrokerSettings,
    client_id: str,
    *,
    clean_session: bool = True,
    manual_ack: bool = False,
    will: Will | None = None,
    logger: logging.Logger | None = None,
    max_inflight: int = 20,
) -> mqtt.Client:
    """A paho client (MQTT 3.1.1, callback API v2) set up from the settings, not yet connected."""
    import ssl

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        protocol=mqtt.MQTTv311,
        manual_ack=manual_ack,
    )
    if logger is not None:
        if not any(isinstance(f, _QuietWhileAway) for f in logger.filters):
            logger.addFilter(_QuietWhileAway())
        client.enable_logger(logger)
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )
        client.tls_set_context(context)
    if will is not None:
        client.will_set(will.topic, will.payload, qos=will.qos, retain=will.retain)
    client.max_inflight_messages_set(max_inflight)
    # Jitter: after a broker restart, hundreds of kiosks must not all knock at the same second.
    jitter = random.random()
    client.reconnect_delay_set(min_delay=1 + round(2 * jitter), max_delay=30 + round(15 * jitter))
    client.on_connect_fail = lambda _c, _u: _log.warning(
        "cannot reach the broker at %s; retrying (every 30 s at most)", settings.url
    )
    return client


_PUBACK = 0x40  # MQTT 3.1.1 control packet type 4, flags 0
_PUBACK_PACKET = struct.Struct("!BBH")  # type, remaining length 2, packet id


def acknowledge(client: mqtt.Client, mids: Sequence[int]) -> None:
    """Acknowledge QoS 1 messages received with ``manual_ack``: their PUBACKs, in order, in one
    write.

    ``Client.ack`` queues each PUBACK as a packet of its own, and each wakes paho's network
    thread and costs a ``send``: about 15 µs a message, a third of what receiving costs the
    aggregator (BENCHMARKS.md). Here the PUBACKs of a committed batch go as one buffer, through
    the queue ``ack`` itself uses (paho's private ``_packet_queue``, whose presence and
    signature tests/unit/test_broker_settings.py checks against the installed paho); the
    broker reads them as the same packets. Without that queue: one ``ack`` each."""
    if not mids:
        return
    queue = getattr(client, "_packet_queue", None)
    if queue is None:
        for mid in mids:
            client.ack(mid, 1)
        return
    pack = _PUBACK_PACKET.pack
    queue(_PUBACK, b"".join([pack(_PUBACK, 2, mid) for mid in mids]), 0, 0)
