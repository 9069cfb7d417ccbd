"""Every test file lives in a tier folder (CONTRIBUTING.md): its folder says what it needs."""

from __future__ import annotations

from tests.conftest import TESTS, TIERS


def test_every_test_file_is_in_a_tier() -> None:
    outside = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("test_*.py")
        if path.relative_to(TESTS).parts[0] not in TIERS
    ]
    assert outside == []


def test_every_tier_has_tests() -> None:
    assert all(any((TESTS / tier).glob("test_*.py")) for tier in TIERS)
