"""« Qualité > Disponibilité et avoirs (SLA)… »: a month's availability per client and line.

The chart shows the availability of the last twelve months (click a month to
see it); the table lists, for the month chosen, each client and product line
with a failure notification: availability, downtime, notifications, the credit
due under the contract and the credit granted. « Accorder l'avoir… », on the
client's request, issues the credit note; « Exporter (Excel)… » saves the table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cli import write_atomically
from desktop.db.engine import Database
from desktop.documents.sla_report_xlsx import sla_report_workbook
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.periods import add_months, month_name
from desktop.errors import UserError
from desktop.services.sla import (
    MonthAvailability,
    SlaRow,
    availability_series,
    grant_credit,
    sla_report,
    sla_settings,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREEN, RED, french_int, hours_minutes, money
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.availability_chart import AvailabilityChart
from desktop.ui.widgets.confirm import confirm
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.run_summary import SummaryLabel, heading

MONTHS_SHOWN = 12
XLSX_FILTER = "Classeurs Excel (*.xlsx)"


def percent(value: Decimal, places: int = 3) -> str:
    """Decimal('98.7654321') → « 98,765 % »."""
    return f"{value:.{places}f}".replace(".", ",") + "\u00a0%"


def _credit_colour(row: SlaRow) -> str | None:
    if row.credit_granted:
        return GREEN
    return RED if row.credit_due else None


def columns(target: Decimal) -> tuple[RowColumn, ...]:
    return (
        RowColumn("Client", lambda r: f"{r.client_code} — {r.client_name}", 210),
        RowColumn("Gamme", lambda r: r.product_line_name, 130),
        RowColumn(
            "Disponibilité",
            lambda r: percent(r.availability),
            100,
            right=True,
            colour=lambda r: RED if r.availability < target else None,
            bold=lambda r: r.availability < target,
        ),
        RowColumn("Interruption", lambda r: hours_minutes(r.downtime), 80, right=True),
        RowColumn("Notifications", lambda r: french_int(r.notifications), 85, right=True),
        RowColumn("Excusables", lambda r: french_int(r.excusable), 80, right=True),
        RowColumn("Taux", lambda r: percent(r.credit_percent, 0), 50, right=True),
        RowColumn("Base", lambda r: money(r.base), 90, right=True),
        RowColumn("Déjà accordé (30 j)", lambda r: money(r.already_credited), 115, right=True),
        RowColumn("Avoir dû", lambda r: money(r.credit_due), 85, right=True, colour=_credit_colour),
        RowColumn("Avoir accordé", lambda r: money(r.credit_granted), 95, right=True),
        RowColumn("N° d'avoir", lambda r: r.credit_note_number or "", 110),
    )


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the ``count`` months up to this one, latest first."""
    current = today.replace(day=1)
    return [add_months(current, -offset) for offset in range(count)]


def totals_text(rows: list[SlaRow], target: Decimal) -> str:
    if not rows:
        return "Aucune notification de panne ce mois-ci : disponibilité de 100 %."
    below = sum(1 for r in rows if r.availability < target)
    due = sum((r.credit_due for r in rows), Decimal("0.00"))
    granted = sum((r.credit_granted for r in rows), Decimal("0.00"))
    return (
        f"{len(rows)} client(s) et gamme(s) touchés, {below} sous l'objectif de "
        f"{percent(target, 0)} — avoirs dus : {money(due)}, accordés : {money(granted)}."
    )


def _message(error: Exception) -> str:
    if isinstance(error, UserError):
        return error.message
    return f"Une erreur inattendue est survenue ; rien n'a été enregistré. ({error})"


