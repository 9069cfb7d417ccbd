"""Which asyncio MQTT client can hold thousands of kiosks in one process on 2 cores?

Each of N connections connects with a will, subscribes to two topics, publishes a retained
status at QoS 1 and waits for its PUBACK (the start of a simulated kiosk), then every connection
publishes K more QoS 1 messages, all at once. Measured per client library: time to bring all N
up, the rate of the QoS 1 burst, CPU seconds and peak RSS of this process. The candidates run
one after the other, each in a fresh process, against a fresh Mosquitto (dev config):

- ``own``: benchmarks/mqtt_async.py (an asyncio.Protocol, stdlib only, ~250 lines);
- ``aiomqtt`` 2.x: paho-mqtt underneath, one paho client per connection driven by the loop;
- ``gmqtt``: pure asyncio; its PUBACKs have no public awaitable, so a burst is timed until
  the broker has delivered it to a counting subscriber.

aiomqtt and gmqtt are not dependencies of the suite: ``pip install aiomqtt gmqtt`` first.

Usage: python benchmarks/mqtt_client_choice.py [--connections 5000] [--messages 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from tests.harness import PYTHON, ROOT, Mosquitto, raise_fd_limit, suite_env

CANDIDATES = ("own", "aiomqtt", "gmqtt")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _counting_subscriber(port: int, expected: int) -> tuple[asyncio.Future[float], object]:
    """A plain subscriber (our client) that resolves when ``expected`` burst messages came."""
    from benchmarks.mqtt_async import connect

    loop = asyncio.get_running_loop()
    done: asyncio.Future[float] = loop.create_future()
    seen = [0]

    def on_message(_m: object) -> None:
        seen[0] += 1
        if seen[0] >= expected and not done.done():
            done.set_result(time.monotonic())

    sub = await connect("127.0.0.1", port, "choice-counter", on_message=on_message)
    await sub.subscribe([("choice/burst/#", 1)])
    return done, sub


async def run_own(port: int, n: int, k: int) -> dict[str, float]:
    from benchmarks.mqtt_async import Will, connect

    t0 = time.monotonic()
    sem = asyncio.Semaphore(500)

    async def one(i: int):  # type: ignore[no-untyped-def]
        async with sem:
            conn = await connect(
                "127.0.0.1",
                port,
                f"own-{i}",
                will=Will(f"choice/{i}/status", b'{"state":"offline"}'),
            )
            await conn.subscribe([(f"choice/{i}/cmd", 1), (f"choice/{i}/reply", 1)])
            await conn.publish(f"choice/{i}/status", b'{"state":"idle"}', retain=True)
            return conn

    conns = await asyncio.gather(*(one(i) for i in range(n)))
    up = time.monotonic() - t0
    t1 = time.monotonic()
    await asyncio.gather(
        *(c.publish(f"choice/burst/{i}", b"x" * 200) for i, c in enumerate(conns) for _ in range(k))
    )
    burst = time.monotonic() - t1
    for c in conns:
        c.disconnect()
    return {"up_s": up, "burst_msg_s": n * k / burst}


async def run_aiomqtt(port: int, n: int, k: int) -> dict[str, float]:
    import aiomqtt

    t0 = time.monotonic()
    sem = asyncio.Semaphore(500)
    stack = contextlib.AsyncExitStack()

    async def one(i: int) -> aiomqtt.Client:
        async with sem:
            client = aiomqtt.Client(
                "127.0.0.1",
                port,
                identifier=f"aio-{i}",
                will=aiomqtt.Will(f"choice/{i}/status", b'{"state":"offline"}', 1, True),
                timeout=60,
            )
            await stack.enter_async_context(client)
            await client.subscribe([(f"choice/{i}/cmd", 1), (f"choice/{i}/reply", 1)])
            await client.publish(f"choice/{i}/status", b'{"state":"idle"}', qos=1, retain=True)
            return client

    async with stack:
        clients = await asyncio.gather(*(one(i) for i in range(n)))
        up = time.monotonic() - t0
        t1 = time.monotonic()
        await asyncio.gather(
            *(
                c.publish(f"choice/burst/{i}", b"x" * 200, qos=1)
                for i, c in enumerate(clients)
                for _ in range(k)
            )
        )
        burst = time.monotonic() - t1
    return {"up_s": up, "burst_msg_s": n * k / burst}


async def run_gmqtt(port: int, n: int, k: int) -> dict[str, float]:
    import gmqtt
    from gmqtt.mqtt.constants import MQTTv311

    done, counter = await _counting_subscriber(port, n * k)
    t0 = time.monotonic()
    sem = asyncio.Semaphore(500)

    async def one(i: int) -> gmqtt.Client:
        async with sem:
            client = gmqtt.Client(
                f"gm-{i}",
                will_message=gmqtt.Message(
                    f"choice/{i}/status", b'{"state":"offline"}', qos=1, retain=True
                ),
            )
            await client.connect("127.0.0.1", port, keepalive=60, version=MQTTv311)
            client.subscribe([gmqtt.Subscription(f"choice/{i}/cmd", qos=1)])
            client.publish(f"choice/{i}/status", b'{"state":"idle"}', qos=1, retain=True)
            return client

    clients = await asyncio.gather(*(one(i) for i in range(n)))
    up = time.monotonic() - t0
    t1 = time.monotonic()
    for i, c in enumerate(clients):
        for _ in range(k):
            c.publish(f"choice/burst/{i}", b"x" * 200, qos=1)
    finished = await asyncio.wait_for(done, 300)
    burst = finished - t1
    await asyncio.gather(*(c.disconnect() for c in clients))
    counter.disconnect()  # type: ignore[attr-defined]
    return {"up_s": up, "burst_msg_s": n * k / burst}


def child(name: str, port: int, n: int, k: int) -> None:
    raise_fd_limit()
    runner = {"own": run_own, "aiomqtt": run_aiomqtt, "gmqtt": run_gmqtt}[name]
    before = _cpu()
    peak = [0.0]
    process = psutil.Process()

    async def main() -> dict[str, float]:
        async def sample() -> None:
            while True:
                peak[0] = max(peak[0], process.memory_info().rss / 2**20)
                await asyncio.sleep(0.2)

        sampler = asyncio.ensure_future(sample())
        try:
            return await runner(port, n, k)
        finally:
            sampler.cancel()

    figures = asyncio.run(main())
    figures["cpu_s"] = _cpu() - before
    figures["peak_rss_mb"] = peak[0]
    print(json.dumps(figures), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=4)
    parser.add_argument("--child", choices=CANDIDATES)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.port, args.connections, args.messages)
        return 0
    raise_fd_limit()
    print(f"{args.connections} connections, then {args.messages} QoS 1 messages each")
    print("| client | all up (s) | QoS 1 burst (msg/s) | CPU (s) | peak RSS (MB) |")
    print("|---|---|---|---|---|")
    for name in CANDIDATES:
        with Mosquitto() as broker:
            done = subprocess.run(
                [
                    PYTHON,
                    str(Path(__file__).resolve()),
                    "--child",
                    name,
                    "--port",
                    str(broker.port),
                    "--connections",
                    str(args.connections),
                    "--messages",
                    str(args.messages),
                ],
                capture_output=True,
                text=True,
                timeout=900,
                env=suite_env(),
                cwd=ROOT,
            )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["failed"])[-1][:120]
            print(f"| {name} | failed: {reason} | | | |", flush=True)
            continue
        f = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {name} | {f['up_s']:.1f} | {f['burst_msg_s']:,.0f} | {f['cpu_s']:.1f} |"
            f" {f['peak_rss_mb']:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
