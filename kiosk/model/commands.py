"""Remote commands from the admin console (``…/cmd``), without Qt: dispatch, dedupe, result.

A repeated command id is answered again with the first result and not executed twice.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.wire.protocol import Command

log = logging.getLogger("kiosk.model.commands")

Action = Callable[[Mapping[str, Any]], None]


class CommandRefused(ValueError):
    """The command's details are not valid; the message goes back in the ack (reason
    ``bad_args``, which the console puts in its own words)."""


@dataclass(frozen=True)
class CommandResult:
    ok: bool
    error: str | None = None
    reason: str | None = None  # protocol.REFUSAL_REASONS


class CommandHandler:
    def __init__(self, actions: Mapping[str, Action], remember: int = 1000) -> None:
        self._actions = dict(actions)
        self._done: OrderedDict[str, CommandResult] = OrderedDict()
        self._remember = remember

    def handle(self, command: Command) -> CommandResult:
        if command.id in self._done:
            return self._done[command.id]
        action = self._actions.get(command.cmd)
        if action is None:
            result = CommandResult(
                False, f"{command.cmd} is not supported by this kiosk", "unsupported"
            )
        else:
            try:
                action(command.args)
                result = CommandResult(True)
            except CommandRefused as err:
                result = CommandResult(False, str(err)[:200], "bad_args")
        log.info(
            "command %s (%s): %s", command.cmd, command.id, "ok" if result.ok else result.error
        )
        self._done[command.id] = result
        while len(self._done) > self._remember:
            self._done.popitem(last=False)
        return result


def announcement_text(args: Mapping[str, Any], lang: str) -> str:
    """The announcement in the visitor's language, else English, Dutch, French, any."""
    texts = args.get("text")
    if isinstance(texts, str):
        texts = {"en": texts}
    if not isinstance(texts, dict) or not texts:
        raise CommandRefused("announce needs args.text, e.g. {'nl': '…', 'fr': '…'}")
    for code in (lang, "en", "nl", "fr", *texts):
        value = texts.get(code)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
    raise CommandRefused("announce has no text")
