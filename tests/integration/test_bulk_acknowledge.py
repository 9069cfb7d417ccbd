"""``kiosk.wire.broker.acknowledge``: a batch's PUBACKs in one write, read by a real Mosquitto as
the same acknowledgements ``Client.ack`` sends one by one.

The broker resends, when a persistent session comes back, every QoS 1 message it delivered and
did not get a PUBACK for, before anything new. So: 40 messages arrive; the first 25 are
acknowledged with one ``acknowledge`` call, the rest not at all; the subscriber reconnects and
one more message is published. Exactly the 15 unacknowledged ones must come back (with DUP),
then the new one.
"""

from __future__ import annotations

import inspect
import threading

import paho.mqtt.client as mqtt

from kiosk.wire.broker import acknowledge, make_client, parse_broker_url
from tests.conftest import Mosquitto, wait_for

TOPIC = "kiosk/v1/schaerbeek/pc-01/events"


def test_paho_still_has_the_queue_acknowledge_relies_on() -> None:
    # A private method: if a paho release renames or changes it, this fails first (and
    # acknowledge falls back to one ack() each, correct but slower).
    parameters = list(inspect.signature(mqtt.Client._packet_queue).parameters)
    assert parameters[:5] == ["self", "command", "packet", "mid", "qos"]


class _Subscriber:
    def __init__(self, url: str) -> None:
        self.received: list[tuple[bytes, int, bool]] = []  # payload, mid, dup
        self.subscribed = threading.Event()
        self.client = make_client(
            parse_broker_url(url), "bulk-ack-test", clean_session=False, manual_ack=True
        )
        self.client.on_connect = lambda c, *_: c.subscribe(TOPIC, qos=1)
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.received.append(
            (bytes(m.payload), m.mid, bool(m.dup))
        )

    def start(self, port: int) -> None:
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        wait_for(self.subscribed.is_set, what="the subscription")

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _publish(port: int, payloads: list[bytes]) -> None:
    publisher = make_client(parse_broker_url(f"mqtt://127.0.0.1:{port}"), "bulk-ack-pub")
    publisher.connect("127.0.0.1", port)
    publisher.loop_start()
    infos = [publisher.publish(TOPIC, payload, qos=1) for payload in payloads]
    for info in infos:
        info.wait_for_publish(10)
    publisher.disconnect()
    publisher.loop_stop()


def test_one_write_acknowledges_each_message_of_a_batch(mosquitto: Mosquitto) -> None:
    first = _Subscriber(mosquitto.url)
    first.start(mosquitto.port)
    sent = [f"message {i}".encode() for i in range(40)]
    _publish(mosquitto.port, sent)
    wait_for(lambda: len(first.received) == 40, what="40 messages")
    assert [payload for payload, _, _ in first.received] == sent
    acknowledge(first.client, [mid for _, mid, _ in first.received[:25]])
    # The PUBACKs are written before DISCONNECT: both go through the same queue, in order.
    first.stop()

    again = _Subscriber(mosquitto.url)
    again.start(mosquitto.port)
    _publish(mosquitto.port, [b"after"])
    wait_for(lambda: any(p == b"after" for p, _, _ in again.received), what="the new message")
    payloads = [payload for payload, _, _ in again.received]
    assert payloads == [*sent[25:], b"after"]
    assert all(dup for _, _, dup in again.received[:-1])
    acknowledge(again.client, [mid for _, mid, _ in again.received])
    again.stop()
