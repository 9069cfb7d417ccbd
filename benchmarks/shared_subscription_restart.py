"""Does a subscription survive a broker restart? Plain vs shared, Mosquitto with the dev config.

A persistent session (clean_session off) subscribes, the broker restarts (persistence on), a
message is published before the subscriber has reconnected. On Mosquitto 2.0.11 (Debian 12) the
plain subscription gets it and the shared one does not: why the aggregator subscribes plainly
by default (docs/broker.md). Usage: python benchmarks/shared_subscription_restart.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness import Mosquitto, free_port


def survives_restart(topic_filter: str) -> bool:
    broker = Mosquitto(free_port(), Path(tempfile.mkdtemp()))
    broker.start()
    got: list[bytes] = []
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id="restart-probe",
        clean_session=False,
        protocol=mqtt.MQTTv311,
    )
    client.on_connect = lambda c, *_: c.subscribe(topic_filter, 1)
    client.on_message = lambda _c, _u, m: got.append(m.payload)
    client.reconnect_delay_set(1, 2)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    time.sleep(0.5)
    broker.stop()
    broker.start()
    subprocess.run(
        [
            "mosquitto_pub",
            "-p",
            str(broker.port),
            "-q",
            "1",
            "-t",
            "probe/x",
            "-m",
            "sent-before-reconnect",
        ],
        check=True,
    )
    time.sleep(3)
    client.disconnect()
    client.loop_stop()
    broker.stop()
    return b"sent-before-reconnect" in got


def main() -> int:
    version = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True).stdout.split(
        "\n"
    )[0]
    print(version)
    for name, topic_filter in (("plain", "probe/x"), ("shared", "$share/g/probe/x")):
        print(
            f"{name:6} subscription keeps a message published before reconnect: "
            f"{'yes' if survives_restart(topic_filter) else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
