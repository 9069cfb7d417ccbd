"""What the home screen offers, without Qt: a guided task, or free browsing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BROWSE = "browse"


@dataclass(frozen=True)
class Tile:
    """One choice on the home screen: a guided task, or free browsing."""

    id: str
    title: str
    summary: str = ""
    icon: Path | None = None
