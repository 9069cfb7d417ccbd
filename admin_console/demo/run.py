"""``make demo``: the whole suite on one PC — broker + aggregator, buddy desk, kiosk, admin console.

Ctrl-C (or closing the windows) stops everything; no process is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from admin_console.demo.virtual_printer import CupsServer, cups_server, missing

DATA = Path("demo-data")
SITE = "demo"


def _free_port(preferred: int = 18830) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Child:
    def __init__(self, name: str, args: list[str]) -> None:
        self.name = name
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            # Own session: Ctrl-C reaches only this launcher, which stops the parts in order.
            start_new_session=True,
        )
        threading.Thread(target=self._echo, daemon=True).start()

    def _echo(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "subscribed to" in line or "connected to" in line:
                self.ready.set()
            print(f"[{self.name}] {line}", end="", flush=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _write_configs(printer: CupsServer | None = None) -> tuple[Path, Path]:
    """The demo site's rota and topics (docs/help-loop.md) and the kiosk's name in the room.
    The permanences are two afternoons, so that the kiosk first says nobody is on duty (and
    when the next permanence is) until Sara checks in on the buddy desk."""
    console = DATA / "console.toml"
    console.write_text(
        "# Written by make demo (admin_console/demo/run.py); see docs/configuration.md.\n"
        f"[sites.{SITE}]\n"
        'permanences = { tue = ["13:30-16:30"], thu = ["13:30-16:30"] }\n'
        'off_duty_calls = "staff"\n',
        encoding="utf-8",
    )
    kiosk = DATA / "kiosk.toml"
    printing = (
        ""
        if printer is None
        else f'\n[printing]\nprinter = "{printer.printer}"\nserver = "{printer.socket}"\n'
    )
    kiosk.write_text(
        "# Written by make demo (admin_console/demo/run.py); see docs/configuration.md.\n"
        '[kiosk]\nlabel = "PC 1 — bij het raam"\n' + printing,
        encoding="utf-8",
    )
    return console.resolve(), kiosk.resolve()


def main() -> int:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print(
            "make demo opens two windows and needs a desktop session (DISPLAY is not set).\n"
            "On a headless machine: xvfb-run -a make demo (the windows are then invisible).",
            file=sys.stderr,
        )
        return 2
    DATA.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        printer = _virtual_printer(stack)
        console_config, kiosk_config = _write_configs(printer)
        return _run(console_config, kiosk_config, printer)


def _virtual_printer(stack: contextlib.ExitStack) -> CupsServer | None:
    """Printing to PDF files in demo-data/printed/, through a private CUPS with Debian's
    cups-pdf (the tests' virtual printer), when this machine can run one."""
    why_not = missing()
    if why_not is not None:
        print(f"demo: no printing ({why_not})", flush=True)
        return None
    out = (DATA / "printed").resolve()
    try:
        printer = stack.enter_context(cups_server(out=out))
    except (OSError, TimeoutError) as err:
        print(f"demo: no printing (the virtual printer did not start: {err})", flush=True)
        return None
    print(f"demo: the kiosk prints to PDF files in {out}", flush=True)
    return printer


def _run(console_config: Path, kiosk_config: Path, printer: CupsServer | None) -> int:
    broker = f"mqtt://127.0.0.1:{_free_port()}"
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopping.set())
    aggregator = Child(
        "aggregator",
        [
            "admin_console",
            "serve",
            "--config",
            str(console_config),
            "--embedded-broker",
            "--broker",
            broker,
            "--db",
            f"sqlite:///{(DATA / 'aggregator.db').resolve()}",
            "--client-id",
            "demo-aggregator",
        ],
    )
    children = [aggregator]
    if not aggregator.ready.wait(30) or not aggregator.alive():
        print("the aggregator did not start; see its lines above", file=sys.stderr)
        aggregator.stop()
        aggregator.wait(5)
        return 1
    desk = Child(
        "buddy desk",
        [
            "admin_console",
            "buddy",
            "--config",
            str(console_config),
            "--site",
            SITE,
            "--name",
            "Sara",
            "--broker",
            broker,
        ],
    )
    kiosk = Child(
        "kiosk",
        [
            "kiosk",
            "--config",
            str(kiosk_config),
            "--windowed",
            "--broker",
            broker,
            "--site",
            SITE,
            "--machine",
            "pc-01",
            "--data-dir",
            str(DATA / "kiosk-pc-01"),
        ],
    )
    database = f"sqlite:///{(DATA / 'aggregator.db').resolve()}"
    console = Child(
        "admin console",
        [
            "admin_console",
            "gui",
            "--config",
            str(console_config),
            "--broker",
            broker,
            "--db",
            database,
            "--name",
            "demo-coordinator",
        ],
    )
    children += [desk, kiosk, console]
    print(
        f"\nDemo running on {broker}. The kiosk says that no buddy is on duty: on the buddy desk,\n"
        "Sara presses 'Start my permanence'. Press Start on the kiosk, then 'Roep een buddy';\n"
        "claim and resolve the call on the buddy desk (how did it go?). Rota and topics:\n"
        f"{console_config}. "
        + (
            f"Printing ('Afdrukken' in the browser bar) makes PDF files in {printer.out}. "
            if printer is not None
            else ""
        )
        + "Numbers: .venv/bin/admin-console stats --db "
        f"sqlite:///{(DATA / 'aggregator.db').resolve()}\nCtrl-C stops everything.\n",
        flush=True,
    )
    while not stopping.is_set():
        if not desk.alive() and not kiosk.alive() and not console.alive():
            break
        if not aggregator.alive():
            print("the aggregator stopped; stopping the demo", file=sys.stderr)
            break
        stopping.wait(0.5)
    for child in reversed(children):  # windows first: the kiosk says goodbye while the broker runs
        child.stop()
        child.wait(10)
    print("demo stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
