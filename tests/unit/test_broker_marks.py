"""A test that uses the real broker is marked ``broker``, so that ``pytest -m "not broker"``
needs no Mosquitto. tests/conftest.py marks every test that requests the ``mosquitto`` fixture
(directly or through other fixtures); a test that starts a broker another way (``Mosquitto(…)``
of tests/harness.py, a fixture or helper that does) carries the mark itself. Checked here from
the source, without running anything; at run time the harness also refuses to start Mosquitto
for an unmarked test."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tests.conftest import TESTS

# Calls that start, or need, a real Mosquitto besides the `mosquitto` fixture.
BROKER_CALLS = frozenset({"Mosquitto", "mosquitto_binary", "render_dev_config", "mosquitto_pub"})
FIXTURE = "mosquitto"  # its tests are marked by tests/conftest.py


def _called(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def _marks_broker(nodes: list[ast.expr]) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr == "broker" for d in nodes for n in ast.walk(d)
    )


def _is_fixture(fn: ast.FunctionDef) -> bool:
    return any("fixture" in ast.dump(d) for d in fn.decorator_list)


@dataclass
class Unit:
    """A function, a fixture, a test, or a class (with all its methods) of one module."""

    module: str
    name: str
    node: ast.AST
    params: set[str] = field(default_factory=set)
    marked: bool = False
    is_test: bool = False
    is_fixture: bool = False


@dataclass
class Module:
    name: str
    units: dict[str, Unit]
    imports: dict[str, tuple[str, str]]  # local name → (module, name)
    marked: bool  # pytestmark mentions broker


def parse(name: str, source: str) -> Module:
    tree = ast.parse(source)
    units: dict[str, Unit] = {}
    imports: dict[str, tuple[str, str]] = {}
    marked = False
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imports[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            marked = _marks_broker([node.value])
        elif isinstance(node, ast.FunctionDef):
            units[node.name] = Unit(
                name,
                node.name,
                node,
                {a.arg for a in node.args.args + node.args.kwonlyargs},
                _marks_broker(node.decorator_list),
                node.name.startswith("test_"),
                _is_fixture(node),
            )
        elif isinstance(node, ast.ClassDef):
            units[node.name] = Unit(name, node.name, node)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test_"):
                    units[f"{node.name}::{item.name}"] = Unit(
                        name,
                        f"{node.name}::{item.name}",
                        item,
                        {a.arg for a in item.args.args} - {"self"},
                        _marks_broker(node.decorator_list + item.decorator_list),
                        node.name.startswith("Test"),
                    )
    return Module(name, units, imports, marked)


def unmarked_broker_tests(modules: dict[str, Module]) -> list[str]:
    """The tests that start or need a broker without being marked ``broker``."""

    def fixture(module: Module, param: str) -> Unit | None:
        # The module's own fixture first, then its folders' conftest files, nearest first.
        parts = module.name.split(".")
        for scope in [module.name] + [
            ".".join([*parts[:i], "conftest"]) for i in range(len(parts) - 1, 0, -1)
        ]:
            found = modules.get(scope)
            unit = found.units.get(param) if found else None
            if unit is not None and unit.is_fixture:
                return unit
        return None

    def resolve(module: Module, name: str) -> Unit | None:
        if name in module.units:
            return module.units[name]
        origin = module.imports.get(name)
        if origin and origin[0] in modules:
            return modules[origin[0]].units.get(origin[1])
        return None

    starts: set[int] = set()  # id(unit): starts a broker other than by the fixture
    via_fixture: set[int] = set()  # id(unit): requests the `mosquitto` fixture
    changed = True
    while changed:
        changed = False
        for module in modules.values():
            for unit in module.units.values():
                called = _called(unit.node)
                used = [resolve(module, n) for n in called]
                requested = [fixture(module, p) for p in unit.params]
                if id(unit) not in starts and (
                    called & BROKER_CALLS
                    or any(u is not None and id(u) in starts for u in used)
                    or any(f is not None and id(f) in starts for f in requested)
                ):
                    starts.add(id(unit))
                    changed = True
                if id(unit) not in via_fixture and (
                    FIXTURE in unit.params
                    or any(f is not None and id(f) in via_fixture for f in requested)
                ):
                    via_fixture.add(id(unit))
                    changed = True
    return sorted(
        f"{module.name}::{unit.name}"
        for module in modules.values()
        for unit in module.units.values()
        if unit.is_test
        and id(unit) in starts
        and id(unit) not in via_fixture
        and not (unit.marked or module.marked)
    )


def the_suite() -> dict[str, Module]:
    modules = {}
    for path in sorted(TESTS.rglob("*.py")):
        name = ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))
        modules[name] = parse(name, path.read_text())
    return modules


def test_every_test_that_starts_a_broker_is_marked_broker() -> None:
    assert unmarked_broker_tests(the_suite()) == []


def test_the_check_finds_brokers_started_every_way() -> None:
    conftest = """
import pytest
from tests.harness import Mosquitto

@pytest.fixture
def mosquitto(tmp_path):
    return Mosquitto(1883, tmp_path).start()

@pytest.fixture
def started_here():
    return Mosquitto().start()
"""
    helpers = """
from tests.harness import Mosquitto

def own_broker(folder):
    return Mosquitto(1883, folder, conf=folder / "mosquitto.conf")
"""
    tests = """
import pytest
from tests.integration.helpers import own_broker

def test_direct():
    Mosquitto().start()

def test_through_a_helper(tmp_path):
    own_broker(tmp_path).start()

def test_through_a_fixture(started_here):
    pass

class TestGrouped:
    def test_in_a_class(self):
        Mosquitto().start()

@pytest.mark.broker
def test_marked():
    Mosquitto().start()

def test_the_fixture_is_marked_by_conftest(mosquitto):
    Mosquitto().start()

def test_no_broker(tmp_path):
    pass
"""
    modules = {
        name: parse(name, source)
        for name, source in (
            ("tests.conftest", conftest),
            ("tests.integration.helpers", helpers),
            ("tests.integration.test_x", tests),
        )
    }
    assert unmarked_broker_tests(modules) == [
        "tests.integration.test_x::TestGrouped::test_in_a_class",
        "tests.integration.test_x::test_direct",
        "tests.integration.test_x::test_through_a_fixture",
        "tests.integration.test_x::test_through_a_helper",
    ]
    modules["tests.integration.test_x"].marked = True  # pytestmark = pytest.mark.broker
    assert unmarked_broker_tests(modules) == []


def test_the_suite_has_brokers_started_another_way() -> None:
    """Not vacuous: the suite's own tests that start Mosquitto themselves are found (and are
    marked)."""
    modules = the_suite()
    for module in modules.values():
        module.marked = False
        for unit in module.units.values():
            unit.marked = False
    found = unmarked_broker_tests(modules)
    assert (
        "tests.integration.test_kiosk_delivery::"
        "test_it_starts_with_the_broker_down_and_delivers_later" in found
    )
    assert "tests.integration.test_broker_security::test_the_aggregator_only_reads" in found
    assert not any("test_outside_client" in name for name in found)  # the fixture's tests
