"""The PC's label, the name people in the room use for it ("PC 3 — bij het raam"), without Qt.

It comes from ``[kiosk] label`` in the config; the console's ``set_label`` command changes it
(or takes it away), and that choice is kept in the kiosk's data folder (the outbox's small
state table) so that it survives a restart and wins over the config. It names a place, never
a person; it goes out in the status heartbeat as ``label``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from kiosk.model.commands import CommandRefused
from kiosk.model.outbox import Outbox
from kiosk.wire.protocol import Rejected, pc_label

log = logging.getLogger("kiosk.model.pc_label")

STATE_KEY = "pc_label"  # in the outbox's kiosk_state table: {"label": "…"} or {"label": null}


class PcLabel:
    """The label now: the one set by command if there is one, else the config's."""

    def __init__(self, outbox: Outbox, configured: str | None = None) -> None:
        self._outbox = outbox
        self._configured = configured
        self.value = self._stored(configured)

    def _stored(self, default: str | None) -> str | None:
        raw = self._outbox.get_state(STATE_KEY)
        if raw is None:
            return default
        try:
            kept = json.loads(raw)["label"]
            return None if kept is None else pc_label(kept)
        except (ValueError, KeyError, TypeError, Rejected):  # a damaged row: the config wins
            log.warning("the stored PC label is unreadable; using the config's")
            return default

    def set_from_command(self, args: Mapping[str, Any]) -> None:
        """``set_label``: ``{"label": "…"}`` or ``{"label": null}``; anything else is refused."""
        if set(args) != {"label"}:
            raise CommandRefused('set_label needs args {"label": "…"} or {"label": null}')
        value = args["label"]
        if value is not None:
            try:
                value = pc_label(value)
            except Rejected as err:
                raise CommandRefused(err.detail) from None
        self._outbox.set_state(STATE_KEY, json.dumps({"label": value}, ensure_ascii=False))
        self.value = value
