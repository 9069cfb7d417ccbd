"""Fixtures of the browser tests: a local HTTP server playing the sites, and a fresh browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.browser import QtSafeBrowser
from tests.fixtures.browser_pages.qt_helpers import make_browser
from tests.fixtures.browser_pages.server import TestSite


@pytest.fixture(scope="module")
def site() -> Iterator[TestSite]:
    server = TestSite().start()
    yield server
    server.stop()


@pytest.fixture
def browser(qtbot: QtBot, tmp_path: Path) -> Iterator[QtSafeBrowser]:
    browser = make_browser(qtbot, tmp_path)
    yield browser
    browser.wipe()
