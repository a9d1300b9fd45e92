"""« Tableau de bord »: four charts over the whole database; a click opens the list behind.

- recurring revenue of the last twelve months → the invoices billed for that month;
- active mailboxes by product line and plan → the mailboxes of that plan;
- overdue balances by age → the unpaid invoices, oldest due date first;
- incidents and availability per month → the incidents received that month.

Read on the window's database thread, when the tab is first shown and on every
refresh (F5) while it shows; a refresh while hidden waits for the tab to show.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.enums import InvoiceKind, MailboxStatus, ProductLineCode
from desktop.domain.periods import month_name
from desktop.services.dashboard import UNPAID_STATUSES, Dashboard, dashboard
from desktop.services.sla import MonthAvailability
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import BLUE, GREEN, ORANGE, RED, french_int, money, plural
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.availability_chart import floor_of, month_label
from desktop.ui.widgets.bar_chart import Bar, BarChart, LineSeries

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

TITLE = "Tableau de bord"
LINE_COLOURS = {ProductLineCode.HOSTED_EXCHANGE: BLUE, ProductLineCode.OFFICE_365: GREEN}
AGE_COLOURS = ("#e0a040", ORANGE, "#c8501e", RED)
INCIDENT_COLOUR = "#7a8aa6"


@dataclass(frozen=True)
class ListRequest:
    """A list to show: its kind, filters (as :meth:`ListPanel.apply_filters` takes them),
    the chip's caption for filters without a drop-down, and a sort (column, descending)."""

    kind: RecordKind
    filters: Mapping[str, object] = field(default_factory=dict)
    caption: str = ""
    sort: tuple[str, bool] | None = None


# --- French text --------------------------------------------------------------------


def percent(value: Decimal | float, digits: int = 2) -> str:
    """99.5 → « 99,50 % »."""
    return f"{value:.{digits}f}".replace(".", ",") + "\u00a0%"


