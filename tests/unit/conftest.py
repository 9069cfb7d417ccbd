"""The unit tier: Python only. A test that needs a broker or a database server belongs in
tests/integration (CONTRIBUTING.md), and asking for one here fails at once."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture
def mosquitto() -> None:
    pytest.fail("a unit test cannot start Mosquitto: move it to tests/integration")


@pytest.fixture(scope="session")
def postgres_server() -> None:
    pytest.fail("a unit test cannot start PostgreSQL: move it to tests/integration")


@pytest.fixture(autouse=True)
def no_qt() -> Iterator[None]:
    yield
    # pytest-qt imports PySide6 for every run; a unit test must not make an application.
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        pytest.fail("a unit test made a Qt application: move it to tests/qt")
