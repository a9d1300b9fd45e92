"""The contract screens as an office user drives them: the record, the termination
simulation, the create/edit dialog, the end of the contract, the signed copy, printing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dialog_helpers import message, shown
from factories import client, world
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from window_helpers import (
    WAIT,
    OpenedUrls,
    click,
    click_action,
    confirm_and_close,
    field,
    fill_reason,
    make_window,
    open_view,
    plain,
    screenshot,
    tab_titles,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.db.models import ProductLine
from desktop.domain.enums import ClientKind, MailboxStatus, PaymentMethod, ProductLineCode
from desktop.services.choices import product_line_choices
from desktop.services.clients import list_clients
from desktop.services.contracts import (
    ContractDetails,
    ContractDraft,
    create_contract,
    find_contract,
    get_contract,
)
from desktop.services.lifecycle import change_mailbox_status
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import MailboxDraft, create_mailbox, get_mailbox, list_mailboxes
from desktop.services.termination import simulate_termination
from desktop.ui import editing
from desktop.ui.dialogs.contract_dialog import SEPA_REFUSED, WAIVER_REQUIRED, ContractDialog
from desktop.ui.dialogs.termination_dialog import TerminationDialog
from desktop.ui.formatting import french_date, money
from desktop.ui.main_window import Actions, MainWindow
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views import contract_actions as ca
from desktop.ui.views.records import ContractView

pytestmark = pytest.mark.usefixtures("fresh_settings")


def line_id(db: Database, code: ProductLineCode) -> int:
    return next(line.id for line in product_line_choices(db) if line.code is code)


def business_client_id(db: Database) -> int:
    return list_clients(db, ListQuery(filters={"kind": "business"}, limit=1)).rows[0].id


def spec_example_contract(db: Database) -> ContractDetails:
    """Rules §4's example: Office 365, 36 months from 2026-01-01."""
    draft = ContractDraft(
        client_id=business_client_id(db),
        product_line_id=line_id(db, ProductLineCode.OFFICE_365),
        ordered_on=date(2025, 12, 15),
        signed_on=date(2025, 12, 16),
        service_start=date(2026, 1, 1),
        initial_months=36,
        payment_method=PaymentMethod.TRANSFER,
    )
    return create_contract(db, draft, actor="tester")


def open_contract(qtbot: QtBot, db: Database, contract_id: int) -> tuple[MainWindow, ContractView]:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, contract_id)
    assert isinstance(view, ContractView)
    return window, view


# --- the record ---------------------------------------------------------------------------


def test_the_contract_record_shows_its_terms_period_and_actions(
    qtbot: QtBot, demo_db: Database
) -> None:
    contract = find_contract(demo_db, "C2023-00005")
    window, view = open_contract(qtbot, demo_db, contract.id)
    assert view.heading.text() == "Contrat C2023-00005"
    assert field(view, "Client") == contract.client_name
    assert field(view, "Gamme") == "Office 365"
    assert field(view, "Début du service") == french_date(contract.service_start)
    period = contract.current_period
    assert period is not None and period.number == 1
    assert field(view, "Période en cours") == (
        f"du {french_date(period.start)} au {french_date(period.end)} (renouvellement n° 1)"
    )
    assert field(view, "Prochaine échéance") == french_date(period.next_start)
    assert field(view, "Copie signée") == "Aucune"
    for caption in (ca.PRINT, ca.SAVE, ca.SIMULATE, ca.ATTACH, ca.ACTIVATE, ca.END):
        button = view.button(caption)
        assert button is not None and button.isEnabled(), caption
    scan = view.button(ca.OPEN_SCAN)
    assert scan is not None and not scan.isEnabled()
    assert view.button(ca.WITHDRAW) is None
    qtbot.waitUntil(lambda: tab_titles(view)[-1] != "Historique", timeout=WAIT)
    assert tab_titles(view)[0] == f"Boîtes aux lettres ({contract.mailbox_count})"
    assert tab_titles(view)[1].startswith("Historique (")
    screenshot(qtbot, window, "contract_window")
    screenshot(qtbot, view, "contract_view")


