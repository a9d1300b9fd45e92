"""Quotes, follow-ups: activation from the contract's record, the Devis list's totals line,
the client's « Devis » sub-list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot
from window_helpers import (
    WAIT,
    click,
    click_action,
    make_window,
    open_view,
    plain,
    screenshot,
    tab_titles,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import ClientStatus, ContractStatus, InvoiceStatus
from desktop.services.contracts import get_contract
from desktop.services.quotes import QuoteDraft, QuoteLineDraft, accept_quote, create_quote
from desktop.ui.dialogs.access_code_dialog import AccessCodeDialog
from desktop.ui.dialogs.date_step_dialog import DateStepDialog
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views import contract_actions
from desktop.ui.views.quote_view import ACTIVATE, DESCRIPTION_WIDTH, QuoteView
from tests.services import billing_helpers as bh
from tests.services.factories import ACTOR, client
from tests.services.quote_helpers import sent_quote

pytestmark = pytest.mark.usefixtures("fresh_settings")

D = Decimal
MARTIN_TOTALS = "1 devis · total HT 528,00 € · TTC 633,60 €"
"""The quote of quote_helpers.sent_quote: 108.00 + 150.00 + 20.00 + 250.00 excl. VAT."""


def _draft_for_another_client(db: Database, product_line_id: int) -> None:
    """A draft of 100,00 € HT (120,00 € TTC) for the Garage Durand."""
    owner = client(db, name="Garage Durand", status=ClientStatus.PROSPECT)
    lines = (QuoteLineDraft(description="Audit de messagerie", unit_price=D("100.00")),)
    draft = QuoteDraft(client_id=owner.id, product_line_id=product_line_id, lines=lines)
    create_quote(db, draft, actor=ACTOR)


def test_the_service_starts_from_the_contract_record(qtbot: QtBot, db: Database) -> None:
    quote = sent_quote(db)
    contract_id = accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 10)).contract_id
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, contract_id)
    opener = view.button(contract_actions.ACTIVATE)
    assert opener is not None and not opener.isEnabled()  # requested mailboxes wait
    screenshot(qtbot, window, "contract_record_pending")

    dialog = click_action(qtbot, view, ACTIVATE)
    assert isinstance(dialog, DateStepDialog)
    assert dialog.windowTitle().endswith(f"contrat {view.record.number}")
    with qtbot.waitSignal(dialog.completed, timeout=WAIT):
        click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: isinstance(view.dialog, AccessCodeDialog), timeout=WAIT)
    code = view.dialog
    assert isinstance(code, AccessCodeDialog)
    qtbot.waitUntil(code.isVisible, timeout=WAIT)
    assert code.login.text() == "admin@martin.fr" and code.code.text()
    click(qtbot, code.copy_button)
    click(qtbot, code.close_button)

    contract = get_contract(db, contract_id)
    assert contract.status is ContractStatus.ACTIVE
    assert contract.service_start == paris_today()
    wait_reloaded(qtbot, view, lambda r: r.status is ContractStatus.ACTIVE)
    assert view.button(ACTIVATE) is None
    opener = view.button(contract_actions.ACTIVATE)
    assert opener is not None and opener.isEnabled()
    notice = plain(view.notice.text())
    assert notice.startswith(f"Contrat {contract.number} actif au ")
    assert "10 compte(s) ouvert(s), facture F" in notice
    [invoice] = bh.invoices(db)
    assert invoice.status == InvoiceStatus.ISSUED.value


def test_a_contract_in_service_offers_no_activation(qtbot: QtBot, db: Database) -> None:
    bh.provider(db)
    line = bh.product_line(db)
    who = bh.customer(db, line)
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CONTRACT, who.contract_id)
    assert view.button(ACTIVATE) is None


def _wait_totals(qtbot: QtBot, panel: ListPanel, expected: str) -> None:
    qtbot.waitUntil(lambda: plain(panel.totals_label.text()) == expected, timeout=WAIT)


def test_the_quotes_tab_totals_what_it_lists(qtbot: QtBot, db: Database) -> None:
    quote = sent_quote(db)
    _draft_for_another_client(db, quote.product_line_id)
    window = make_window(qtbot, db)
    index = [window.tabs.tabText(i) for i in range(window.tabs.count())].index("Devis")
    window.show_tab(index)
    panel = window.record_tabs[index].panel
    assert panel.totals_label.isVisible()
    _wait_totals(qtbot, panel, "2 devis · total HT 628,00 € · TTC 753,60 €")
    screenshot(qtbot, window, "quotes_tab_totals")

    panel.set_filter("status", "sent")
    _wait_totals(qtbot, panel, MARTIN_TOTALS)
    panel.set_filter("status", None)
    panel.search.setText("durand")
    _wait_totals(qtbot, panel, "1 devis · total HT 100,00 € · TTC 120,00 €")
    panel.search.setText("personne")
    _wait_totals(qtbot, panel, "0 devis · total HT 0,00 € · TTC 0,00 €")


def test_lists_without_totals_show_no_line(qtbot: QtBot, db: Database) -> None:
    window = make_window(qtbot, db)
    index = [window.tabs.tabText(i) for i in range(window.tabs.count())].index("Factures")
    window.show_tab(index)
    assert not window.record_tabs[index].panel.totals_label.isVisible()


def test_the_client_record_lists_its_quotes(qtbot: QtBot, db: Database) -> None:
    quote = sent_quote(db)
    _draft_for_another_client(db, quote.product_line_id)
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CLIENT, quote.client_id)
    qtbot.waitUntil(lambda: "Devis (1)" in tab_titles(view), timeout=WAIT)
    index = tab_titles(view).index("Devis (1)")
    assert tab_titles(view)[index - 1].startswith("Factures")
    view.tabs.setCurrentIndex(index)
    panel = view.tabs.widget(index)
    assert isinstance(panel, ListPanel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
    assert panel.model.index(0, 0).data() == quote.number
    _wait_totals(qtbot, panel, MARTIN_TOTALS)
    screenshot(qtbot, window, "client_record_quotes")


def test_the_quote_lines_show_their_whole_description(qtbot: QtBot, db: Database) -> None:
    quote = sent_quote(db, extra_lines=1)
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.QUOTE, quote.id)
    assert isinstance(view, QuoteView) and view.lines is not None
    table = view.lines
    view.tabs.setCurrentWidget(table)
    low, high = DESCRIPTION_WIDTH
    assert low <= table.columnWidth(0) <= high
    metrics = table.fontMetrics()
    for row, line in enumerate(quote.lines):
        cell = table.item(row, 0)
        assert cell is not None and cell.text() == cell.toolTip() == line.description
        # Wrapped on whole words at most: every word fits the column.
        widest = max(metrics.horizontalAdvance(word) for word in line.description.split())
        assert widest < table.columnWidth(0)
    screenshot(qtbot, window, "quote_record_lines")
