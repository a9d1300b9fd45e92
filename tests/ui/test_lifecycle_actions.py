"""A mailbox's changes of state from its record: reason asked, floor exception, backup
confirmed before deletion, refusals shown; and its « Historique »."""

from __future__ import annotations

from datetime import date

import pytest
from dialog_helpers import message
from factories import World, mailbox, world
from pytestqt.qtbot import QtBot
from window_helpers import (
    WAIT,
    click,
    click_action,
    confirm_and_close,
    confirm_reason,
    field,
    fill_reason,
    make_window,
    open_view,
    plain,
    screenshot,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.domain.enums import LifecycleKind, MailboxStatus
from desktop.services.contracts import ContractDraft, create_contract
from desktop.services.events import Subject, event_history
from desktop.services.lifecycle import BACKUP_WARNING, change_mailbox_status
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import (
    MailboxDetails,
    MailboxDraft,
    create_mailbox,
    get_mailbox,
    list_mailboxes,
)
from desktop.ui.dialogs.reason_dialog import REASON_REQUIRED, ReasonDialog
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.billing_override_actions import RESTORE, SHORTEN
from desktop.ui.views.mailbox_actions import BACKUP_CONFIRMATION, EXCEPTION_BUTTON
from desktop.ui.views.records import MailboxView

pytestmark = pytest.mark.usefixtures("fresh_settings")
S = MailboxStatus


def open_mailbox(qtbot: QtBot, db: Database, mailbox_id: int) -> MailboxView:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.MAILBOX, mailbox_id)
    assert isinstance(view, MailboxView)
    return view


def action(qtbot: QtBot, view: MailboxView, caption: str) -> ReasonDialog:
    dialog = click_action(qtbot, view, caption)
    assert isinstance(dialog, ReasonDialog)
    return dialog


def buttons(view: MailboxView) -> list[str]:
    layout = view.action_layout
    return [layout.itemAt(i).widget().text() for i in range(layout.count())]  # type: ignore[union-attr]


def started_contract(db: Database, w: World, start: date) -> int:
    draft = ContractDraft(client_id=w.client_id, product_line_id=w.he_line_id, service_start=start)
    return create_contract(db, draft, actor="tester").id


def active_mailbox(db: Database, w: World, contract_id: int, name: str) -> MailboxDetails:
    box = create_mailbox(
        db,
        MailboxDraft(
            contract_id=contract_id, domain_id=w.domain_id, plan_id=w.he_plan_id, local_part=name
        ),
        actor="tester",
    )
    return change_mailbox_status(
        db,
        box.id,
        S.ACTIVE,
        reason="Ouverture",
        expected_version=box.version,
        actor="tester",
        on=date(2025, 1, 6),
    )


def test_one_button_per_move_the_lifecycle_allows(qtbot: QtBot, demo_db: Database) -> None:
    active = list_mailboxes(demo_db, ListQuery(filters={"status": "active"}, limit=1)).rows[0]
    view = open_mailbox(qtbot, demo_db, active.id)
    assert buttons(view) == [
        "Suspendre…",
        "Demander le non-renouvellement…",
        "Résilier…",
        SHORTEN,
    ]
    screenshot(qtbot, view, "mailbox_view")


def test_suspending_asks_the_reason_and_logs_it(qtbot: QtBot, demo_db: Database) -> None:
    active = list_mailboxes(demo_db, ListQuery(filters={"status": "active"}, limit=1)).rows[0]
    view = open_mailbox(qtbot, demo_db, active.id)
    dialog = action(qtbot, view, "Suspendre…")
    assert dialog.date is None  # suspending dates nothing: the log does
    assert not dialog.action_button.isEnabled()
    dialog.reason.setPlainText("   ")
    assert message(dialog, "reason") == REASON_REQUIRED  # type: ignore[arg-type]
    fill_reason(dialog, "Demande de l'administrateur : salarié en congé long.")
    screenshot(qtbot, dialog, "reason_dialog")
    confirm_and_close(qtbot, dialog)
    assert get_mailbox(demo_db, active.id).status is S.SUSPENDED
    wait_reloaded(qtbot, view, lambda r: r.status is S.SUSPENDED)
    assert buttons(view) == ["Activer…", "Demander le non-renouvellement…", "Résilier…", SHORTEN]
    assert plain(view.notice.text()) == f"{active.display_address} : suspendue."
    qtbot.waitUntil(lambda: bool(view.history.events()), timeout=WAIT)
    latest = view.history.events()[0]
    assert (latest.from_status, latest.to_status, latest.by) == (
        "active",
        "suspended",
        "poste-test",
    )
    assert latest.reason == "Demande de l'administrateur : salarié en congé long."
    model = view.history.model
    assert model.index(0, 3).data() == "Active → Suspendue"


