"""`kiosk --self-test` starts the whole shell, reports when the start screen is up, and exits 0."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port, suite_env


def test_self_test_prints_one_json_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--self-test",
            "--data-dir",
            str(tmp_path),
            "--broker",
            f"mqtt://127.0.0.1:{free_port()}",
            "--site",
            "leeuw",
            "--machine",
            "pc-1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=suite_env(),
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["screen"] == "QtStartScreen"
    assert report["ready_ms"] > 0 and report["rss_mb"] > 0
    # Read aloud is known (the probe ran in a child process), and no engine is loaded here:
    # QtTextToSpeech costs the kiosk ~3.5 MB, paid only when a visitor first uses it.
    assert isinstance(report["read_aloud"], bool)
    assert report["speech_loaded"] is False and report["browser_loaded"] is False
    assert report["started_ms"] >= report["ready_ms"]
    assert report["languages"][:3] == ["nl", "fr", "en"]
    assert (report["site"], report["machine"]) == ("leeuw", "pc-1")


def test_hash_pin_prints_a_config_line_and_refuses_a_bad_pin() -> None:
    from kiosk.model.staff_exit import check_pin

    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--hash-pin"],
        input="2468\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert done.returncode == 0 and "2468" not in done.stdout
    stored = done.stdout.split('"')[1]
    assert check_pin("2468", stored)
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk", "--hash-pin"],
        input="12ab\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=suite_env(),
    )
    assert bad.returncode == 2 and "4 to 12 digits" in bad.stderr
