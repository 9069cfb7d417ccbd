"""A small asyncio MQTT 3.1.1 client for the fleet simulator: one socket per simulated kiosk.

Only what a kiosk does: CONNECT with a will, SUBSCRIBE, PUBLISH at QoS 0/1 (an awaitable that
resolves on PUBACK), receiving PUBLISH (QoS 1 is acknowledged), PINGREQ and DISCONNECT. It is an
``asyncio.Protocol`` with no thread and no per-connection task, so thousands of connections fit
in one process (benchmarks/mqtt_client_choice.py compares it with aiomqtt and gmqtt).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 12, 13, 14
PING = bytes([PINGREQ << 4, 0])
BYE = bytes([DISCONNECT << 4, 0])


class MqttError(RuntimeError):
    pass


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _text(value: str | bytes) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return struct.pack("!H", len(data)) + data


def packet(kind: int, flags: int, body: bytes) -> bytes:
    return bytes([(kind << 4) | flags]) + _length(len(body)) + body


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool


class MqttConnection(asyncio.Protocol):
    """One MQTT connection. Use :func:`connect` to make one."""

    def __init__(self, on_message: Callable[[Message], None] | None = None) -> None:
        self.transport: asyncio.Transport | None = None
        self.on_message = on_message
        self.on_lost: Callable[[MqttConnection], None] | None = None
        self._buffer = bytearray()
        self._connack: asyncio.Future[tuple[bool, int]] | None = None
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._next_id = 0
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.last_sent = time.monotonic()
        self.sent_packets = 0
        self.received_packets = 0

    # --- asyncio.Protocol -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        error = MqttError(f"connection lost: {exc}" if exc else "connection closed")
        if self._connack is not None and not self._connack.done():
            self._connack.set_exception(error)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        self._waiting.clear()
        if not self.closed.done():
            self.closed.set_result(None)
        if self.on_lost is not None:
            self.on_lost(self)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            if len(buffer) < 2:
                return
            multiplier, length, pos = 1, 0, 1
            while True:
                if pos >= len(buffer):
                    return
                byte = buffer[pos]
                length += (byte & 0x7F) * multiplier
                multiplier *= 128
                pos += 1
                if not byte & 0x80:
                    break
            end = pos + length
            if len(buffer) < end:
                return
            first = buffer[0]
            body = bytes(buffer[pos:end])
            del buffer[:end]
            self.received_packets += 1
            self._handle(first >> 4, first & 0x0F, body)

    # --- packets in -----------------------------------------------------------------------------

    def _handle(self, kind: int, flags: int, body: bytes) -> None:
        if kind in (PUBACK, SUBACK):
            (packet_id,) = struct.unpack_from("!H", body)
            future = self._waiting.pop(packet_id, None)
            if future is not None and not future.done():
                if kind == SUBACK and 0x80 in body[2:]:
                    future.set_exception(MqttError("subscription refused"))
                else:
                    future.set_result(None)
        elif kind == PUBLISH:
            qos = (flags >> 1) & 0x03
            (topic_len,) = struct.unpack_from("!H", body)
            topic = body[2 : 2 + topic_len].decode("utf-8")
            pos = 2 + topic_len
            if qos:
                (packet_id,) = struct.unpack_from("!H", body, pos)
                pos += 2
                self._send(packet(PUBACK, 0, struct.pack("!H", packet_id)))
            if self.on_message is not None:
                self.on_message(Message(topic, body[pos:], qos, bool(flags & 1)))
        elif kind == CONNACK:
            if self._connack is not None and not self._connack.done():
                self._connack.set_result((bool(body[0] & 1), body[1]))
        elif kind == PINGRESP:
            pass

    # --- packets out ----------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise MqttError("not connected")
        self.transport.write(data)
        self.last_sent = time.monotonic()
        self.sent_packets += 1

    def _packet_id(self) -> int:
        for _ in range(65535):
            self._next_id = self._next_id % 65535 + 1
            if self._next_id not in self._waiting:
                return self._next_id
        raise MqttError("65,535 messages in flight")

    async def handshake(
        self, client_id: str, keepalive: int, clean_session: bool, will: Will | None
    ) -> bool:
        flags = 0x02 if clean_session else 0
        payload = _text(client_id)
        if will is not None:
            flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
            payload += _text(will.topic) + _text(will.payload)
        header = _text("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
        self._connack = asyncio.get_running_loop().create_future()
        self._send(packet(CONNECT, 0, header + payload))
        session_present, code = await self._connack
        if code != 0:
            raise MqttError(f"broker refused the connection (code {code})")
        return session_present

    def publish(
        self, topic: str, payload: bytes, qos: int = 1, retain: bool = False
    ) -> asyncio.Future[None]:
        """Send a message; the future resolves on PUBACK (at once for QoS 0)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        head = _text(topic)
        if qos:
            packet_id = self._packet_id()
            self._waiting[packet_id] = future
            head += struct.pack("!H", packet_id)
        else:
            future.set_result(None)
        self._send(packet(PUBLISH, (qos << 1) | (1 if retain else 0), head + payload))
        return future

    async def subscribe(self, filters: Iterable[tuple[str, int]]) -> None:
        packet_id = self._packet_id()
        body = struct.pack("!H", packet_id)
        for topic_filter, qos in filters:
            body += _text(topic_filter) + bytes([qos])
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[packet_id] = future
        self._send(packet(SUBSCRIBE, 0x02, body))
        await future

    def ping(self) -> None:
        self._send(PING)

    @property
    def inflight(self) -> int:
        return len(self._waiting)

    @property
    def is_open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def disconnect(self) -> None:
        """A clean goodbye: the broker does not publish the will."""
        if self.is_open:
            self._send(BYE)
            assert self.transport is not None
            self.transport.close()

    def drop(self) -> None:
        """Vanish without DISCONNECT, as a crashed kiosk would: the broker publishes the will."""
        if self.transport is not None:
            self.transport.abort()


async def connect(
    host: str,
    port: int,
    client_id: str,
    *,
    keepalive: int = 30,
    clean_session: bool = True,
    will: Will | None = None,
    on_message: Callable[[Message], None] | None = None,
    timeout: float = 30.0,
) -> MqttConnection:
    loop = asyncio.get_running_loop()
    _transport, protocol = await asyncio.wait_for(
        loop.create_connection(lambda: MqttConnection(on_message), host, port), timeout
    )
    await asyncio.wait_for(protocol.handshake(client_id, keepalive, clean_session, will), timeout)
    return protocol


async def keep_alive(
    connections: Callable[[], Iterable[MqttConnection]], keepalive: int, stop: asyncio.Event
) -> None:
    """One task for all connections: PINGREQ where nothing was sent for 3/4 of the keepalive."""
    idle_after = keepalive * 0.75
    while not stop.is_set():
        now = time.monotonic()
        for connection in list(connections()):
            if connection.is_open and now - connection.last_sent >= idle_after:
                connection.ping()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