def test_the_initial_period_reads_as_such(qtbot: QtBot, demo_db: Database) -> None:
    contract = spec_example_contract(demo_db)
    _window, view = open_contract(qtbot, demo_db, contract.id)
    assert field(view, "Période en cours") == "du 01/01/2026 au 31/12/2028 (période initiale)"
    assert field(view, "Prochaine échéance") == "01/01/2029"
    assert "engagement initial de 36 mois" in field(view, "Durées")


# --- the termination simulation -------------------------------------------------------------


def open_simulation(qtbot: QtBot, view: ContractView) -> TerminationDialog:
    dialog = click_action(qtbot, view, ca.SIMULATE)
    assert isinstance(dialog, TerminationDialog)
    qtbot.waitUntil(lambda: dialog.simulation is not None, timeout=WAIT)
    return dialog


def test_simulating_a_termination_prefills_the_contract_fees(
    qtbot: QtBot, demo_db: Database
) -> None:
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    dialog = open_simulation(qtbot, view)
    expected = simulate_termination(demo_db, contract.id, dialog.effective.date(), actor="t").fee
    assert f"{dialog.fees.value():.2f}" == f"{expected.monthly_fixed_fees:.2f}"
    monthly = money(expected.monthly_fixed_fees)
    assert [plain(line) for line in dialog.breakdown()] == [
        plain(f"{expected.months_full} mois à 100 % × {monthly} = {money(expected.amount_full)}"),
        plain(
            f"{expected.months_reduced} mois à 50 % × {monthly} = {money(expected.amount_reduced)}"
        ),
        plain(f"Total {money(expected.total)}"),
    ]
    assert "18 boîtes" in dialog.fees_note.text()


def test_the_rules_example_fee_is_3000_euros(qtbot: QtBot, demo_db: Database) -> None:
    contract = spec_example_contract(demo_db)
    _window, view = open_contract(qtbot, demo_db, contract.id)
    dialog = open_simulation(qtbot, view)
    assert dialog.fees.value() == 0  # no mailbox yet: nothing computed
    dialog.effective.setText("15/10/2026")
    dialog.fees.setValue(200)
    qtbot.waitUntil(
        lambda: plain(dialog.breakdown()[0]) == "3 mois à 100 % × 200,00 € = 600,00 €",
        timeout=WAIT,
    )
    assert [plain(line) for line in dialog.breakdown()] == [
        "3 mois à 100 % × 200,00 € = 600,00 €",
        "24 mois à 50 % × 200,00 € = 2 400,00 €",
        "Total 3 000,00 €",
    ]
    assert "font-weight: bold" in dialog.total.styleSheet()
    assert plain(dialog.period.text()) == (
        "Période en cours : du 01/01/2026 au 31/12/2028 (période initiale)"
    )
    assert dialog.print_button.isEnabled()
    screenshot(qtbot, dialog, "termination_dialog")
    # Before the service started: refused next to the date, nothing to print.
    dialog.effective.setText("15/12/2025")
    qtbot.waitUntil(lambda: dialog.date_error.isVisible(), timeout=WAIT)
    assert dialog.date_error.text() == (
        "La date du 15/12/2025 précède le début du service (01/01/2026)."
    )
    assert not dialog.print_button.isEnabled()
    dialog.effective.setText("15/10/20")
    dialog.effective.setText("15/10/")
    qtbot.waitUntil(lambda: dialog.date_error.text().startswith("Date attendue"), timeout=WAIT)
    assert plain(dialog.breakdown()[-1]) == "Total —"
    # Back to the fees computed from the (empty) contract.
    dialog.effective.setText("15/10/2026")
    click(qtbot, dialog.recompute_button)
    qtbot.waitUntil(lambda: plain(dialog.breakdown()[-1]) == "Total 0,00 €", timeout=WAIT)


def test_printing_a_simulation(qtbot: QtBot, demo_db: Database, opened_urls: OpenedUrls) -> None:
    pytest.importorskip("desktop.documents.termination_pdf")
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    dialog = open_simulation(qtbot, view)
    click(qtbot, dialog.print_button)
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")
    assert "C2023-00005" in Path(opened_urls[0]).name


