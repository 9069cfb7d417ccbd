"""A private CUPS scheduler with a virtual PDF printer (Debian's printer-driver-cups-pdf).

For `make demo` (printing that works on one PC, into PDF files) and for the tests that print
(tests/cups_server.py re-exports it): its own folders, its own socket, job history off as the
installer configures a kiosk PC (installer/printing.md). Needs root (cupsd runs filters as lp,
the cups-pdf backend runs as root) and the packages of installer/system-deps.sh. No Qt.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    if not predicate():
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")


@dataclass(frozen=True)
class CupsServer:
    folder: Path
    socket: Path
    out: Path  # where the virtual printer writes its PDFs
    printer: str

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LANG": "C"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, check=False)

    def outputs(self) -> list[Path]:
        return sorted(self.out.glob("*.pdf"))


def missing() -> str | None:
    """Why a real CUPS cannot run here, or None."""
    if os.geteuid() != 0:
        return "a private cupsd with the cups-pdf backend needs root"
    for tool in ("cupsd", "lp", "lpstat", "lpadmin", "cancel", "pdftotext"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (installer/system-deps.sh)"
    if not PPD.exists():
        return "printer-driver-cups-pdf is not installed"
    return None


@contextmanager
def cups_server(printer: str = "kioskpdf", out: Path | None = None) -> Iterator[CupsServer]:
    """cupsd on a socket in a fresh folder with one cups-pdf printer that writes into out/
    (or ``out``: a folder of the caller's, e.g. the demo's).

    The folder is not pytest's tmp_path: that is mode 0700, and the filters run as lp."""
    root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    root.chmod(0o755)
    folders = {
        name: root / name for name in ("conf", "spool", "tmp", "cache", "state", "log", "out")
    }
    if out is not None:
        folders["out"] = out
    for path in folders.values():
        path.mkdir(parents=True, exist_ok=True)
    # As a CUPS install has them: the filters run as lp and write their temporary files here;
    # cups-pdf writes as root into out/ (sticky, like /tmp).
    folders["tmp"].chmod(0o1777)
    folders["out"].chmod(0o1777)
    shutil.chown(folders["spool"], group="lp")
    shutil.chown(folders["cache"], group="lp")
    folders["spool"].chmod(0o710)
    sock = root / "cups.sock"
    (root / "cups-files.conf").write_text(
        f"ServerRoot {folders['conf']}\nRequestRoot {folders['spool']}\n"
        f"TempDir {folders['tmp']}\nCacheDir {folders['cache']}\nStateDir {folders['state']}\n"
        f"ErrorLog {folders['log']}/error_log\nAccessLog {folders['log']}/access_log\n"
        f"PageLog {folders['log']}/page_log\nServerBin /usr/lib/cups\n"
        "DataDir /usr/share/cups\nFileDevice Yes\nSystemGroup root\n"
    )
    (folders["conf"] / "cupsd.conf").write_text(
        f"Listen {sock}\nListen 127.0.0.1:{free_port()}\nLogLevel info\n"
        # As on a kiosk PC (installer/printing.md): no history, no kept files.
        "PreserveJobHistory No\nPreserveJobFiles No\n"
        "WebInterface No\nBrowsing No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    # cups-pdf reads /etc/cups/cups-pdf-<instance>.conf for a device URI cups-pdf:/<instance>.
    instance = f"kt{os.getpid()}{free_port()}"
    instance_conf = Path(f"/etc/cups/cups-pdf-{instance}.conf")
    instance_conf.write_text(f"Out {folders['out']}\nAnonDirName {folders['out']}\nLabel 0\n")
    process = subprocess.Popen(
        [
            "cupsd",
            "-f",
            "-c",
            str(folders["conf"] / "cupsd.conf"),
            "-s",
            str(root / "cups-files.conf"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = CupsServer(root, sock, folders["out"], printer)
    try:
        wait_for(lambda: server.run("lpstat", "-r").returncode == 0, 20, "cupsd answering")
        added: list[subprocess.CompletedProcess[str]] = []

        def add_printer() -> bool:
            # Right after cupsd first answers, lpadmin is sometimes refused ("Unable to connect
            # to server: Bad file descriptor"): asked again until it is taken.
            added.append(
                server.run(
                    "lpadmin",
                    "-p",
                    printer,
                    "-E",
                    "-v",
                    f"cups-pdf:/{instance}",
                    "-P",
                    str(PPD),
                    # pdftocairo keeps the text of a PDF searchable through cups-pdf (the default
                    # renderer turns it into glyphs that pdftotext cannot read back).
                    "-o",
                    "pdftops-renderer-default=pdftocairo",
                )
            )
            return added[-1].returncode == 0

        wait_for(add_printer, 20, "the virtual printer added")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        instance_conf.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)
