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


def _qt_application() -> object | None:
    # pytest-qt imports PySide6 for every run; what matters is whether an application exists.
    widgets = sys.modules.get("PySide6.QtWidgets")
    return None if widgets is None else widgets.QApplication.instance()


@pytest.fixture(autouse=True)
def no_qt() -> Iterator[None]:
    """A unit test must not make a Qt application (one made by another tier's test earlier in
    the same run is not this test's doing)."""
    before = _qt_application()
    yield
    if before is None and _qt_application() is not None:
        pytest.fail("a unit test made a Qt application: move it to tests/qt")