def test_printing_the_contract(qtbot: QtBot, demo_db: Database, opened_urls: OpenedUrls) -> None:
    pytest.importorskip("desktop.documents.contract_pdf")
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    click(qtbot, view.button(ca.PRINT))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).name == "Contrat C2023-00005.pdf"
    assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")


# --- the create / edit dialog ---------------------------------------------------------------


def open_dialog(qtbot: QtBot, db: Database, **kwargs: object) -> ContractDialog:
    return shown(qtbot, ContractDialog(None, db=db, actor="moi", **kwargs))  # type: ignore[arg-type]


def consumer_id(db: Database) -> int:
    return client(db, kind=ClientKind.CONSUMER, name="Jeanne Martin", siren=None).id


def test_a_consumer_contract_needs_the_waiver_date(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=consumer_id(sqlite_db))
    assert not dialog.client.isEnabled()
    assert dialog.waiver.isEnabled()
    dialog.product_line.select(w.he_line_id)
    assert [dialog.initial_months.itemText(i) for i in range(dialog.initial_months.count())] == [
        "12 mois"
    ]
    dialog.ordered_on.setText("20/11/2026")
    dialog.service_start.setText("01/12/2026")
    assert message(dialog, "consumer_waiver_on") == WAIVER_REQUIRED
    assert not dialog.save_button.isEnabled()
    dialog.waiver.setText("25/11/2026")
    assert message(dialog, "consumer_waiver_on") == ""
    assert dialog.save_button.isEnabled()
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = get_contract(sqlite_db, dialog.saved.id)
    assert saved.consumer_waiver_on == date(2026, 11, 25)
    assert saved.service_start == date(2026, 12, 1)
    assert (saved.initial_months, saved.renewal_months) == (12, 12)
    assert saved.status.value == "active"


