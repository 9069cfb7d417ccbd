"""The floor of the aggregator: a bare paho subscriber (QoS 1) that only counts what arrives.

Same topic filters as ``admin-console serve``, same MQTT 3.1.1 client, paho's automatic
acknowledgement. Prints ``subscribed`` once subscribed, and a JSON line
``{"count", "events", "first", "last", "cpu"}`` (wall-clock seconds; CPU seconds
of this process from the first message on) when ``--expect`` messages
arrived or, with ``--count-only``, when it is told to stop (SIGTERM).

    python benchmarks/bare_subscriber.py --port P --count-only
    python benchmarks/bare_subscriber.py --port P --client-id bare --persistent --setup
    python benchmarks/bare_subscriber.py --port P --client-id bare --persistent --expect 20000
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

FILTERS = [
    ("kiosk/v1/+/+/events", 1),
    ("kiosk/v1/+/+/status", 1),
    ("kiosk/v1/+/+/help", 1),
    ("kiosk/v1/+/+/help/reply", 1),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", default="")
    parser.add_argument("--persistent", action="store_true", help="clean session off")
    parser.add_argument("--setup", action="store_true", help="subscribe, then leave at once")
    parser.add_argument("--expect", type=int, default=0, help="stop after this many messages")
    parser.add_argument("--count-events", action="store_true", help="count events in batches")
    parser.add_argument("--expect-events", type=int, default=0, help="stop after this many events")
    parser.add_argument("--count-only", action="store_true", help="count until SIGTERM")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()

    done = threading.Event()
    subscribed = threading.Event()
    state = {"count": 0, "events": 0, "first": 0.0, "last": 0.0, "cpu": 0.0}

    def on_connect(client: mqtt.Client, *_: object) -> None:
        client.subscribe(FILTERS)

    def on_subscribe(*_: object) -> None:
        subscribed.set()

    def on_message(_c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        now = time.time()
        if not state["count"]:
            state["first"] = now
            state["cpu"] = time.process_time()  # CPU seconds from the first message on
        state["count"] += 1
        state["last"] = now
        if (args.count_events or args.expect_events) and message.topic.endswith("/events"):
            state["events"] += message.payload.count(b'"id":')
        if args.expect and state["count"] >= args.expect:
            done.set()
        if args.expect_events and state["events"] >= args.expect_events:
            done.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=args.client_id,
        clean_session=not args.persistent,
        protocol=mqtt.MQTTv311,
    )
    client.max_inflight_messages_set(1000)
    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    client.connect("127.0.0.1", args.port, keepalive=60)
    client.loop_start()
    if not subscribed.wait(30):
        print("not subscribed", flush=True)
        return 1
    print("subscribed", flush=True)
    if not args.setup:
        done.wait(args.timeout)
    if state["count"]:
        state["cpu"] = time.process_time() - state["cpu"]
    client.disconnect()
    client.loop_stop()
    print(json.dumps(state), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
