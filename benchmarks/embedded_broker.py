"""What the embedded broker (amqtt) holds, next to Mosquitto with the project's dev config.

QoS 1 messages from one paho publisher to one paho subscriber, same machine, same run; plus the
features the suite relies on. Usage: python benchmarks/embedded_broker.py [--messages N] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from admin_console.links.embedded_broker import EmbeddedBroker
from tests.harness import Mosquitto, free_port


def client(port: int, client_id: str = "", clean: bool = True) -> mqtt.Client:
    c = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean,
        protocol=mqtt.MQTTv311,
    )
    c.max_inflight_messages_set(100)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def throughput(port: int, messages: int) -> float:
    got = threading.Event()
    count = [0]

    def on_message(_c: mqtt.Client, _u: object, _m: mqtt.MQTTMessage) -> None:
        count[0] += 1
        if count[0] == messages:
            got.set()

    subscribed = threading.Event()
    sub = client(port)
    sub.on_message = on_message
    sub.on_subscribe = lambda *_: subscribed.set()
    sub.subscribe("bench/x", 1)
    subscribed.wait(10)
    pub = client(port)
    payload = b"x" * 200
    start = time.perf_counter()
    infos = []
    for _ in range(messages):
        infos.append(pub.publish("bench/x", payload, qos=1))
        if len(infos) >= 100:  # a bounded window, as the kiosk does
            infos.pop(0).wait_for_publish(30)
    got.wait(120)
    elapsed = time.perf_counter() - start
    for c in (pub, sub):
        c.disconnect()
        c.loop_stop()
    return count[0] / elapsed


def wait(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def features(port: int) -> dict[str, bool]:
    result: dict[str, bool] = {}
    pub = client(port)
    pub.publish("feat/retained", b"r", qos=1, retain=True).wait_for_publish(5)
    got: list[str] = []
    sub = client(port)
    sub.on_message = lambda _c, _u, m: got.append(m.topic)
    sub.subscribe([("feat/retained", 1), ("$share/g/feat/shared", 1), ("feat/will", 1)])
    time.sleep(0.5)
    result["retained messages"] = wait(lambda: "feat/retained" in got)
    pub.publish("feat/shared", b"s", qos=1).wait_for_publish(5)
    result["shared subscriptions ($share)"] = wait(lambda: "feat/shared" in got)
    dying = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    dying.will_set("feat/will", b"offline", qos=1)
    dying.connect("127.0.0.1", port)
    dying.loop(0.2)
    dying.socket().close()  # no DISCONNECT: the will must fire  # type: ignore[union-attr]
    result["will on a dropped connection"] = wait(lambda: "feat/will" in got, 10)
    # A persistent session keeps QoS 1 messages while its client is away.
    away = client(port, "persistent-1", clean=False)
    away.subscribe("feat/queued", 1)
    time.sleep(0.3)
    away.disconnect()
    away.loop_stop()
    pub.publish("feat/queued", b"q", qos=1).wait_for_publish(5)
    queued: list[str] = []
    back = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id="persistent-1",
        clean_session=False,
        protocol=mqtt.MQTTv311,
    )
    back.on_message = lambda _c, _u, m: queued.append(m.topic)
    back.connect("127.0.0.1", port)
    back.loop_start()
    result["messages queued for a persistent session"] = wait(lambda: bool(queued))
    for c in (pub, sub, back):
        c.disconnect()
        c.loop_stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    embedded = EmbeddedBroker(port=free_port())
    embedded.start()
    folder = Path(tempfile.mkdtemp())
    mosquitto = Mosquitto(free_port(), folder)
    mosquitto.start()
    rates: dict[str, list[float]] = {"mosquitto (dev config)": [], "amqtt (embedded)": []}
    for _ in range(args.runs):  # interleaved, so that machine load hits both alike
        rates["mosquitto (dev config)"].append(throughput(mosquitto.port, args.messages))
        rates["amqtt (embedded)"].append(throughput(embedded.port, args.messages))
    floor = statistics.median(rates["mosquitto (dev config)"])
    print(f"QoS 1, {args.messages} messages of 200 bytes, median of {args.runs} runs")
    print("| broker | msg/s (median) | runs | ratio to mosquitto |")
    print("|---|---|---|---|")
    for name, values in rates.items():
        med = statistics.median(values)
        runs = ", ".join(f"{v:,.0f}" for v in values)
        print(f"| {name} | {med:,.0f} | {runs} | {med / floor:.2f} |")
    print()
    print("| feature | mosquitto | amqtt |")
    print("|---|---|---|")
    ours, theirs = features(mosquitto.port), features(embedded.port)
    for name in ours:
        print(f"| {name} | {'yes' if ours[name] else 'no'} | {'yes' if theirs[name] else 'no'} |")
    mosquitto.stop()
    embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
