"""The outbox leaves on its own: every minute while the window is open, with retry."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from smtp_server import HOST, free_port, smtp_server
from window_helpers import WAIT, make_window

from desktop.db.engine import Database
from desktop.db.models import OutboxMessage
from desktop.domain.enums import OutboxStatus
from desktop.services.outbox import queue_email
from desktop.settings import LocalSettings, save_local_settings
from desktop.ui.outbox_sender import OutboxSender

pytestmark = pytest.mark.usefixtures("fresh_settings")

SENDER = "facturation@hebergeur-demo.fr"


def queue(db: Database, to: str = "client@exemple.fr") -> int:
    with db.session_scope() as session:
        return queue_email(session, to=to, subject="Relance", body="Bonjour,\n\nMerci.")


def use_server(port: int) -> None:
    save_local_settings(
        LocalSettings(smtp_host=HOST, smtp_port=port, smtp_security="none", smtp_from=SENDER)
    )


def message(db: Database, outbox_id: int) -> OutboxMessage:
    with db.read_session() as session:
        row = session.get(OutboxMessage, outbox_id)
        assert row is not None
        session.expunge(row)
        return row


def run_passes(qtbot: QtBot, sender: OutboxSender, passes: int) -> None:
    sender.start(first_delay_ms=0)
    qtbot.waitUntil(lambda: sender.passes >= passes, timeout=WAIT)
    sender.stop()
    qtbot.waitUntil(lambda: not sender.busy, timeout=WAIT)


def test_the_window_sends_the_outbox_without_being_asked(qtbot: QtBot, sqlite_db: Database) -> None:
    outbox_id = queue(sqlite_db)
    window = make_window(qtbot, sqlite_db)
    with smtp_server() as server:
        use_server(server.port)
        sender = window.start_sending(OutboxSender(window, sqlite_db, interval_ms=50))
        sender.timer.stop()
        with qtbot.waitSignal(sender.sent, timeout=WAIT) as blocker:
            sender.tick()
        assert blocker.args[0].sent == 1
        assert [r.rcpt_tos for r in server.received] == [["client@exemple.fr"]]
        assert server.received[0].message["Subject"] == "Relance"
    assert message(sqlite_db, outbox_id).status is OutboxStatus.SENT
    assert "1 envoyé(s), 0 en échec" in window.statusBar().currentMessage()


def test_an_unreachable_server_is_retried_later_not_at_every_pass(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    outbox_id = queue(sqlite_db)
    use_server(free_port())
    sender = OutboxSender(None, sqlite_db, interval_ms=20)
    run_passes(qtbot, sender, 5)
    row = message(sqlite_db, outbox_id)
    # One attempt: the next one waits for the backoff (2 minutes after the first).
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error is not None and "127.0.0.1" in row.last_error

    # The server is back and the retry time has come: the next pass sends it.
    with smtp_server() as server:
        use_server(server.port)
        with sqlite_db.session_scope() as session:
            row_db = session.get(OutboxMessage, outbox_id)
            assert row_db is not None and row_db.last_attempt_at is not None
            row_db.last_attempt_at = row_db.last_attempt_at.replace(year=2020)
        sender = OutboxSender(None, sqlite_db, interval_ms=20)
        run_passes(qtbot, sender, 2)
        assert len(server.received) == 1
    assert message(sqlite_db, outbox_id).status is OutboxStatus.SENT


def test_a_desktop_without_smtp_settings_sends_nothing_and_stays_quiet(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    outbox_id = queue(sqlite_db)
    sender = OutboxSender(None, sqlite_db, interval_ms=20)
    with qtbot.assertNotEmitted(sender.sent, wait=0):
        run_passes(qtbot, sender, 3)
    row = message(sqlite_db, outbox_id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 0, None)
