"""A broker inside the aggregator process for ``make demo`` and a single PC: amqtt (pure Python).

It holds MQTT 3.1.1 with QoS 0-2, retained messages and wills, on loopback, anonymous, without
persistence; no shared subscriptions (the aggregator subscribes plainly) and no ACLs. Measured
throughput is in BENCHMARKS.md. Sites with more than one PC run Mosquitto (broker_config/).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

log = logging.getLogger("admin_console.links.embedded_broker")


class BrokerStartError(RuntimeError):
    pass


class EmbeddedBroker:
    """amqtt on its own thread and event loop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="embedded-broker", daemon=True)

    def config(self) -> dict[str, Any]:
        return {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }

    def start(self, timeout: float = 15.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise BrokerStartError(f"the embedded broker did not start within {timeout:.0f} s")
        if self._error is not None:
            raise BrokerStartError(
                f"the embedded broker cannot listen on {self.host}:{self.port}: {self._error}"
            )
        log.info("embedded broker listening on mqtt://%s:%d", self.host, self.port)

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # reported to start(), which raises it in the caller
            self._error = err
            self._ready.set()

    async def _serve(self) -> None:
        from amqtt.broker import Broker

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        broker = Broker(self.config())
        await broker.start()
        self._ready.set()
        await self._stop.wait()
        await broker.shutdown()