class SlaDialog(MenuWindow):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__(
            parent,
            title="Disponibilité et avoirs (SLA)",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.worker = worker
        self.today = today if today is not None else paris_today
        self.target = sla_settings(db).availability_target
        self.rows: list[SlaRow] | None = None
        self.series: list[MonthAvailability] = []
        self._loads = 0

        layout = QVBoxLayout(self)
        intro = QLabel(
            "La disponibilité de chaque client, par gamme, calculée sur ses notifications de "
            "panne (de la réception au rétablissement ; les causes excusables ne comptent pas). "
            "Sous l'objectif, un avoir est dû à la demande du client, plafonné à 20 % des "
            "redevances sur 30 jours."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(QLabel("Mois"))
        self.month_combo = QComboBox()
        for first in last_months(self.today()):
            self.month_combo.addItem(f"{month_name(first)}", first)
        self.month_combo.setCurrentIndex(1 if self.month_combo.count() > 1 else 0)
        self.month_combo.currentIndexChanged.connect(lambda _i: self.load())
        top.addWidget(self.month_combo)
        top.addStretch(1)
        layout.addLayout(top)
        self.chart = AvailabilityChart()
        self.chart.month_clicked.connect(self.select_month)
        layout.addWidget(self.chart)
        layout.addWidget(heading("Clients touchés"))
        self.model = RowsModel(columns(self.target), self)
        self.table = rows_table(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._open_client)
        self.table.activated.connect(self._open_client)
        layout.addWidget(self.table, 1)
        self.totals = QLabel("Chargement…")
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        self.summary = SummaryLabel(self)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.grant_button = QPushButton("Accorder l'avoir…")
        self.grant_button.setToolTip("À la demande du client : émet l'avoir sur la facture du mois")
        self.grant_button.clicked.connect(self.grant)
        self.export_button = QPushButton("Exporter (Excel)…")
        self.export_button.clicked.connect(self.choose_file)
        for button in (self.grant_button, self.export_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QDialogButtonBox()
        box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        buttons.addWidget(box)
        layout.addLayout(buttons)
        self.resize(1270, 720)
        self._update_buttons()
        self.load()

    # --- loading ------------------------------------------------------------------------

    @property
    def month(self) -> date:
        value: date = self.month_combo.currentData()
        return value

    @property
    def loading(self) -> bool:
        return self.rows is None

    def select_month(self, month: date) -> None:
        """Show ``month`` (a click on the chart); findData cannot match a Python date."""
        for index in range(self.month_combo.count()):
            if self.month_combo.itemData(index) == month:
                self.month_combo.setCurrentIndex(index)
                return

    def load(self) -> None:
        month = self.month
        self.rows = None
        self._loads += 1
        ticket = self._loads
        self.totals.setText("Chargement…")
        self._update_buttons()
        now = utc_now()
        latest = self.month_combo.itemData(0)

        def work() -> tuple[list[SlaRow], list[MonthAvailability]]:
            series = availability_series(self.db, months=MONTHS_SHOWN, until=latest, now=now)
            return sla_report(self.db, month, now=now), series

        self.worker.submit(
            Job(
                work=work,
                on_done=lambda result: self._show(ticket, *result),
                on_error=self._failed,
                is_stale=lambda: not self._alive or ticket != self._loads,
            )
        )

    def _show(self, ticket: int, rows: list[SlaRow], series: list[MonthAvailability]) -> None:
        if not self.alive or ticket != self._loads:  # closed, or another month asked since
            return
        self.rows = rows
        self.series = series
        self.model.set_rows(rows)
        self.chart.set_values(series, self.target, self.month)
        self.totals.setText(totals_text(rows, self.target))
        self._update_buttons()

    def _failed(self, error: Exception) -> None:
        if not self.alive:
            return
        self.rows = []
        self.summary.show_text(escape(_message(error)), error=True)
        self._update_buttons()

    def selected_row(self) -> SlaRow | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        grantable = row is not None and row.credit_due > 0 and not row.credit_granted
        self.grant_button.setEnabled(not self.loading and grantable)
        self.export_button.setEnabled(not self.loading)

    def _open_client(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(RecordKind.CLIENT, self.model.row(index.row()).client_id)

    # --- the credit ---------------------------------------------------------------------

    def grant(self) -> None:
        row = self.selected_row()
        if row is None or not self.grant_button.isEnabled():
            return
        if not self.confirm_grant(row):
            return
        self.worker.submit(
            Job(
                work=lambda: grant_credit(
                    self.db, row.client_id, row.product_line_id, row.month, actor=self.actor
                ),
                on_done=lambda number: self._granted(row, number),
                on_error=self._failed_grant,
            )
        )

    def confirm_grant(self, row: SlaRow) -> bool:
        """Asks before issuing the credit note (tests replace it)."""
        return confirm(
            self,
            "Accorder l'avoir",
            f"Émettre un avoir de {money(row.credit_due)} pour {row.client_name} "
            f"({row.product_line_name}, {month_name(row.month)}) ?",
            yes="Émettre l'avoir",
            detail=(
                f"Disponibilité {percent(row.availability)} : taux {percent(row.credit_percent, 0)}"
                f" sur une base de {money(row.base)}. L'avoir est émis sur la facture du mois et "
                "ne peut plus être modifié."
            ),
        )

    def _granted(self, row: SlaRow, number: str) -> None:
        self.refresh_window()  # the credit note is in the lists, even if this window closed
        if not self.alive:
            return
        self.summary.show_text(
            escape(f"Avoir {number} émis pour {row.client_name} : {money(row.credit_due)}."),
            error=False,
        )
        self.load()

    def _failed_grant(self, error: Exception) -> None:
        if not self.alive:
            return
        self.summary.show_text(escape(_message(error)), error=True)

    # --- Excel --------------------------------------------------------------------------

    def choose_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"disponibilite-{self.month:%Y-%m}.xlsx"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Exporter la disponibilité", str(Path(folder) / name), XLSX_FILTER
        )
        if chosen:
            self.export(Path(chosen if chosen.lower().endswith(".xlsx") else f"{chosen}.xlsx"))

    def export(self, path: Path) -> None:
        rows, month = list(self.rows or []), self.month

        def work() -> Path:
            data = sla_report_workbook(rows, month, generated_at=datetime.now().astimezone())
            return write_atomically(path, data)

        self.worker.submit(
            Job(
                work=work,
                on_done=lambda target: self.summary.show_text(
                    escape(f"Rapport enregistré : {target}"), error=False
                ),
                on_error=self._failed_grant,
            )
        )
