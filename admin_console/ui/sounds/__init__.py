"""Sounds the desks play.

``new_call.wav`` is made by ``python -m admin_console.ui.sounds.chime``.
"""

from __future__ import annotations

from pathlib import Path

NEW_CALL = Path(__file__).with_name("new_call.wav")
