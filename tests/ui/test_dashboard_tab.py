"""« Tableau de bord »: four charts on the demo data; a click opens the matching list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.domain.enums import InvoiceStatus, MailboxStatus
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs.dashboard_tab import DashboardTab, percent, short_money
from desktop.ui.widgets.bar_chart import Bar, BarChart, nice_top
from tests.ui.window_helpers import WAIT, fresh_settings, make_window, plain, screenshot

__all__ = ["fresh_settings"]


def open_dashboard(qtbot: QtBot, window: MainWindow) -> DashboardTab:
    window.show_tab(len(window.record_tabs))
    tab = window.dashboard
    assert window.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.data is not None, timeout=WAIT)
    return tab


def click_bar(qtbot: QtBot, chart: BarChart, index: int) -> None:
    centre = chart.bar_centre(index)
    qtbot.mouseClick(
        chart, Qt.MouseButton.LeftButton, pos=QPoint(round(centre.x()), round(centre.y()))
    )


def test_dashboard_shows_the_demo_figures(
    qtbot: QtBot, demo_db: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, demo_db)
    tab = open_dashboard(qtbot, window)
    data = tab.data
    assert data is not None
    assert len(tab.revenue.bars) == 12 and len(tab.incidents.bars) == 12
    assert tab.mailboxes.bars and len(tab.overdue.bars) == 4
    assert sum(bar.value for bar in tab.revenue.bars) > 0
    summary = plain(tab.cards[0].summary.text())
    assert " € HT en " in summary
    assert "boîtes actives" in plain(tab.cards[1].summary.text())
    assert "TTC échus" in plain(tab.cards[2].summary.text())
    # The window's list actions are off: no list, no record on the dashboard.
    assert not window.new_action.isEnabled()
    assert not window.edit_action.isEnabled()
    assert not window.search_action.isEnabled()
    assert window.count_label.text() == "Tableau de bord"
    path = screenshot(qtbot, window, "dashboard_demo")
    assert path.exists()


def test_clicking_a_plan_opens_its_mailboxes(
    qtbot: QtBot, demo_db: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, demo_db)
    tab = open_dashboard(qtbot, window)
    bar = tab.mailboxes.bars[0]
    line, plan_id, plan_name = bar.key  # type: ignore[misc]
    click_bar(qtbot, tab.mailboxes, 0)
    assert window.tabs.currentIndex() == 2
    panel = window.current_tab.panel
    query = panel.model.query
    assert query.filters["product_line"] == line.value
    assert query.filters["plan_id"] == plan_id
    assert query.filters["status"] == MailboxStatus.ACTIVE.value
    assert panel.filter_boxes["status"].currentData() == MailboxStatus.ACTIVE.value
    assert panel.filter_boxes["product_line"].currentData() == line.value
    assert panel.extra_chip.isVisible() and plan_name in panel.extra_chip.text()
    qtbot.waitUntil(lambda: plain(panel.count_label.text()).startswith(str(int(bar.value))))
    screenshot(qtbot, window, "dashboard_to_mailboxes")
    # The chip takes the plan filter off.
    qtbot.mouseClick(panel.extra_chip, Qt.MouseButton.LeftButton)
    assert "plan_id" not in panel.model.query.filters
    assert not panel.extra_chip.isVisible()


def test_clicking_an_overdue_bucket_opens_the_unpaid_invoices(
    qtbot: QtBot, demo_db: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, demo_db)
    tab = open_dashboard(qtbot, window)
    index = max(range(4), key=lambda i: tab.overdue.bars[i].value)
    click_bar(qtbot, tab.overdue, index)
    assert window.tabs.currentIndex() == 3
    query = window.current_tab.panel.model.query
    assert query.filters["status"] == [InvoiceStatus.ISSUED.value, InvoiceStatus.PARTLY_PAID.value]
    assert query.sort == "due_on" and not query.descending
    panel = window.current_tab.panel
    assert panel.extra_chip.isVisible()
    unpaid = {InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID}

    def shown() -> bool:
        rows = [panel.model.row(i) for i in range(panel.model.rowCount())]
        return bool(rows) and all(row is not None and row.status in unpaid for row in rows)

    qtbot.waitUntil(shown, timeout=WAIT)
    first = panel.model.row(0)
    assert first is not None and first.due_on < date(2026, 11, 22)  # the oldest due first
    screenshot(qtbot, window, "dashboard_to_unpaid_invoices")
    # Choosing a status by hand replaces the chip's statuses.
    panel.set_filter("status", InvoiceStatus.PAID.value)
    assert panel.model.query.filters["status"] == InvoiceStatus.PAID.value
    assert not panel.extra_chip.isVisible()


def test_clicking_a_month_opens_invoices_and_incidents(
    qtbot: QtBot, demo_db: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, demo_db)
    tab = open_dashboard(qtbot, window)
    click_bar(qtbot, tab.revenue, 11)  # November 2026
    assert window.tabs.currentIndex() == 3
    panel = window.current_tab.panel
    query = panel.model.query
    assert query.filters["kind"] == "invoice"
    assert query.filters["billing_month"] == "2026-11"
    assert query.sort == "number" and not query.descending

    def november_only() -> bool:
        rows = [panel.model.row(i) for i in range(panel.model.rowCount())]
        return bool(rows) and all(
            r is not None and r.billing_month == date(2026, 11, 1) for r in rows
        )

    qtbot.waitUntil(november_only, timeout=WAIT)
    window.show_tab(len(window.record_tabs))
    click_bar(qtbot, tab.incidents, 11)
    assert window.tabs.currentIndex() == 4
    incidents = window.current_tab.panel
    assert incidents.model.query.filters["received_month"] == "2026-11"
    qtbot.waitUntil(
        lambda: incidents.model.rowCount() == tab.incidents.bars[11].value, timeout=WAIT
    )
    assert window.search_action.isEnabled()


def test_f5_on_the_dashboard_reads_it_again(
    qtbot: QtBot, demo_db: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, demo_db)
    tab = open_dashboard(qtbot, window)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT):
        window.refresh_action.trigger()


def test_chart_tooltips_and_scale() -> None:
    assert nice_top(0) == 4.0
    assert nice_top(7) == 8.0
    assert nice_top(1234.5) == 2000.0
    assert plain(short_money(12500)) == "12,5 k€"
    assert plain(short_money(800)) == "800 €"
    assert plain(percent(Decimal("99.5"))) == "99,50 %"


def test_bar_chart_hover_and_click(qtbot: QtBot) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 240)
    chart.show()
    chart.set_bars([Bar("a", "A", 3, "A : 3"), Bar("b", "B", 5, "B : 5")])
    with qtbot.waitSignal(chart.bar_clicked) as blocker:
        click_bar(qtbot, chart, 1)
    assert blocker.args == ["b"]
    centre = chart.bar_centre(0)
    assert chart.index_at(centre) == 0
