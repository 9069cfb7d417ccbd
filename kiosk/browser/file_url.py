"""File URLs to paths without ``urllib.request`` (which pulls in http, email and ssl: ~8 MB)."""

from __future__ import annotations

import os
from urllib.parse import unquote


def url2pathname(path: str) -> str:
    """The path part of a ``file:`` URL as a local path."""
    if os.name == "nt":
        from nturl2path import url2pathname as windows_path

        return windows_path(path)
    return unquote(path)