def test_the_initial_order_is_not_paid_by_sepa_debit(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    assert not dialog.waiver.isEnabled()  # a business: no withdrawal right to waive
    dialog.product_line.select(w.he_line_id)
    dialog.payment_method.set_value(PaymentMethod.SEPA_DEBIT)
    assert message(dialog, "payment_method") == SEPA_REFUSED
    assert not dialog.save_button.isEnabled()
    dialog.payment_method.set_value(PaymentMethod.TRANSFER)
    assert message(dialog, "payment_method") == ""
    assert dialog.save_button.isEnabled()


def test_a_refusal_of_the_service_shows_by_its_field(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    dialog.product_line.select(w.he_line_id)
    dialog.ordered_on.setText("10/11/2026")
    dialog.signed_on.setText("01/11/2026")
    assert message(dialog, "signed_on") == "La signature ne peut précéder la commande."
    dialog.signed_on.setText("12/11/2026")
    dialog.service_start.setText("1/13/2026")
    assert message(dialog, "service_start") == "Cette date n'existe pas : 1/13/2026."
    dialog.service_start.setText("15112026")
    with sqlite_db.session_scope() as session:  # the line's terms changed meanwhile
        line = session.get(ProductLine, w.he_line_id)
        assert line is not None
        line.initial_months_choices = "24"
    click(qtbot, dialog.save_button)
    assert message(dialog, "initial_months") == (
        "Engagement initial (mois) : L'engagement initial Hosted Exchange est de 24 mois."
    )
    assert dialog.isVisible()


def test_the_product_line_offers_its_commitments(qtbot: QtBot, demo_db: Database) -> None:
    dialog = open_dialog(qtbot, demo_db, client_id=business_client_id(demo_db))
    months = lambda: [  # noqa: E731
        dialog.initial_months.itemText(i) for i in range(dialog.initial_months.count())
    ]
    dialog.product_line.select(line_id(demo_db, ProductLineCode.OFFICE_365))
    assert months() == ["12 mois", "24 mois", "36 mois"]
    assert dialog.initial_months.currentText() == "12 mois"
    assert "renouvellement tacite par 12 mois" in dialog.terms_note.text()
    dialog.initial_months.setCurrentIndex(2)
    dialog.product_line.select(line_id(demo_db, ProductLineCode.HOSTED_EXCHANGE))
    assert months() == ["12 mois"]
    screenshot(qtbot, dialog, "contract_dialog")


def test_editing_a_contract_with_mailboxes(qtbot: QtBot, demo_db: Database) -> None:
    contract = find_contract(demo_db, "C2023-00005")
    dialog = editing._dialog(demo_db, "moi", None, RecordKind.CONTRACT, contract.id, None)  # type: ignore[arg-type]
    assert isinstance(dialog, ContractDialog)
    shown(qtbot, dialog)
    assert not dialog.client.isEnabled()
    assert not dialog.product_line.isEnabled()  # it carries mailboxes
    assert dialog.initial_months.currentData() == contract.initial_months
    assert dialog.service_start.text() == french_date(contract.service_start)
    assert not dialog.service_start.isEnabled()  # an anniversary has passed
    dialog.notes.setPlainText("Client historique : interlocuteur unique au siège.")
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert get_contract(demo_db, contract.id).notes == (
        "Client historique : interlocuteur unique au siège."
    )


def test_new_contracts_are_made_from_the_client_record(qtbot: QtBot, demo_db: Database) -> None:
    asked: list[tuple[RecordKind, int | None, int | None]] = []

    def edit(
        _parent: object, kind: RecordKind, record_id: int | None, client_id: int | None
    ) -> bool:
        asked.append((kind, record_id, client_id))
        return False

    window = MainWindow(demo_db, actions=Actions(edit=edit), actor="moi")
    qtbot.addWidget(window)
    window.show()
    client_id = business_client_id(demo_db)
    view = open_view(qtbot, window, RecordKind.CLIENT, client_id)
    click(qtbot, view.button("Nouveau contrat…"))
    contracts = next(
        view.tabs.widget(i) for i in range(view.tabs.count()) if "Contrats" in view.tabs.tabText(i)
    )
    contracts.new_requested.emit(RecordKind.CONTRACT)  # « Nouveau… » of the list's menu
    assert asked == [(RecordKind.CONTRACT, None, client_id)] * 2
    dialog = editing._dialog(demo_db, "moi", window, RecordKind.CONTRACT, None, client_id)
    assert isinstance(dialog, ContractDialog) and not dialog.client.isEnabled()
    assert dialog.client.current_id() == client_id
    dialog.deleteLater()


# --- the end of the contract, its mailboxes, its signed copy --------------------------------


def test_not_renewing_then_withdrawing(qtbot: QtBot, demo_db: Database) -> None:
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    dialog = click_action(qtbot, view, ca.END)
    fill_reason(dialog, "Courrier du client reçu le 20/11 : fin à l'échéance.")  # type: ignore[arg-type]
    confirm_and_close(qtbot, dialog)  # type: ignore[arg-type]
    ended = wait_reloaded(qtbot, view, lambda r: r.ends_on is not None)
    # The end of the period running, or later: an account's own 12-month commitment.
    assert ended.ends_on >= date(2026, 12, 23)
    end = french_date(ended.ends_on)
    assert field(view, "Fin demandée").endswith(f"fin le {end}")
    assert plain(view.notice.text()) == (
        f"Non-renouvellement enregistré : le contrat prend fin le {end}."
    )
    active = ListQuery(filters={"contract_id": contract.id, "status": "active"})
    assert list_mailboxes(demo_db, active).total == 0  # every account ends with it
    qtbot.waitUntil(lambda: view.button(ca.WITHDRAW) is not None, timeout=WAIT)
    dialog = click_action(qtbot, view, ca.WITHDRAW)
    fill_reason(dialog, "Le client revient sur sa décision (appel du 21/11).")  # type: ignore[arg-type]
    confirm_and_close(qtbot, dialog)  # type: ignore[arg-type]
    wait_reloaded(qtbot, view, lambda r: r.ends_on is None)
    assert list_mailboxes(demo_db, active).total == 17  # back, the one asked before aside
    assert view.button(ca.END) is not None
    qtbot.waitUntil(lambda: "retirée" in (view.history.events()[0].reason or ""), timeout=WAIT)


def test_opening_the_requested_mailboxes(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    contract = create_contract(
        sqlite_db,
        ContractDraft(
            client_id=w.client_id, product_line_id=w.he_line_id, service_start=date(2026, 11, 2)
        ),
        actor="tester",
    )
    boxes = [
        create_mailbox(
            sqlite_db,
            MailboxDraft(
                contract_id=contract.id,
                domain_id=w.domain_id,
                plan_id=w.he_plan_id,
                local_part=name,
            ),
            actor="tester",
        )
        for name in ("anne", "bruno")
    ]
    _window, view = open_contract(qtbot, sqlite_db, contract.id)
    dialog = click_action(qtbot, view, ca.ACTIVATE)
    fill_reason(dialog, "Service en place, codes remis à l'administrateur.", date(2026, 11, 20))  # type: ignore[arg-type]
    confirm_and_close(qtbot, dialog)  # type: ignore[arg-type]
    assert view.notice.text() == "2 boîtes activées."
    for box in boxes:
        opened = get_mailbox(sqlite_db, box.id)
        assert (opened.status, opened.activated_on) == (MailboxStatus.ACTIVE, date(2026, 11, 20))
    qtbot.waitUntil(lambda: len(view.history.events()) >= 3, timeout=WAIT)
    assert {e.mailbox_address for e in view.history.events()[:2]} == {
        "anne@acme.fr",
        "bruno@acme.fr",
    }


def test_a_mailbox_cannot_open_before_the_service_starts(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    contract = create_contract(
        sqlite_db,
        ContractDraft(
            client_id=w.client_id, product_line_id=w.he_line_id, service_start=date(2026, 11, 2)
        ),
        actor="tester",
    )
    _window, view = open_contract(qtbot, sqlite_db, contract.id)
    dialog = click_action(qtbot, view, ca.ACTIVATE)
    fill_reason(dialog, "Ouverture", date(2026, 10, 1))  # type: ignore[arg-type]
    click(qtbot, dialog.action_button)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: message(dialog, "on") != "", timeout=WAIT)  # type: ignore[arg-type]
    assert message(dialog, "on") == "Pas avant le début du service (02/11/2026)."  # type: ignore[arg-type]
    assert dialog.isVisible()


def test_the_signed_copy_is_attached_then_opened(
    qtbot: QtBot,
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened_urls: OpenedUrls,
) -> None:
    scan = tmp_path / "contrat signé.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a signed copy\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(scan), ""))
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    click(qtbot, view.button(ca.ATTACH))
    wait_reloaded(qtbot, view, lambda r: r.signed_scan_name == "contrat signé.pdf")
    assert field(view, "Copie signée") == "contrat signé.pdf"
    click(qtbot, view.button(ca.OPEN_SCAN))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).read_bytes() == scan.read_bytes()


def test_a_file_that_is_no_scan_is_refused(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("pas un scan")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(text_file), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    contract = find_contract(demo_db, "C2023-00005")
    _window, view = open_contract(qtbot, demo_db, contract.id)
    click(qtbot, view.button(ca.ATTACH))
    qtbot.waitUntil(lambda: bool(warnings), timeout=WAIT)
    assert warnings == ["Copie signée : Ce fichier n'est ni un PDF ni une image (PNG, JPEG, TIFF)."]
    assert get_contract(demo_db, contract.id).signed_scan_name is None


def test_the_history_names_each_change(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    contract = create_contract(
        sqlite_db,
        ContractDraft(
            client_id=w.client_id, product_line_id=w.he_line_id, service_start=date(2026, 11, 2)
        ),
        actor="tester",
    )
    box = create_mailbox(
        sqlite_db,
        MailboxDraft(
            contract_id=contract.id, domain_id=w.domain_id, plan_id=w.he_plan_id, local_part="eve"
        ),
        actor="tester",
    )
    change_mailbox_status(
        sqlite_db,
        box.id,
        MailboxStatus.ACTIVE,
        reason="Ouverture",
        expected_version=box.version,
        actor="tester",
        on=date(2026, 11, 3),
    )
    _window, view = open_contract(qtbot, sqlite_db, contract.id)
    qtbot.waitUntil(lambda: len(view.history.events()) == 2, timeout=WAIT)
    model = view.history.model
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    texts = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(2)]
    assert texts[0][1:] == [
        "tester",
        "Changement d'état",
        "Demandée → Active",
        "eve@acme.fr",
        "Ouverture",
    ]
    assert texts[1][1:] == ["tester", "Changement d'état", "Actif", "", "Contrat enregistré"]