def test_a_non_renewal_request_under_the_floor_takes_a_managers_exception(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    w = world(sqlite_db)
    contract_id = started_contract(sqlite_db, w, date(2025, 1, 6))
    first, second = (active_mailbox(sqlite_db, w, contract_id, n) for n in ("anne", "bruno"))
    change_mailbox_status(
        sqlite_db,
        first.id,
        S.NON_RENEWAL_REQUESTED,
        reason="Départ d'Anne",
        expected_version=first.version,
        actor="tester",
    )
    view = open_mailbox(qtbot, sqlite_db, second.id)
    dialog = action(qtbot, view, "Demander le non-renouvellement…")
    assert dialog.date is not None and dialog.date.text()  # today, by default
    fill_reason(dialog, "E-mail du client : départ de Bruno.")
    confirm_reason(qtbot, dialog)
    general = dialog.form.general_error
    assert general.isVisible()
    assert general.text().startswith("Demande de non-renouvellement refusée : au ")
    assert "0 boîte(s) sur 2 seraient renouvelées, moins que le minimum de 1" in general.text()
    assert get_mailbox(sqlite_db, second.id).status is S.ACTIVE
    assert [b.text() for b in dialog.offers] == [EXCEPTION_BUTTON]
    screenshot(qtbot, dialog, "floor_refused")
    click(qtbot, dialog.offers[0])
    exception = dialog.follow_up
    assert isinstance(exception, ReasonDialog)
    qtbot.waitUntil(exception.isVisible, timeout=WAIT)
    assert "0 boîte(s) sur 2" in exception.intro.text()
    fill_reason(exception, "Accord du gérant : le client ferme son agence.")
    with qtbot.waitSignal(dialog.completed, timeout=WAIT):
        click(qtbot, exception.action_button)
    assert get_mailbox(sqlite_db, second.id).status is S.NON_RENEWAL_REQUESTED
    events = event_history(sqlite_db, Subject(mailbox_id=second.id))
    granted = next(e for e in events if e.kind is LifecycleKind.RENEWAL_FLOOR_EXCEPTION)
    assert granted.reason is not None
    assert granted.reason.startswith("Accord du gérant : le client ferme son agence. — dérogation")
    assert events[0].reason == "E-mail du client : départ de Bruno."
    qtbot.waitUntil(lambda: len(view.history.events()) == len(events), timeout=WAIT)
    assert view.history.model.index(0, 2).data() in {
        "Changement d'état",
        "Dérogation au plancher de renouvellement",
    }


def test_deleting_needs_the_clients_own_backup(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    box = mailbox(sqlite_db, w, "ancien")
    change_mailbox_status(
        sqlite_db,
        box.id,
        S.TERMINATED,
        reason="Demande annulée",
        expected_version=box.version,
        actor="tester",
    )
    view = open_mailbox(qtbot, sqlite_db, box.id)
    assert buttons(view) == ["Supprimer les données…"]
    dialog = action(qtbot, view, "Supprimer les données…")
    assert dialog.warning.isVisible() and dialog.warning.text() == BACKUP_WARNING
    assert dialog.confirm is not None and dialog.confirm.text() == BACKUP_CONFIRMATION
    fill_reason(dialog, "Fin de la conservation des données.")
    assert not dialog.action_button.isEnabled()
    assert dialog.pending_hint.text() == "À compléter : Confirmation"
    dialog.confirm_change()  # Ctrl+Entrée, unticked: nothing happens
    assert dialog.isVisible() and not dialog._busy
    dialog.confirm.setChecked(True)
    dialog.confirm.setChecked(False)
    assert message(dialog, "backup_confirmed") == "Cochez cette case pour confirmer."  # type: ignore[arg-type]
    assert get_mailbox(sqlite_db, box.id).status is S.TERMINATED
    screenshot(qtbot, dialog, "delete_dialog")
    dialog.confirm.setChecked(True)
    confirm_and_close(qtbot, dialog)
    assert get_mailbox(sqlite_db, box.id).status is S.DELETED
    wait_reloaded(qtbot, view, lambda r: r.status is S.DELETED)
    assert buttons(view) == ["Anonymiser…"]  # a deleted mailbox's personal data can go


def test_a_refused_move_says_why_in_french(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)  # its contracts have no service start yet
    box = mailbox(sqlite_db, w, "nouveau")
    view = open_mailbox(qtbot, sqlite_db, box.id)
    assert buttons(view) == ["Activer…", "Résilier…"]
    dialog = action(qtbot, view, "Activer…")
    assert dialog.date is not None
    fill_reason(dialog, "Service en place.")
    confirm_reason(qtbot, dialog)
    assert dialog.form.general_error.text() == (
        "Le contrat C2026-00001 est « Actif » : ses boîtes ne s'ouvrent qu'une fois le service "
        "démarré (date de début du service)."
    )
    assert get_mailbox(sqlite_db, box.id).status is S.REQUESTED


def test_a_change_made_meanwhile_elsewhere_is_not_overwritten(
    qtbot: QtBot, demo_db: Database
) -> None:
    active = list_mailboxes(demo_db, ListQuery(filters={"status": "active"}, limit=1)).rows[0]
    view = open_mailbox(qtbot, demo_db, active.id)
    shown = view.record
    dialog = action(qtbot, view, "Résilier…")
    change_mailbox_status(  # another desktop, meanwhile
        demo_db,
        active.id,
        S.SUSPENDED,
        reason="Impayé",
        expected_version=shown.version,
        actor="autre-poste",
    )
    fill_reason(dialog, "Demande du client.")
    confirm_reason(qtbot, dialog)
    assert "autre-poste" in dialog.form.general_error.text()
    assert dialog.form.general_error.text().endswith("vérifiez-la puis recommencez.")
    assert get_mailbox(demo_db, active.id).status is S.SUSPENDED


def test_billing_shortened_then_restored_from_the_record(qtbot: QtBot, demo_db: Database) -> None:
    active = list_mailboxes(demo_db, ListQuery(filters={"status": "active"}, limit=1)).rows[0]
    view = open_mailbox(qtbot, demo_db, active.id)
    dialog = action(qtbot, view, SHORTEN)
    assert dialog.date is not None and dialog.date.text()  # the month's last day offered
    fill_reason(dialog, "Départ anticipé accepté à titre exceptionnel.", date(2026, 12, 15))
    screenshot(qtbot, dialog, "billing_override_dialog")
    confirm_and_close(qtbot, dialog)
    wait_reloaded(qtbot, view, lambda r: r.billing_ends_on == date(2026, 12, 15))
    assert plain(view.notice.text()) == (
        f"{active.display_address} : facturée jusqu'au 15/12/2026."
    )
    assert field(view, "Facturée jusqu'au") == "15/12/2026"
    assert buttons(view)[-2:] == [SHORTEN, RESTORE]
    qtbot.waitUntil(lambda: bool(view.history.events()), timeout=WAIT)
    assert view.history.model.index(0, 3).data() == "jusqu'à la fin → jusqu'au 15/12/2026"

    dialog = action(qtbot, view, RESTORE)
    assert dialog.date is None
    fill_reason(dialog, "Erreur de saisie.")
    confirm_and_close(qtbot, dialog)
    wait_reloaded(qtbot, view, lambda r: r.billing_ends_on is None)
    assert RESTORE not in buttons(view)