def short_money(value: float) -> str:
    """An axis tick: « 0 € », « 800 € », « 12,5 k€ », « 1,2 M€ »."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}".replace(".", ",").replace(",0", "") + "\u00a0M€"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.1f}".replace(".", ",").replace(",0", "") + "\u00a0k€"
    return f"{value:.0f}\u00a0€"


def ticks_int(value: float) -> str:
    return french_int(round(value))


# --- the charts' bars -----------------------------------------------------------------


def revenue_bars(data: Dashboard) -> list[Bar]:
    return [
        Bar(
            value.month,
            month_label(value.month),
            float(value.amount),
            f"{month_name(value.month).capitalize()} : {money(value.amount)} HT\n"
            "Cliquez pour voir les factures.",
        )
        for value in data.revenue
    ]


def revenue_summary(data: Dashboard) -> str:
    last = data.revenue[-1]
    text = f"{money(last.amount)} HT en {month_name(last.month)}"
    if len(data.revenue) > 1:
        before = data.revenue[-2]
        text += f" ({money(before.amount)} HT en {month_name(before.month)})"
    return text


def mailbox_bars(data: Dashboard) -> list[Bar]:
    return [
        Bar(
            (count.product_line, count.plan_id, count.plan_name),
            count.plan_name,
            float(count.mailboxes),
            f"{count.product_line_name}, {count.plan_name} : "
            f"{plural(count.mailboxes, 'boîte active', 'boîtes actives')}\n"
            "Cliquez pour voir ces boîtes.",
            LINE_COLOURS.get(count.product_line, BLUE),
            french_int(count.mailboxes),
        )
        for count in data.mailboxes
    ]


def mailbox_totals(data: Dashboard) -> dict[ProductLineCode, tuple[str, int]]:
    """Active mailboxes per product line: its name and count."""
    lines: dict[ProductLineCode, tuple[str, int]] = {}
    for count in data.mailboxes:
        total = lines.get(count.product_line, ("", 0))[1]
        lines[count.product_line] = (count.product_line_name, total + count.mailboxes)
    return lines


def mailbox_summary(data: Dashboard) -> str:
    """« 490 boîtes actives : ■ Hosted Exchange 280  ■ Office 365 210 » (rich text: the
    squares in the bars' colours)."""
    lines = mailbox_totals(data)
    head = plural(sum(n for _, n in lines.values()), "boîte active", "boîtes actives")
    legend = "&nbsp;&nbsp;".join(
        f'<span style="color:{LINE_COLOURS.get(code, BLUE)}">■</span>&nbsp;'
        f"{html.escape(name)} {french_int(n)}"
        for code, (name, n) in lines.items()
    )
    return f"{head} : {legend}" if legend else head


def overdue_bars(data: Dashboard) -> list[Bar]:
    return [
        Bar(
            index,
            bucket.bucket.label,
            float(bucket.amount),
            f"{bucket.bucket.label} après l'échéance : {money(bucket.amount)} TTC "
            f"({plural(bucket.invoices, 'facture', 'factures')})\n"
            "Cliquez pour voir les factures impayées.",
            AGE_COLOURS[index % len(AGE_COLOURS)],
            money(bucket.amount),
        )
        for index, bucket in enumerate(data.overdue)
    ]


def overdue_summary(data: Dashboard) -> str:
    amount = sum((bucket.amount for bucket in data.overdue), Decimal("0.00"))
    invoices = sum(bucket.invoices for bucket in data.overdue)
    late = data.overdue[-1].amount if data.overdue else Decimal("0.00")
    return (
        f"{money(amount)} TTC échus sur {plural(invoices, 'facture', 'factures')}, "
        f"dont {money(late)} à plus de 90 jours"
    )


def incident_bars(data: Dashboard) -> list[Bar]:
    availability = {value.month: value for value in data.availability}
    bars = []
    for value in data.incidents:
        month = availability.get(value.month)
        rate = f"\nDisponibilité moyenne : {percent(month.average)}" if month else ""
        bars.append(
            Bar(
                value.month,
                month_label(value.month),
                float(value.incidents),
                f"{month_name(value.month).capitalize()} : "
                f"{plural(value.incidents, 'incident', 'incidents')}{rate}\n"
                "Cliquez pour voir les incidents.",
                INCIDENT_COLOUR,
                french_int(value.incidents) if value.incidents else "",
            )
        )
    return bars


def availability_line(data: Dashboard) -> LineSeries | None:
    values: list[MonthAvailability] = list(data.availability)
    if len(values) != len(data.incidents) or not values:
        return None
    floor = floor_of(values, data.availability_target)
    return LineSeries(
        values=tuple(float(value.average) for value in values),
        low=float(floor),
        high=100.0,
        label=lambda v: percent(v, 0),
        colour=GREEN,
        target=float(data.availability_target),
        caption="barres : incidents  ·  ligne : disponibilité moyenne  ·  pointillés : "
        f"objectif {percent(data.availability_target, 0)}",
    )


def incident_summary(data: Dashboard) -> str:
    last = data.incidents[-1]
    text = f"{plural(last.incidents, 'incident', 'incidents')} en {month_name(last.month)}"
    if data.availability:
        text += f", disponibilité {percent(data.availability[-1].average)}"
    return text


# --- the tab --------------------------------------------------------------------------


class ChartCard(QFrame):
    """A chart with its title and a one-line summary."""

    def __init__(self, title: str, chart: BarChart) -> None:
        super().__init__()
        self.setObjectName("chartCard")
        self.chart = chart
        self.title = QLabel(title)
        self.title.setObjectName("chartTitle")
        self.summary = QLabel("Chargement…")
        self.summary.setObjectName("chartSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(chart, 1)


class DashboardTab(QWidget):
    list_requested = Signal(object)  # ListRequest
    loaded = Signal()
    failed = Signal(object)

    def __init__(
        self, db: Database, worker: DbWorker, *, load: Callable[[Database], Dashboard] = dashboard
    ) -> None:
        super().__init__()
        self._db = db
        self._worker = worker
        self._load = load
        self._generation = 0
        self._stale = True
        self.data: Dashboard | None = None
        self.revenue = BarChart(axis_label=short_money)
        self.mailboxes = BarChart(horizontal=True)
        self.overdue = BarChart(axis_label=short_money)
        self.incidents = BarChart(axis_label=ticks_int, integer_scale=True)
        self.cards = [
            ChartCard("Chiffre d'affaires récurrent (HT), 12 derniers mois", self.revenue),
            ChartCard("Boîtes aux lettres actives par gamme et formule", self.mailboxes),
            ChartCard("Impayés échus par ancienneté (TTC)", self.overdue),
            ChartCard("Incidents et disponibilité par mois", self.incidents),
        ]
        self.cards[1].summary.setTextFormat(Qt.TextFormat.RichText)
        self.revenue.bar_clicked.connect(self._revenue_clicked)
        self.mailboxes.bar_clicked.connect(self._mailboxes_clicked)
        self.overdue.bar_clicked.connect(self._overdue_clicked)
        self.incidents.bar_clicked.connect(self._incidents_clicked)
        self._build()

    def _build(self) -> None:
        body = QWidget()
        body.setObjectName("dashboardBody")
        grid = QGridLayout(body)
        grid.setContentsMargins(12, 12, 12, 12)
        grid.setSpacing(12)
        for index, card in enumerate(self.cards):
            grid.addWidget(card, index // 2, index % 2)
        for column in (0, 1):
            grid.setColumnStretch(column, 1)
        for row in (0, 1):
            grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setStyleSheet(
            "#dashboardBody { background: palette(window); }"
            "#chartCard { background: palette(base); border: 1px solid #d8d8d8;"
            " border-radius: 6px; }"
            "#chartTitle { font-size: 14px; font-weight: 600; }"
            "#chartSummary { color: #555; }"
        )

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the figures again now if the tab shows, else once it does."""
        self._stale = True
        if self.isVisible():
            self.load()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.load()

    def load(self) -> None:
        self._stale = False
        self._generation += 1
        generation = self._generation
        self._worker.submit(
            Job(
                work=lambda: self._load(self._db),
                on_done=lambda data: self._show(generation, data),
                on_error=self._failed,
                is_stale=lambda: generation != self._generation,
            )
        )

    def _failed(self, error: Exception) -> None:
        for card in self.cards:
            card.summary.setText("Lecture impossible.")
        self.failed.emit(error)

    def _show(self, generation: int, data: Dashboard) -> None:
        if generation != self._generation:
            return
        self.data = data
        self.revenue.set_bars(revenue_bars(data))
        self.mailboxes.set_bars(mailbox_bars(data))
        self.mailboxes.empty_text = "Aucune boîte active"
        self.overdue.set_bars(overdue_bars(data))
        self.incidents.set_bars(incident_bars(data), availability_line(data))
        summaries = (
            revenue_summary(data),
            mailbox_summary(data),
            overdue_summary(data),
            incident_summary(data),
        )
        for card, text in zip(self.cards, summaries, strict=True):
            card.summary.setText(text)
        self.loaded.emit()

    # --- clicks -------------------------------------------------------------------------

    def _revenue_clicked(self, month: object) -> None:
        assert isinstance(month, date)
        self.revenue.select(month)
        filters = {"kind": InvoiceKind.INVOICE.value, "billing_month": f"{month:%Y-%m}"}
        caption = f"Facturées pour {month_name(month)}"
        self.list_requested.emit(
            ListRequest(RecordKind.INVOICE, filters, caption=caption, sort=("number", False))
        )

    def _mailboxes_clicked(self, key: object) -> None:
        assert isinstance(key, tuple)
        line, plan_id, plan_name = key
        self.mailboxes.select(key)
        filters = {
            "status": MailboxStatus.ACTIVE.value,
            "product_line": line.value,
            "plan_id": plan_id,
        }
        self.list_requested.emit(
            ListRequest(RecordKind.MAILBOX, filters, caption=f"Formule : {plan_name}")
        )

    def _overdue_clicked(self, index: object) -> None:
        self.overdue.select(index)
        filters = {
            "kind": InvoiceKind.INVOICE.value,
            "status": [status.value for status in UNPAID_STATUSES],
        }
        caption = "État : " + " ou ".join(status.label for status in UNPAID_STATUSES)
        self.list_requested.emit(
            ListRequest(RecordKind.INVOICE, filters, caption=caption, sort=("due_on", False))
        )

    def _incidents_clicked(self, month: object) -> None:
        assert isinstance(month, date)
        self.incidents.select(month)
        filters = {"received_month": f"{month:%Y-%m}"}
        caption = f"Reçus en {month_name(month)}"
        self.list_requested.emit(ListRequest(RecordKind.INCIDENT, filters, caption=caption))


def show_list(window: MainWindow, request: ListRequest) -> None:
    """Switch ``window`` to the list of ``request``, filtered and sorted as asked."""
    from desktop.ui.main_window import TAB_OF

    index = TAB_OF[request.kind]
    tab = window.record_tabs[index]
    panel = tab.panel
    panel.apply_filters(request.filters, caption=request.caption)
    if request.sort is not None:
        sort, descending = request.sort
        column = next(i for i, c in enumerate(panel.spec.columns) if c.sort == sort)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        panel.table.sortByColumn(column, order)
    window.show_tab(index)
