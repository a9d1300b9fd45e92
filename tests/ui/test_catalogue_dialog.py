"""« Facturation > Catalogue et tarifs… »: plans and options, a new price, a VAT rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import OptionBilling, OptionCategory
from desktop.services.catalogue import catalogue
from desktop.ui.dialogs.catalogue_dialog import (
    CatalogueDialog,
    FormDialog,
    NewItemDialog,
    PriceDialog,
    VatDialog,
)
from desktop.ui.main_window import MainWindow
from desktop.ui.models.rows_model import RowsModel
from tests.services import billing_helpers as bh

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

MODE = QAbstractItemModelTester.FailureReportingMode.Warning
PLAN_CODE = "EXCHANGE-50-GO"


@pytest.fixture
def shop(db: Database) -> Database:
    bh.provider(db)
    line = bh.product_line(db)
    bh.plan(db, line)
    bh.plan(db, line, "Exchange 5 Go", ((bh.LONG_AGO, "3.90"),))
    bh.option(
        db,
        "Mise en service",
        OptionBilling.PER_ACT,
        ((bh.LONG_AGO, "49.00"),),
        category=OptionCategory.INITIAL_FEE,
    )
    return db


def open_catalogue(qtbot: QtBot, db: Database) -> tuple[MainWindow, CatalogueDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    action = next(a for a in menu.actions() if a.text() == "&Catalogue et tarifs…")
    action.trigger()
    dialog = window.findChild(CatalogueDialog)
    assert isinstance(dialog, CatalogueDialog)
    qtbot.waitUntil(lambda: dialog.catalogue is not None, timeout=WAIT)
    return window, dialog


def cells(model: RowsModel, row: int) -> list[str]:
    return [plain(model.index(row, column).data()) for column in range(model.columnCount())]


def form_of(qtbot: QtBot, opened: FormDialog | None) -> FormDialog:
    assert opened is not None
    qtbot.waitUntil(opened.isVisible, timeout=WAIT)
    return opened


def test_the_catalogue_opens_from_the_menu_with_both_tabs(qtbot: QtBot, shop: Database) -> None:
    window, dialog = open_catalogue(qtbot, shop)
    for model in (dialog.plans_tab.items, dialog.plans_tab.history, dialog.options_tab.items):
        QAbstractItemModelTester(model, MODE)

    assert [dialog.tabs.tabText(i) for i in range(2)] == ["Formules", "Options et prestations"]
    assert "taux de TVA par défaut du prestataire (20 %)" in plain(dialog.status.text())
    plans = dialog.plans_tab.items
    assert [cells(plans, row) for row in range(plans.rowCount())] == [
        [
            "EXCHANGE-5-GO",
            "Exchange 5 Go",
            "Hosted Exchange",
            "50 Go — Utilisateur",
            "20 % (défaut)",
            "3,90 €",
            "Proposée",
        ],
        [
            PLAN_CODE,
            "Exchange 50 Go",
            "Hosted Exchange",
            "50 Go — Utilisateur",
            "20 % (défaut)",
            "12,00 €",
            "Proposée",
        ],
    ]
    options = dialog.options_tab.items
    assert cells(options, 0)[2:4] == ["Toutes", "Frais de mise en service — À l'acte"]
    screenshot(qtbot, dialog, "catalogue")
    assert dialog.grab().save("/tmp/catalogue.png")
    # Opening it again raises the same window.
    window.catalogue_action.trigger()
    assert window.findChildren(CatalogueDialog) == [dialog]


def test_a_new_price_is_checked_then_saved_into_the_history(qtbot: QtBot, shop: Database) -> None:
    _window, dialog = open_catalogue(qtbot, shop)
    tab = dialog.plans_tab
    tab.select(PLAN_CODE)
    assert cells(tab.history, 0) == ["01/01/2020", "—", "12,00 €", "en vigueur"]

    form = form_of(qtbot, dialog.new_price())
    assert isinstance(form, PriceDialog)
    start = paris_today() + timedelta(days=10)
    form.start.setText(start.strftime("%d/%m/%Y"))
    form.amount.setText("12,5O")  # a letter O typed for a zero
    assert form.message("amount") == "Montant attendu, en euros : par exemple 1 234,56."
    click(qtbot, form.save_button)
    assert form.isVisible()

    form.amount.setText("12,50")
    assert form.message("amount") == ""
    click(qtbot, form.save_button)  # the form closes once saved
    qtbot.waitUntil(lambda: tab.history.rowCount() == 2, timeout=WAIT)

    assert tab.selected() is not None and tab.selected().code == PLAN_CODE  # type: ignore[union-attr]
    before = (start - timedelta(days=1)).strftime("%d/%m/%Y")
    assert cells(tab.history, 0) == [start.strftime("%d/%m/%Y"), "—", "12,50 €", ""]
    assert cells(tab.history, 1) == ["01/01/2020", before, "12,00 €", "en vigueur"]
    screenshot(qtbot, dialog, "catalogue_history")


def test_a_price_starting_the_same_day_is_refused_under_the_date(
    qtbot: QtBot, shop: Database
) -> None:
    _window, dialog = open_catalogue(qtbot, shop)
    dialog.plans_tab.select(PLAN_CODE)
    form = form_of(qtbot, dialog.new_price())
    assert isinstance(form, PriceDialog)
    form.start.setText("01/01/2020")
    form.amount.setText("13")

    click(qtbot, form.save_button)

    qtbot.waitUntil(lambda: form.message("valid_from") != "", timeout=WAIT)
    assert plain(form.message("valid_from")).startswith(
        "Un tarif commence déjà le 01/01/2020 : 12,00 € HT"
    )
    assert form.isVisible()
    form.reject()


def test_a_vat_rate_is_set_then_back_to_the_default(qtbot: QtBot, shop: Database) -> None:
    _window, dialog = open_catalogue(qtbot, shop)
    tab = dialog.plans_tab
    tab.select(PLAN_CODE)

    form = form_of(qtbot, dialog.change_vat())
    assert isinstance(form, VatDialog)
    assert form.default_choice.isChecked()
    form.rate.setText("5,5%%")
    form.own_choice.setChecked(True)
    click(qtbot, form.save_button)
    assert form.message("vat_rate") == "Taux en pourcentage attendu (par exemple 20 ou 5,5)."
    form.rate.setText("5,5")
    screenshot(qtbot, form, "catalogue_vat")
    click(qtbot, form.save_button)
    qtbot.waitUntil(lambda: plain(cells(tab.items, 1)[4]) == "5,5 %", timeout=WAIT)
    plan = next(p for p in catalogue(shop).plans if p.code == PLAN_CODE)
    assert plan.vat_rate == Decimal("5.50")

    again = form_of(qtbot, dialog.change_vat())
    assert isinstance(again, VatDialog)
    assert again.own_choice.isChecked() and again.rate.text() == "5,5"
    again.default_choice.setChecked(True)
    click(qtbot, again.save_button)
    qtbot.waitUntil(lambda: cells(tab.items, 1)[4] == "20 % (défaut)", timeout=WAIT)


def test_an_option_is_withdrawn_then_offered_again(qtbot: QtBot, shop: Database) -> None:
    _window, dialog = open_catalogue(qtbot, shop)
    dialog.tabs.setCurrentIndex(1)
    tab = dialog.options_tab
    tab.select("MISE-EN-SERVICE")
    assert tab.active_button.text() == "Retirer du catalogue"

    click(qtbot, tab.active_button)

    qtbot.waitUntil(lambda: cells(tab.items, 0)[-1] == "Retirée", timeout=WAIT)
    assert tab.active_button.text() == "Proposer de nouveau"
    click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: cells(tab.items, 0)[-1] == "Proposée", timeout=WAIT)


def test_a_new_plan_is_created_and_selected(qtbot: QtBot, shop: Database) -> None:
    _window, dialog = open_catalogue(qtbot, shop)
    form = form_of(qtbot, dialog.new_item())
    assert isinstance(form, NewItemDialog)
    form.code.setText("exchange-5-go")
    form.name.setText("Exchange 2 Go")
    form.amount.setText("2,90")
    click(qtbot, form.save_button)
    qtbot.waitUntil(lambda: form.message("code") != "", timeout=WAIT)
    assert form.message("code") == (
        "Ce code est déjà utilisé par une autre formule : choisissez-en un autre."
    )
    screenshot(qtbot, form, "catalogue_new_plan")

    form.code.setText("HEX-2")
    click(qtbot, form.save_button)
    tab = dialog.plans_tab
    qtbot.waitUntil(lambda: tab.items.rowCount() == 3, timeout=WAIT)
    selected = tab.selected()
    assert selected is not None and selected.code == "HEX-2"
    assert selected.prices[0].valid_from == paris_today()
    assert cells(tab.history, 0)[0] == paris_today().strftime("%d/%m/%Y")
