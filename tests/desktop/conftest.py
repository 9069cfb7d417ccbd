"""A real X server (Xvfb) with a real window manager (openbox), and the kiosk on it.

What depends on windows, focus, full screen and input is tested here, where the offscreen
platform hid bugs (issue 15): the kiosk runs full screen in its own process with Qt's xcb
platform, and the input comes as X events through the X server (xdotool), as a mouse and a
keyboard would send them.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Mosquitto, free_port, wait_for
from tests.fixtures.browser_pages.server import TestSite

SCREEN = (1366, 768)
PIN = "4321"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "session(**keys): the kiosk's [session] for the `driven` fixture's kiosk"
    )


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is not installed: `make test` installs it (installer/system-deps.sh)")
    return found


@dataclass
class XServer:
    display: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_QPA", "WAYLAND"))}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", QTWEBENGINE_DISABLE_SANDBOX="1")
        return env

    def run(self, *args: str) -> str:
        done = subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def reset_screens(self) -> None:
        """Remove the RandR monitors a test added (the X server lives for the whole run)."""
        for name in ("small", "second"):
            subprocess.run(
                ["xrandr", "--delmonitor", name], env=self.env, capture_output=True, check=False
            )

    def xdotool(self, *args: str) -> None:
        self.run(_need("xdotool"), *args)

    def click(self, point: list[int], times: int = 1) -> None:
        self.xdotool(
            "mousemove", str(point[0]), str(point[1]), "click", "--repeat", str(times), "1"
        )

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "60", *keys)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "60", text)

    def scroll(self, point: list[int]) -> None:
        self.xdotool("mousemove", str(point[0]), str(point[1]), "click", "5")


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    """Xvfb on a free display number, openbox on it (full screen, close, focus: a real WM)."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        [
            _need("Xvfb"),
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{SCREEN[0]}x{SCREEN[1]}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    if not number:
        xvfb.kill()
        pytest.fail("Xvfb did not start")
    server = XServer(f":{number}", [xvfb])
    wm = subprocess.Popen(
        [_need("openbox"), "--sm-disable"],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server.processes.append(wm)

    def wm_running() -> bool:
        out = subprocess.run(
            [_need("xprop"), "-root", "_NET_SUPPORTING_WM_CHECK"],
            env=server.env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return "window id" in out

    wait_for(wm_running, 20, "openbox to manage the screen")
    yield server
    for process in reversed(server.processes):
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def site() -> Iterator[TestSite]:
    server = TestSite().start()
    yield server
    server.stop()


def kiosk_config(folder: Path, broker_port: int, **session: float) -> Path:
    from kiosk.model.staff_exit import hash_pin

    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "[broker]",
        f'url = "mqtt://127.0.0.1:{broker_port}"',
        "[kiosk]",
        'site = "gent"',
        'machine = "pc-x"',
        f'data_dir = "{folder / "data"}"',
        'lang = "nl"',
        f'tasks_dir = "{folder / "no-site-tasks"}"',
        f'staff_pin_hash = "{hash_pin(PIN, iterations=1000)}"',
        "heartbeat_s = 5",
        "[session]",
        *(f"{key} = {value}" for key, value in session.items()),
    ]
    path = folder / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class DrivenKiosk:
    """The real kiosk, full screen, in its own process (tests/desktop/kiosk_driver.py)."""

    def __init__(self, xserver: XServer, config: Path, log: Path) -> None:
        self.x = xserver
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.desktop.kiosk_driver", str(config)],
            cwd=ROOT,
            env=xserver.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        self._answers: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.log_path = log

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(b"{"):
                self._answers.put(json.loads(line))

    def ask(self, what: str, timeout: float = 20.0, **args: Any) -> Any:
        assert self.process.stdin is not None
        self._next += 1
        self.process.stdin.write(json.dumps({"id": self._next, "ask": what, **args}).encode())
        self.process.stdin.write(b"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self._answers.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"the kiosk did not answer {what!r}: {self.tail()}") from None
            if answer["id"] == self._next:
                return answer["result"]

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.ask("state")
        return result

    def js(self, script: str) -> Any:
        return self.ask("js", script=script)

    def until(self, predicate: Any, timeout: float = 30.0, what: str = "the kiosk") -> None:
        wait_for(lambda: predicate(self.state()), timeout, what)

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def driven(
    xserver: XServer, mosquitto: Mosquitto, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[DrivenKiosk]:
    """The kiosk with a short idle clock: the warning after 6 s without input, the end at 26 s."""
    marker = request.node.get_closest_marker("session")
    session = marker.kwargs if marker else {"idle_timeout_s": 26, "warning_s": 20}
    config = kiosk_config(tmp_path / "kiosk", mosquitto.port, **session)
    kiosk = DrivenKiosk(xserver, config, tmp_path / "kiosk.log")
    try:
        kiosk.until(
            lambda s: s["full_screen"] and s["visible"] and s["screen"] == "QtStartScreen",
            60,
            "the kiosk full screen on its start screen",
        )
        yield kiosk
    finally:
        kiosk.stop()
        xserver.reset_screens()


__all__ = ["PIN", "SCREEN", "DrivenKiosk", "XServer", "free_port", "kiosk_config"]
