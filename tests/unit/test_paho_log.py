"""What paho says in our logs while the broker is away: our own line, not its raw error."""

from __future__ import annotations

import logging

import pytest

from kiosk.wire.broker import make_client, parse_broker_url


def test_paho_s_not_connected_error_is_not_logged_while_it_redials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.paho")
    client = make_client(parse_broker_url("mqtt://127.0.0.1:1"), "quiet", logger=logger)
    make_client(parse_broker_url("mqtt://127.0.0.1:1"), "again", logger=logger)  # one filter
    with caplog.at_level(logging.DEBUG, logger="test.paho"):
        client.loop(timeout=0.01)  # not connected: paho logs its error here
        logger.error("something else paho says")
    messages = [r.getMessage() for r in caplog.records if r.name == "test.paho"]
    assert messages == ["something else paho says"]
    assert len(logger.filters) == 1
