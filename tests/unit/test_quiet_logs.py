"""Issue 17, point 6: the known harmless Qt lines are explained once; the rest is kept."""

from __future__ import annotations

from kiosk.model.quiet_logs import Seen, explain

SEEN_ON_A_KIOSK = (
    "qt.multimedia.symbolsresolver: Couldn't load pipewire-0.3 library",
    'Error loading text-to-speech plug-in "speechd"',
    "Failed to create RHI for backend: OpenGL",
    "QVulkanInstance: Failed to initialize Vulkan",
    "This plugin does not support propagateSizeHints()",
    # Seen walking make demo (session 7) when the browser first opened, as warnings:
    "Failed to load vulkan: Cannot load library vulkan: vulkan: cannot open shared object file",
    "Unable to detect GPU vendor for device: Mesa/X.org llvmpipe (LLVM 15.0.6, 256 bits)",
)


def test_the_harmless_lines_are_explained() -> None:
    for line in SEEN_ON_A_KIOSK:
        assert explain(line), line


def test_a_real_problem_is_not_hidden() -> None:
    assert explain("QSqlDatabase: QSQLITE driver not loaded") is None
    assert explain("kiosk.browser: render process crashed") is None


def test_each_kind_is_said_once() -> None:
    seen = Seen()
    meaning = explain(SEEN_ON_A_KIOSK[0])
    assert meaning is not None
    assert seen.first_time(meaning)
    assert not seen.first_time(meaning)
    assert seen.filtered == 2
