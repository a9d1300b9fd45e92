"""The client dialog as a user drives it: messages while typing, save, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialog_helpers import (
    assert_fits_small_screen,
    message,
    save_answering,
    shown,
)
from factories import SIREN, SIRET, VAT, business_draft, client
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.domain.enums import ClientKind, ContactRole, PaymentMethod
from desktop.services.clients import ClientDetails, get_client, update_client
from desktop.ui.dialogs.client_dialog import ClientDialog
from desktop.ui.widgets.validated_form import ValidatedForm


def open_dialog(qtbot: QtBot, db: Database, details: ClientDetails | None = None) -> ClientDialog:
    dialog = ClientDialog(None, db=db, details=details, actor="moi")
    return shown(qtbot, dialog)


def retype(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def fill_company(qtbot: QtBot, dialog: ClientDialog) -> None:
    qtbot.keyClicks(dialog.name, "Dupont SARL")
    qtbot.keyClicks(dialog.siren, "552 081 317")
    qtbot.keyClicks(dialog.billing_email, "compta@dupont.fr")


def test_a_new_client_cannot_be_saved_empty(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.text() == "Enregistrer"
    # Nothing typed yet: no red text, only what remains to fill in.
    assert message(dialog, "name") == ""
    assert "Nom" in dialog.pending_hint.text()


def test_a_bad_siret_is_explained_under_the_field(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    assert dialog.save_button.isEnabled()

    qtbot.keyClicks(dialog.siret, "5520813170001")
    assert message(dialog, "siret") == "Le SIRET doit comporter 14 chiffres (13 chiffres saisis)."
    assert not dialog.save_button.isEnabled()

    qtbot.keyClicks(dialog.siret, "9")
    assert message(dialog, "siret") == "Clé de contrôle du SIRET invalide."
    assert not dialog.save_button.isEnabled()

    qtbot.keyClick(dialog.siret, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.siret, "8")
    assert message(dialog, "siret") == ""
    assert dialog.save_button.isEnabled()


def test_the_siret_follows_the_siren(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    qtbot.keyClicks(dialog.siret, "73282932000009")
    assert message(dialog, "siret") == "Le SIRET doit commencer par le SIREN 552081317."
    retype(qtbot, dialog.siret, SIRET)
    assert dialog.save_button.isEnabled()
    assert dialog.vat_number.placeholderText() == VAT


def test_a_required_field_emptied_says_so(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    retype(qtbot, dialog.name, "")
    assert message(dialog, "name") == "Le nom du client est obligatoire."
    assert not dialog.save_button.isEnabled()


def test_a_consumer_is_not_asked_for_a_siren(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    qtbot.keyClicks(dialog.siren, "123")
    dialog.kind.setFocus()
    qtbot.keyClicks(dialog.kind, "Particulier")
    assert dialog.kind.value() is ClientKind.CONSUMER
    assert not dialog.siren.isVisible()
    assert not dialog.siret.isVisible()
    assert dialog.waiver.isVisible()
    qtbot.keyClicks(dialog.name, "Jeanne Martin")
    qtbot.keyClicks(dialog.billing_email, "jeanne@exemple.fr")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = get_client(sqlite_db, dialog.saved.id)
    assert stored.kind is ClientKind.CONSUMER
    assert stored.siren is None


def test_create_a_client_with_a_contact(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    qtbot.keyClicks(dialog.siret, SIRET)
    qtbot.keyClicks(dialog.postcode, "69 001")
    qtbot.keyClicks(dialog.city, "Lyon")
    qtbot.keyClicks(dialog.payment_method, "Pr")
    qtbot.mouseClick(dialog.contacts.add_button, Qt.MouseButton.LeftButton)
    row = dialog.contacts.rows[0]
    qtbot.keyClicks(row.role, "Facturation")
    qtbot.keyClicks(row.name, "Marie Curie")
    qtbot.keyClicks(row.email, "Marie.Curie@Dupont.FR")
    qtbot.mouseClick(row.primary, Qt.MouseButton.LeftButton)
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = get_client(sqlite_db, dialog.saved.id)
    assert stored == dialog.saved
    assert (stored.name, stored.siren, stored.siret) == ("Dupont SARL", SIREN, SIRET)
    assert (stored.postcode, stored.city) == ("69001", "Lyon")
    assert stored.payment_method is PaymentMethod.SEPA_DEBIT
    assert stored.code == "CL00001"
    [contact] = stored.contacts
    assert contact.role is ContactRole.BILLING
    assert (contact.name, contact.email, contact.is_primary) == (
        "Marie Curie",
        "Marie.Curie@dupont.fr",
        True,
    )


def test_contacts_are_validated_and_can_be_removed(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    editor = dialog.contacts
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    first, second = editor.rows
    qtbot.keyClicks(first.name, "Jean Dupont")
    qtbot.keyClicks(second.name, "Paul Durand")
    qtbot.keyClicks(second.email, "paul@")
    assert editor.errors.text() == (
        "Contact 2 — E-mail : Il manque le nom de domaine après le « @ » dans l'adresse e-mail."
    )
    assert second.email.toolTip().startswith("Il manque le nom de domaine")
    assert not dialog.save_button.isEnabled()

    qtbot.mouseClick(first.primary, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(second.primary, Qt.MouseButton.LeftButton)
    assert "Contact 2 — Principal : Un seul contact principal par rôle" in editor.errors.text()

    qtbot.mouseClick(first.remove, Qt.MouseButton.LeftButton)
    assert editor.rows == [second]
    assert editor.table.rowCount() == 1
    # The remaining contact is now the first one, and still checked.
    assert editor.errors.text() == (
        "Contact 1 — E-mail : Il manque le nom de domaine après le « @ » dans l'adresse e-mail."
    )
    qtbot.keyClicks(second.email, "durand.fr")
    assert not editor.errors.isVisible()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [contact] = get_client(sqlite_db, dialog.saved.id).contacts
    assert (contact.name, contact.email, contact.is_primary) == (
        "Paul Durand",
        "paul@durand.fr",
        True,
    )


def test_refusals_of_the_service_go_next_to_their_fields(qtbot: QtBot, sqlite_db: Database) -> None:
    client(sqlite_db, code="DUPONT")
    dialog = open_dialog(qtbot, sqlite_db)
    fill_company(qtbot, dialog)
    qtbot.keyClicks(dialog.code, "dupont")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.saved is None
    assert message(dialog, "code") == (
        "Le code « DUPONT » est déjà utilisé par le client Acme Industrie."
    )
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.code, "2")
    assert message(dialog, "code") == ""
    assert dialog.save_button.isEnabled()


def test_errors_without_a_field_are_shown_at_the_top(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    form = ValidatedForm(parent)
    form.show_errors({"contacts[1]": "Ce contact n'appartient pas à ce client."})
    assert form.general_error.text() == "Contact 2 : Ce contact n'appartient pas à ce client."


def edited(qtbot: QtBot, db: Database) -> tuple[ClientDialog, ClientDetails]:
    """A client open in the dialog, then changed and saved from another desktop."""
    details = client(db, name="Acme Industrie", phone="01 02 03 04 05")
    dialog = open_dialog(qtbot, db, details)
    assert dialog.name.text() == "Acme Industrie"
    assert dialog.save_button.isEnabled()
    other = update_client(
        db,
        details.id,
        business_draft(name="Acme Groupe", phone="09 99 99 99 99"),
        expected_version=details.version,
        actor="autre-poste",
    )
    retype(qtbot, dialog.name, "Acme Mine")
    return dialog, other


def test_a_conflict_can_keep_the_form(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other = edited(qtbot, sqlite_db)
    seen = save_answering(qtbot, dialog, "Annuler")

    assert seen[0].startswith("Ce client a été modifié par autre-poste le ")
    assert seen[0].endswith("Rien n'a été enregistré.")
    assert dialog.isVisible()
    assert dialog.name.text() == "Acme Mine"  # the typing is kept
    assert get_client(sqlite_db, other.id).name == "Acme Groupe"


def test_a_conflict_can_reload_the_record(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog, other = edited(qtbot, sqlite_db)
    save_answering(qtbot, dialog, "Recharger")

    assert dialog.isVisible()
    assert dialog.name.text() == "Acme Groupe"
    assert dialog.phone.text() == "09 99 99 99 99"
    assert get_client(sqlite_db, other.id).name == "Acme Groupe"
    # Saving now goes on from the version reloaded.
    retype(qtbot, dialog.name, "Acme Mine")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = get_client(sqlite_db, other.id)
    assert (stored.name, stored.phone, stored.updated_by) == ("Acme Mine", "09 99 99 99 99", "moi")


@pytest.mark.parametrize("kind", [ClientKind.BUSINESS, ClientKind.CONSUMER])
def test_the_dialog_fits_a_small_screen(
    qtbot: QtBot, sqlite_db: Database, kind: ClientKind, tmp_path: Path
) -> None:
    details = client(sqlite_db, kind=kind, siren=None if kind is ClientKind.CONSUMER else SIREN)
    dialog = open_dialog(qtbot, sqlite_db, details)
    assert_fits_small_screen(dialog, tmp_path / "client.png")
