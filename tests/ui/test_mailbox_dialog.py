"""The mailbox dialog as a user drives it: cascading choices, address, save, conflicts."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from dialog_helpers import (
    assert_fits_small_screen,
    message,
    popup_warnings,
    save_answering,
    shown,
)
from factories import (
    OTHER_SIREN,
    World,
    client,
    contract,
    mailbox,
    mailbox_draft,
    world,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.db.models import Contract, Mailbox
from desktop.domain.enums import ContractStatus, MailboxKind, MailboxStatus
from desktop.services.mailboxes import MailboxDetails, get_mailbox, update_mailbox
from desktop.ui.dialogs.mailbox_dialog import NO_CONTRACT, NO_DOMAIN, MailboxDialog


def open_dialog(qtbot: QtBot, db: Database, **kwargs: object) -> MailboxDialog:
    dialog = MailboxDialog(None, db=db, actor="moi", **kwargs)  # type: ignore[arg-type]
    return shown(qtbot, dialog)


def entries(box: object) -> list[str]:
    return [box.itemText(row) for row in range(box.count())]  # type: ignore[attr-defined]


def test_the_local_part_is_checked_and_the_address_shown(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    assert dialog.focusWidget() is dialog.local_part
    assert dialog.at_domain.text() == "@acme.fr"
    qtbot.keyClicks(dialog.local_part, "Jean Dupont")
    assert message(dialog, "local_part") == (
        "La partie locale de l'adresse ne doit pas contenir d'espace."
    )
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.local_part, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.local_part, "Prenom.Nom")
    assert message(dialog, "local_part") == ""
    assert dialog.address.text() == "prenom.nom@acme.fr"
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.local_part, ".")
    assert message(dialog, "local_part") == (
        "La partie locale ne doit pas se terminer par un point."
    )


def test_create_a_mailbox(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    assert not dialog.client.isEnabled()
    assert entries(dialog.contract) == [
        "C2026-00001 — Hosted Exchange (Actif)",
        "C2026-00002 — Office 365 (Actif)",
    ]
    assert entries(dialog.plan) == [
        "Exchange Standard (10 Go, utilisateur)",
        "Exchange Plus (50 Go, utilisateur)",
    ]
    assert dialog.quota.text() == "Selon la formule (10 Go, utilisateur)"
    qtbot.keyClick(dialog.plan, Qt.Key.Key_Down)
    assert dialog.plan.current_id() == w.he_big_plan_id
    assert dialog.quota.text() == "Selon la formule (50 Go, utilisateur)"
    qtbot.keyClicks(dialog.local_part, "prenom.nom")
    qtbot.keyClicks(dialog.display_name, "Prenom Nom")
    qtbot.keyClicks(dialog.kind, "Partag")
    assert dialog.kind.value() is MailboxKind.SHARED
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = get_mailbox(sqlite_db, dialog.saved.id)
    assert stored == dialog.saved
    assert stored.address == "prenom.nom@acme.fr"
    assert (stored.contract_id, stored.plan_id, stored.domain_id) == (
        w.he_contract_id,
        w.he_big_plan_id,
        w.domain_id,
    )
    assert (stored.display_name, stored.kind, stored.quota_gb) == (
        "Prenom Nom",
        MailboxKind.SHARED,
        50,
    )
    assert stored.status is MailboxStatus.REQUESTED
    assert stored.updated_by == "moi"


@popup_warnings
def test_choosing_a_client_then_a_contract_narrows_the_lists(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    w = world(sqlite_db)
    client(sqlite_db, name="Durand", siren=OTHER_SIREN)
    contract(
        sqlite_db, w.client_id, w.he_line_id, number="C2026-00009", status=ContractStatus.TERMINATED
    )
    dialog = open_dialog(qtbot, sqlite_db)
    assert dialog.contract.count() == 0
    assert not dialog.save_button.isEnabled()

    dialog.client.setFocus()
    qtbot.keyClicks(dialog.client.lineEdit(), "acme")
    popup = dialog.client.completer().popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.client.current_id() == w.client_id
    assert entries(dialog.contract) == [  # the terminated one is not offered
        "C2026-00001 — Hosted Exchange (Actif)",
        "C2026-00002 — Office 365 (Actif)",
    ]
    assert entries(dialog.domain) == ["acme.fr (principal)"]

    qtbot.keyClicks(dialog.contract, "C2026-00002")
    assert dialog.contract.current_id() == w.o365_contract_id
    assert entries(dialog.plan) == ["Business Basic (50 Go, utilisateur)"]
    qtbot.keyClicks(dialog.local_part, "jean")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = get_mailbox(sqlite_db, dialog.saved.id)
    assert (stored.contract_id, stored.plan_id, stored.product_line_name) == (
        w.o365_contract_id,
        w.o365_plan_id,
        "Office 365",
    )


def test_a_client_without_domain_or_contract_is_told_why(qtbot: QtBot, sqlite_db: Database) -> None:
    bare = client(sqlite_db, name="Durand", siren=OTHER_SIREN)
    dialog = open_dialog(qtbot, sqlite_db, client_id=bare.id)
    assert message(dialog, "domain_id") == NO_DOMAIN
    assert message(dialog, "contract_id") == NO_CONTRACT
    assert not dialog.save_button.isEnabled()


def test_an_address_taken_is_refused_next_to_the_field(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    mailbox(sqlite_db, w, "jean")
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    qtbot.keyClicks(dialog.local_part, "Jean")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is None
    assert message(dialog, "local_part") == "L'adresse jean@acme.fr existe déjà."
    assert not dialog.save_button.isEnabled()


def edited(qtbot: QtBot, db: Database) -> tuple[MailboxDialog, MailboxDetails, World]:
    """A mailbox open in the dialog, then changed and saved from another desktop."""
    w = world(db)
    details = mailbox(db, w, "jean", display_name="Jean")
    dialog = open_dialog(qtbot, db, details=details)
    assert dialog.local_part.text() == "jean"
    assert dialog.display_name.text() == "Jean"
    assert dialog.save_button.isEnabled()
    other = update_mailbox(
        db,
        details.id,
        mailbox_draft(w, "jean", display_name="Jean Dupont", quota_gb=8),
        expected_version=details.version,
        actor="autre-poste",
    )
    qtbot.keyClick(dialog.display_name, Qt.Key.Key_End)
    qtbot.keyClicks(dialog.display_name, " Martin")
    return dialog, other, w


def test_a_conflict_can_keep_the_form(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other, _ = edited(qtbot, sqlite_db)
    seen = save_answering(qtbot, dialog, "Annuler")
    assert seen[0].startswith("Cette boîte aux lettres a été modifiée par autre-poste le ")
    assert dialog.isVisible()
    assert dialog.display_name.text() == "Jean Martin"
    assert get_mailbox(sqlite_db, other.id).display_name == "Jean Dupont"


def test_a_conflict_can_reload_the_record(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other, _ = edited(qtbot, sqlite_db)
    save_answering(qtbot, dialog, "Recharger")
    assert dialog.isVisible()
    assert dialog.display_name.text() == "Jean Dupont"
    assert dialog.quota.value() == 8
    assert get_mailbox(sqlite_db, other.id).display_name == "Jean Dupont"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.saved.updated_by == "moi"


def test_an_active_mailbox_keeps_its_address(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    details = mailbox(sqlite_db, w, "jean")
    with sqlite_db.session_scope() as session:  # activated, then its contract terminated
        session.execute(
            sa.update(Mailbox).where(Mailbox.id == details.id).values(status=MailboxStatus.ACTIVE)
        )
        session.execute(
            sa.update(Contract)
            .where(Contract.id == w.he_contract_id)
            .values(status=ContractStatus.TERMINATED)
        )
    dialog = open_dialog(qtbot, sqlite_db, details=get_mailbox(sqlite_db, details.id))
    assert not dialog.local_part.isEnabled()
    assert not dialog.contract.isEnabled()
    assert dialog.frozen.text().endswith("la boîte est à l'état «\u00a0Active\u00a0».")
    # Its contract, terminated since, is still shown as its own.
    assert dialog.contract.current_id() == w.he_contract_id
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.display_name, "Jean")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_mailbox(sqlite_db, details.id).display_name == "Jean"


def test_the_dialog_fits_a_small_screen(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, details=mailbox(sqlite_db, w, "jean"))
    assert_fits_small_screen(dialog, tmp_path / "mailbox.png")
