"""« Facturation > Boîte d'envoi des e-mails… »: the SMTP server of this desktop, the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from smtp_server import HOST, free_port, smtp_server
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.domain.enums import OutboxStatus
from desktop.errors import UserError
from desktop.services.outbox import queue_email
from desktop.services.smtp_settings import NO_KEYRING_MESSAGE
from desktop.settings import LocalSettings, load_local_settings, save_local_settings
from desktop.ui.db_worker import DbWorker
from desktop.ui.dialogs.outbox_dialog import OutboxDialog

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning
SENDER = "facturation@hebergeur-demo.fr"


class DictStore:
    """The keyring of the tests."""

    def __init__(self) -> None:
        self.passwords: dict[str, str] = {}

    def get_password(self, login: str) -> str | None:
        return self.passwords.get(login)

    def set_password(self, login: str, password: str) -> None:
        self.passwords[login] = password

    def delete_password(self, login: str) -> None:
        self.passwords.pop(login, None)


class NoKeyring(DictStore):
    def set_password(self, login: str, password: str) -> None:
        raise UserError(NO_KEYRING_MESSAGE)


@pytest.fixture
def worker() -> Iterator[DbWorker]:
    worker = DbWorker()
    yield worker
    worker.stop()


def open_dialog(
    qtbot: QtBot, db: Database, worker: DbWorker, store: DictStore | None = None
) -> OutboxDialog:
    dialog = OutboxDialog(None, db=db, worker=worker, password_store=store or DictStore())
    qtbot.addWidget(dialog)
    QAbstractItemModelTester(dialog.model, MODE)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    return dialog


def reload(qtbot: QtBot, dialog: OutboxDialog) -> None:
    click(qtbot, dialog.reload_button)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)


def queue(db: Database, to: str = "client@exemple.fr", subject: str = "Votre facture") -> int:
    with db.session_scope() as session:
        return queue_email(session, to=to, subject=subject, body="Bonjour,\n\nCi-joint.")


def use_server(port: int) -> None:
    save_local_settings(
        LocalSettings(smtp_host=HOST, smtp_port=port, smtp_security="none", smtp_from=SENDER)
    )


def cells(dialog: OutboxDialog, row: int) -> list[str]:
    model = dialog.model
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def summary(dialog: OutboxDialog) -> str:
    document = QTextDocument()
    document.setHtml(dialog.summary.text())
    return plain(document.toPlainText())


def send(qtbot: QtBot, dialog: OutboxDialog) -> None:
    click(qtbot, dialog.send_button)
    qtbot.waitUntil(lambda: not dialog.sending, timeout=WAIT)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)


def test_the_menu_opens_the_outbox(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    [action] = [a for a in menu.actions() if a.text() == "Boîte d'&envoi des e-mails…"]
    action.trigger()
    dialog = window.outbox
    assert isinstance(dialog, OutboxDialog)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    assert dialog.count_label.text() == "Aucun message."
    action.trigger()
    assert window.outbox is dialog  # one at a time


def test_settings_are_checked_as_typed_then_saved(
    qtbot: QtBot, sqlite_db: Database, worker: DbWorker
) -> None:
    store = DictStore()
    dialog = open_dialog(qtbot, sqlite_db, worker, store)
    assert dialog.errors["smtp_host"].text() == "Le serveur SMTP est obligatoire."
    assert not dialog.save_button.isEnabled()

    dialog.host.setText("smtp.hebergeur-demo.fr")
    dialog.port.setText("99999")
    dialog.sender.setText(SENDER)
    assert dialog.errors["smtp_port"].text() == "Le port va de 1 à 65535."
    assert dialog.errors["smtp_port"].isVisible()
    assert dialog.port.property("invalid") is True
    assert not dialog.errors["smtp_host"].isVisible()
    assert not dialog.save_button.isEnabled()
    screenshot(qtbot, dialog, "outbox_errors")
    dialog.port.setText("abc")
    assert dialog.errors["smtp_port"].text() == "Le port est un nombre de 1 à 65535."

    dialog.port.setText("")  # the port of the security chosen
    dialog.security.setCurrentIndex(dialog.security.findData("ssl"))
    assert dialog.port.placeholderText() == "465 par défaut"
    dialog.login.setText("facturation")
    qtbot.keyClicks(dialog.password, "s3cret")
    assert not dialog.errors["smtp_port"].isVisible()
    click(qtbot, dialog.save_button)

    assert load_local_settings() == LocalSettings(
        smtp_host="smtp.hebergeur-demo.fr",
        smtp_port=465,
        smtp_security="ssl",
        smtp_login="facturation",
        smtp_from=SENDER,
    )
    assert store.passwords == {"facturation": "s3cret"}
    assert dialog.port.text() == "465"
    assert dialog.password.text() == ""
    assert "enregistrés" in dialog.saved_label.text()
    screenshot(qtbot, dialog, "outbox_settings")

    # Opened again: the settings as saved.
    again = open_dialog(qtbot, sqlite_db, worker, store)
    assert again.host.text() == "smtp.hebergeur-demo.fr"
    assert again.security.currentData() == "ssl"
    assert again.login.text() == "facturation"


def test_without_keyring_the_other_settings_are_saved(
    qtbot: QtBot, sqlite_db: Database, worker: DbWorker
) -> None:
    dialog = open_dialog(qtbot, sqlite_db, worker, NoKeyring())
    dialog.host.setText("smtp.hebergeur-demo.fr")
    dialog.sender.setText(SENDER)
    dialog.login.setText("facturation")
    qtbot.keyClicks(dialog.password, "s3cret")
    click(qtbot, dialog.save_button)
    assert dialog.errors["password"].text() == NO_KEYRING_MESSAGE
    assert dialog.errors["password"].isVisible()
    assert "n'a pas été enregistré" in dialog.saved_label.text()
    saved = load_local_settings()
    assert (saved.smtp_host, saved.smtp_port, saved.smtp_login) == (
        "smtp.hebergeur-demo.fr",
        587,
        "facturation",
    )


def test_a_queued_message_is_sent(qtbot: QtBot, sqlite_db: Database, worker: DbWorker) -> None:
    queue(sqlite_db)
    with smtp_server() as server:
        use_server(server.port)
        dialog = open_dialog(qtbot, sqlite_db, worker)
        assert dialog.model.rowCount() == 1
        assert cells(dialog, 0)[:4] == ["En attente", "client@exemple.fr", "Votre facture", "0"]
        send(qtbot, dialog)
        assert len(server.received) == 1
        assert server.received[0].rcpt_tos == ["client@exemple.fr"]
    assert dialog.report is not None and dialog.report.sent == 1
    assert summary(dialog).startswith("1 envoyé(s), 0 en échec.")
    row = cells(dialog, 0)
    assert row[:4] == ["Envoyé", "client@exemple.fr", "Votre facture", "1"]
    assert row[4] != "" and row[5] == ""  # sent at, no error

    # The filter: nothing pending any more, one sent.
    dialog.status_filter.setCurrentIndex(1)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.model.rowCount() == 0, timeout=WAIT)
    dialog.status_filter.setCurrentIndex(2)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.model.rowCount() == 1, timeout=WAIT)


def test_an_unreachable_server_is_explained(
    qtbot: QtBot, sqlite_db: Database, worker: DbWorker
) -> None:
    queue(sqlite_db)
    port = free_port()
    use_server(port)
    dialog = open_dialog(qtbot, sqlite_db, worker)
    send(qtbot, dialog)
    reason = f"serveur injoignable : connexion refusée ({HOST}:{port})"
    assert cells(dialog, 0)[0] == "En attente"
    assert cells(dialog, 0)[3] == "1"
    assert cells(dialog, 0)[5] == reason
    assert summary(dialog).startswith("0 envoyé(s), 1 en échec.")
    assert reason in summary(dialog)
    screenshot(qtbot, dialog, "outbox_failed")
    dialog.grab().save("/tmp/outbox.png")


def test_failed_messages_are_sent_again(
    qtbot: QtBot, sqlite_db: Database, worker: DbWorker
) -> None:
    from tests.services.test_dunning import set_outbox_status

    first, second = queue(sqlite_db), queue(sqlite_db, "autre@exemple.fr", "Relance")
    set_outbox_status(sqlite_db, OutboxStatus.FAILED)
    dialog = open_dialog(qtbot, sqlite_db, worker)
    assert [cells(dialog, r)[0] for r in range(2)] == ["En échec", "En échec"]
    assert not dialog.retry_button.isEnabled()
    selection = dialog.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(dialog.model.index(0, 0), flags)
    assert dialog.selected_failed() == [second]
    click(qtbot, dialog.retry_button)
    qtbot.waitUntil(lambda: "remis en file" in summary(dialog), timeout=WAIT)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)
    states = {row.id: row.status for row in dialog.model.rows()}
    assert states == {first: OutboxStatus.FAILED, second: OutboxStatus.PENDING}


def test_sending_without_settings_says_what_is_missing(
    qtbot: QtBot, sqlite_db: Database, worker: DbWorker
) -> None:
    queue(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, worker)
    send(qtbot, dialog)
    text = summary(dialog)
    assert text.startswith("Le serveur d'envoi n'est pas configuré sur ce poste")
    assert "Le serveur SMTP est obligatoire." in text
    assert cells(dialog, 0)[:4] == ["En attente", "client@exemple.fr", "Votre facture", "0"]
