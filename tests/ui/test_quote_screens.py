"""Quotes on screen: the draft dialog and its live totals, the record's send → accept → activate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from dialog_helpers import assert_fits_small_screen, shown
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from window_helpers import (
    SHOTS,
    WAIT,
    click,
    click_action,
    field,
    make_window,
    open_view,
    plain,
    screenshot,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    QuoteStatus,
)
from desktop.services.clients import get_client
from desktop.services.contracts import get_contract
from desktop.services.quotes import get_quote
from desktop.ui.dialogs.access_code_dialog import AccessCodeDialog
from desktop.ui.dialogs.date_step_dialog import DateStepDialog
from desktop.ui.dialogs.quote_dialog import QuoteDialog
from desktop.ui.dialogs.quote_lines import Col, LineKind
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.quote_view import ACCEPT, ACTIVATE, OPEN_CONTRACT, SEND, QuoteView
from tests.services import billing_helpers as bh
from tests.services.factories import client, domain
from tests.services.quote_helpers import sent_quote

pytestmark = pytest.mark.usefixtures("fresh_settings")

D = Decimal


def catalogue(db: Database) -> dict[str, int]:
    """Exchange 50 Go at 12,00 € a month, the set-up fee at 150,00 €, a prospect with a domain."""
    bh.provider(db)
    line = bh.product_line(db)
    owner = client(db, name="Librairie Martin", status=ClientStatus.PROSPECT)
    domain(db, owner.id, "martin.fr")
    return {
        "line": line,
        "client": owner.id,
        "plan": bh.plan(db, line, "Exchange 50 Go", ((bh.LONG_AGO, "12.00"),)),
        "fee": bh.option(
            db,
            "Frais de mise en service",
            OptionBilling.PER_ACT,
            ((bh.LONG_AGO, "150.00"),),
            category=OptionCategory.INITIAL_FEE,
        ),
    }


def typed_quote(qtbot: QtBot, db: Database, items: dict[str, int]) -> QuoteDialog:
    """The dialog filled in: 10 accounts less 10 %, and the set-up fee."""
    dialog = shown(qtbot, QuoteDialog(None, db=db, actor="moi"))
    assert dialog.client.select(items["client"])
    assert dialog.product_line.select(items["line"])
    dialog.payment_method.set_value(PaymentMethod.TRANSFER)
    table = dialog.lines
    click(qtbot, dialog.add_buttons[LineKind.PLAN])
    table.select_item(0, items["plan"])
    table.item(0, Col.QUANTITY).setText("10")  # type: ignore[union-attr]
    table.item(0, Col.DISCOUNT).setText("10")  # type: ignore[union-attr]
    click(qtbot, dialog.add_buttons[LineKind.INITIAL_FEE])
    table.select_item(1, items["fee"])
    return dialog


def test_a_quote_typed_with_two_lines_shows_its_totals(qtbot: QtBot, db: Database) -> None:
    items = catalogue(db)
    dialog = typed_quote(qtbot, db, items)
    QAbstractItemModelTester(
        dialog.lines.model(), QAbstractItemModelTester.FailureReportingMode.Warning
    )
    table = dialog.lines
    assert table.item(0, Col.DESCRIPTION).text() == "Exchange 50 Go"  # type: ignore[union-attr]
    assert table.item(0, Col.UNIT_PRICE).text() == "12,00"  # type: ignore[union-attr]
    assert plain(table.item(0, Col.AMOUNT).text()) == "108,00 €"  # type: ignore[union-attr]
    assert plain(table.item(1, Col.AMOUNT).text()) == "150,00 €"  # type: ignore[union-attr]
    totals = plain(dialog.totals_label.text())
    assert "Total HT <b>258,00 €</b>" in totals
    assert "TVA 51,60 €" in totals
    assert "Total TTC <b>309,60 €</b>" in totals
    assert dialog.save_button.isEnabled()
    assert_fits_small_screen(dialog, SHOTS / "quote_dialog.png")

    # A wrong quantity is said next to the lines, and the quote cannot be saved.
    table.item(1, Col.QUANTITY).setText("0")  # type: ignore[union-attr]
    assert "Ligne 2 : La quantité doit être positive." in dialog.lines_error.text()
    assert not dialog.save_button.isEnabled()
    table.item(1, Col.QUANTITY).setText("1")  # type: ignore[union-attr]
    assert dialog.save_button.isEnabled()

    click(qtbot, dialog.save_button)
    saved = dialog.saved
    assert saved is not None and saved.status is QuoteStatus.DRAFT
    assert [line.amount for line in saved.lines] == [D("108.00"), D("150.00")]
    assert (saved.totals.excl_vat, saved.totals.vat, saved.totals.incl_vat) == (
        D("258.00"),
        D("51.60"),
        D("309.60"),
    )
    assert saved.payment_method is PaymentMethod.TRANSFER


def run_step(qtbot: QtBot, dialog: DateStepDialog) -> None:
    with qtbot.waitSignal(dialog.completed, timeout=WAIT):
        click(qtbot, dialog.action_button)


def test_send_accept_then_activate_from_the_record(qtbot: QtBot, db: Database) -> None:
    items = catalogue(db)
    dialog = typed_quote(qtbot, db, items)
    click(qtbot, dialog.save_button)
    quote_id = dialog.saved.id
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.QUOTE, quote_id)
    assert isinstance(view, QuoteView)
    assert field(view, "Totaux") == "HT 258,00 € · TVA 51,60 € · TTC 309,60 €"
    screenshot(qtbot, window, "quote_record_draft")

    send = click_action(qtbot, view, SEND)
    assert isinstance(send, DateStepDialog)
    assert send.date.date() == paris_today() + timedelta(days=30)
    screenshot(qtbot, send, "quote_send_dialog")
    run_step(qtbot, send)
    record = wait_reloaded(qtbot, view, lambda r: r.status is QuoteStatus.SENT)
    assert record.number is not None
    assert "envoyez-le vous-même" in view.notice.text()  # no office SMTP: by hand

    accept = click_action(qtbot, view, ACCEPT)
    assert isinstance(accept, DateStepDialog)
    run_step(qtbot, accept)
    record = wait_reloaded(qtbot, view, lambda r: r.status is QuoteStatus.ACCEPTED)
    assert record.contract_id is not None and record.contract_status is ContractStatus.PENDING
    assert get_client(db, items["client"]).status is ClientStatus.ACTIVE
    offer = view.dialog
    assert isinstance(offer, QMessageBox)
    qtbot.waitUntil(offer.isVisible, timeout=WAIT)
    assert f"contrat {record.contract_number} créé avec 10 compte(s)" in offer.text()
    screenshot(qtbot, offer, "quote_accepted_offer")
    closer = next(b for b in offer.buttons() if b.text() == "Fermer")
    click(qtbot, closer)
    assert window.current_tab.view is view  # « Fermer » stays on the quote
    screenshot(qtbot, window, "quote_record_accepted")

    activate = click_action(qtbot, view, ACTIVATE)
    assert isinstance(activate, DateStepDialog)
    run_step(qtbot, activate)
    qtbot.waitUntil(lambda: isinstance(view.dialog, AccessCodeDialog), timeout=WAIT)
    code = view.dialog
    assert isinstance(code, AccessCodeDialog)
    qtbot.waitUntil(code.isVisible, timeout=WAIT)
    assert code.login.text() == "admin@martin.fr" and code.code.text()
    screenshot(qtbot, code, "quote_access_code")
    click(qtbot, code.copy_button)
    click(qtbot, code.close_button)
    qtbot.waitUntil(lambda: not isValid(code), timeout=WAIT)
    contract = get_contract(db, record.contract_id)
    assert contract.status is ContractStatus.ACTIVE
    assert contract.service_start == paris_today()
    record = wait_reloaded(qtbot, view, lambda r: r.contract_status is ContractStatus.ACTIVE)
    assert view.button(ACTIVATE) is None
    assert "actif au" in view.notice.text()


def test_the_accepted_offer_opens_the_contract(qtbot: QtBot, db: Database) -> None:
    items = catalogue(db)
    dialog = typed_quote(qtbot, db, items)
    click(qtbot, dialog.save_button)
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.QUOTE, dialog.saved.id)
    run_step(qtbot, click_action(qtbot, view, SEND))  # type: ignore[arg-type]
    wait_reloaded(qtbot, view, lambda r: r.status is QuoteStatus.SENT)
    run_step(qtbot, click_action(qtbot, view, ACCEPT))  # type: ignore[arg-type]
    record = wait_reloaded(qtbot, view, lambda r: r.contract_id is not None)
    offer = view.dialog
    assert isinstance(offer, QMessageBox)
    qtbot.waitUntil(offer.isVisible, timeout=WAIT)
    opener = next(b for b in offer.buttons() if b.text() == OPEN_CONTRACT)
    click(qtbot, opener)
    qtbot.waitUntil(
        lambda: (
            window.current_tab.view is not None
            and window.current_tab.view.kind is RecordKind.CONTRACT
            and window.current_tab.view.record_id == record.contract_id
        ),
        timeout=WAIT,
    )


def test_an_expired_quote_cannot_be_accepted(qtbot: QtBot, db: Database) -> None:
    quote = sent_quote(db)  # sent on 02/03/2026, valid until 01/04/2026
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.QUOTE, quote.id)
    assert "expiré" in field(view, "Validité")
    accept = click_action(qtbot, view, ACCEPT)
    assert isinstance(accept, DateStepDialog)
    click(qtbot, accept.action_button)
    qtbot.waitUntil(lambda: bool(accept.form.general_error.text()), timeout=WAIT)
    assert accept.form.general_error.text() == (
        "Ce devis a expiré le 01/04/2026 : il ne peut plus être accepté. "
        "Établissez un nouveau devis."
    )
    assert accept.isVisible()
    screenshot(qtbot, accept, "quote_expired_refusal")
    assert get_quote(db, quote.id).status is QuoteStatus.SENT
    accept.reject()


def test_the_quotes_tab_lists_them(qtbot: QtBot, db: Database) -> None:
    sent_quote(db)
    window = make_window(qtbot, db)
    index = [window.tabs.tabText(i) for i in range(window.tabs.count())].index("Devis")
    window.show_tab(index)
    panel = window.record_tabs[index].panel
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Warning)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
    row = [panel.model.index(0, c).data() for c in range(panel.model.columnCount())]
    assert row[0] == "D2026-00001" and row[1] == "Librairie Martin"
    assert row[4] == "Envoyé"
    assert panel.model.index(0, 4).data(Qt.ItemDataRole.ForegroundRole) is not None
    screenshot(qtbot, window, "quotes_tab")


def test_with_the_office_smtp_the_quote_leaves_by_email(qtbot: QtBot, db: Database) -> None:
    from smtp_server import HOST, smtp_server

    from desktop.settings import LocalSettings, save_local_settings
    from desktop.ui.outbox_sender import send_now

    items = catalogue(db)
    dialog = typed_quote(qtbot, db, items)
    click(qtbot, dialog.save_button)
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.QUOTE, dialog.saved.id)
    with smtp_server() as server:
        save_local_settings(
            LocalSettings(
                smtp_host=HOST,
                smtp_port=server.port,
                smtp_security="none",
                smtp_from="devis@hebergeur-demo.fr",
            )
        )
        run_step(qtbot, click_action(qtbot, view, SEND))  # type: ignore[arg-type]
        record = wait_reloaded(qtbot, view, lambda r: r.status is QuoteStatus.SENT)
        assert view.notice.text() == (
            f"Devis {record.number} envoyé : le courriel est dans la file d'envoi."
        )
        assert send_now(db, None).sent == 1
        [received] = server.received
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_filename() == f"{record.number}.pdf"
    assert received.message["Subject"].startswith(f"Devis {record.number} — ")
