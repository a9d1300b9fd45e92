"""« Simuler une résiliation »: the early-termination fee of a contract, line by line.

The fee is computed by the service on the database worker each time the date
or the monthly fixed fees change; the fees start as computed from the
contract's running accounts and options, and the user may type others (a
negotiated amount). Nothing is written; the simulation prints as a PDF.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.contracts import FULL_RATE, REDUCED_RATE, TerminationFee
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.errors import UserError
from desktop.services.contracts import ContractDetails
from desktop.services.termination import TerminationSimulation, simulate_termination
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.documents import Document, open_document, save_document
from desktop.ui.formatting import FRENCH, french_date, money, period_text, plural
from desktop.ui.widgets.date_field import DateField, read_date
from desktop.ui.widgets.validated_form import ErrorLabel

RECOMPUTE_MS = 250
MAX_FEES = 1_000_000


def percent(rate: Decimal) -> str:
    return f"{int(rate * 100)}\u00a0%"


def fee_lines(fee: TerminationFee) -> list[tuple[str, str, str]]:
    """(months and rate, × monthly fees, = amount) of each part of the fee."""
    monthly = money(fee.monthly_fixed_fees)
    return [
        (
            f"{fee.months_full} mois à {percent(FULL_RATE)}",
            f"× {monthly} =",
            money(fee.amount_full),
        ),
        (
            f"{fee.months_reduced} mois à {percent(REDUCED_RATE)}",
            f"× {monthly} =",
            money(fee.amount_reduced),
        ),
    ]


def simulation_document_name(simulation: TerminationSimulation) -> str:
    return (
        f"Simulation de résiliation {simulation.contract_number} "
        f"au {simulation.effective:%d-%m-%Y}.pdf"
    )


def simulation_document(simulation: TerminationSimulation) -> Document:
    from desktop.documents.termination_pdf import render_termination

    return Document(simulation_document_name(simulation), render_termination(simulation))


class TerminationDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        contract: ContractDetails,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.actor = actor
        self.contract = contract
        self.simulation: TerminationSimulation | None = None
        self._asked = 0  # number of the latest simulation asked for
        self._fees_typed = False  # the user typed the fees: keep them
        self._alive = True
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Simulation de résiliation — contrat {contract.number}")
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_MS)
        self._timer.timeout.connect(self.recompute)
        self.recompute()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        contract = self.contract
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        start = french_date(contract.service_start) or "—"
        about = QLabel(
            f"<b>Contrat {contract.number}</b> — {html.escape(contract.client_name)} — "
            f"{contract.product_line_name}<br>"
            f"Service démarré le {start} · engagement initial {contract.initial_months} mois · "
            f"renouvellement par {contract.renewal_months} mois"
        )
        about.setWordWrap(True)
        layout.addWidget(about)
        self.general_error = ErrorLabel(self)
        layout.addWidget(self.general_error)

        form = QFormLayout()
        self.effective = DateField(paris_today())
        self.effective.textChanged.connect(self._date_changed)
        self.date_error = ErrorLabel(self)
        form.addRow(
            "Date d'effet de la résiliation", self._with_note(self.effective, self.date_error)
        )
        self.fees = QDoubleSpinBox()
        self.fees.setLocale(FRENCH)
        self.fees.setDecimals(2)
        self.fees.setRange(0, MAX_FEES)
        self.fees.setGroupSeparatorShown(True)
        self.fees.setSuffix(" € HT")
        self.fees.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.fees.setMinimumWidth(150)
        self.fees.valueChanged.connect(self._fees_changed)
        self.recompute_button = QPushButton("Recalculer")
        self.recompute_button.setToolTip(
            "Reprendre les frais calculés d'après les boîtes et options"
        )
        self.recompute_button.clicked.connect(self.reset_fees)
        self.fees_note = QLabel()
        self.fees_note.setStyleSheet("color: palette(placeholder-text);")
        self.fees_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.fees)
        row.addWidget(self.recompute_button)
        row.addStretch(1)
        fees_box = QWidget()
        fees_column = QVBoxLayout(fees_box)
        fees_column.setContentsMargins(0, 0, 0, 0)
        fees_column.setSpacing(2)
        fees_column.addLayout(row)
        fees_column.addWidget(self.fees_note)
        form.addRow("Frais fixes mensuels", fees_box)
        layout.addLayout(form)

        box = QGroupBox("Frais de résiliation anticipée (O365 §5)")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(18)
        grid.setColumnStretch(0, 1)
        self.period = QLabel("Calcul…")
        self.period.setWordWrap(True)
        grid.addWidget(self.period, 0, 0, 1, 3)
        self.cells: list[tuple[QLabel, QLabel, QLabel]] = []
        for line in range(2):
            cells = (QLabel(), QLabel(), QLabel())
            cells[2].setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, cell in enumerate(cells):
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(cell, 1 + line, column)
            self.cells.append(cells)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        grid.addWidget(rule, 3, 0, 1, 3)
        self.total_caption = QLabel("<b>Total HT</b>")
        self.total = QLabel()
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.total.setStyleSheet("font-weight: bold; font-size: 15px;")
        grid.addWidget(self.total_caption, 4, 0, 1, 2)
        grid.addWidget(self.total, 4, 2)
        layout.addWidget(box)
        note = QLabel(
            "Tout mois commencé compte pour un mois entier. Simulation seulement : "
            "rien n'est enregistré."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(note)

        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton("Imprimer…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton(
            "Enregistrer sous…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.clicked.connect(self.print_simulation)
        self.save_button.clicked.connect(self.save_simulation)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._set_ready(False)
        self.resize(640, self.sizeHint().height())

    @staticmethod
    def _with_note(widget: QWidget, note: QLabel) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(note)
        return holder

    # --- computing ----------------------------------------------------------------------

    def _date_changed(self) -> None:
        self._timer.start()

    def _fees_changed(self) -> None:
        self._fees_typed = True
        self._timer.start()

    def reset_fees(self) -> None:
        """Back to the fees computed from the contract's accounts and options."""
        self._fees_typed = False
        self.recompute()

    def recompute(self) -> None:
        self._timer.stop()
        try:
            effective = read_date(self.effective.text(), "Indiquez la date d'effet.")
        except InvalidValue as exc:
            self._show_refusal(date_error=exc.message)
            return
        assert effective is not None
        fees = Decimal(f"{self.fees.value():.2f}") if self._fees_typed else None
        self._asked += 1
        asked = self._asked
        self._set_ready(False)
        self.worker.submit(
            Job(
                work=lambda: self._simulate(effective, fees),
                on_done=lambda sim: self._show(asked, sim),
                on_error=lambda error: self._failed(asked, error),
                is_stale=lambda: not self._alive or asked != self._asked,
            )
        )

    def _simulate(self, effective: date, fees: Decimal | None) -> TerminationSimulation:
        return simulate_termination(
            self.db, self.contract.id, effective, actor=self.actor, monthly_fees=fees
        )

    def _show(self, asked: int, simulation: TerminationSimulation) -> None:
        if not self._alive or asked != self._asked:
            return
        self.simulation = simulation
        fee = simulation.fee
        self.general_error.set_message("")
        self.date_error.set_message("")
        if not self._fees_typed:
            self.fees.blockSignals(True)
            self.fees.setValue(float(fee.monthly_fixed_fees))
            self.fees.blockSignals(False)
            self.fees_note.setText(
                f"Calculés d'après {plural(simulation.accounts, 'boîte', 'boîtes')} en service "
                "et les options mensuelles, aux tarifs du "
                f"{french_date(simulation.effective)} ; modifiables."
            )
        else:
            self.fees_note.setText("Montant saisi : « Recalculer » reprend le montant calculé.")
        self.period.setText(f"Période en cours : {period_text(fee.period)}")
        for cells, texts in zip(self.cells, fee_lines(fee), strict=True):
            for cell, value in zip(cells, texts, strict=True):
                cell.setText(value)
        self.total.setText(money(fee.total))
        self._set_ready(True)

    def _failed(self, asked: int, error: Exception) -> None:
        if not self._alive or asked != self._asked:
            return
        if isinstance(error, ValidationError):
            self._show_refusal(
                date_error=error.errors.get("effective"),
                general=" ; ".join(m for k, m in error.errors.items() if k != "effective"),
            )
        elif isinstance(error, UserError):
            self._show_refusal(general=error.message)
        else:
            self._show_refusal(general=f"Une erreur inattendue est survenue : {error}")

    def _show_refusal(self, *, date_error: str | None = None, general: str = "") -> None:
        self.simulation = None
        self.date_error.set_message(date_error or "")
        self.general_error.set_message(general)
        self.period.setText("—")
        for cells in self.cells:
            for cell in cells:
                cell.setText("")
        self.total.setText("—")
        self._set_ready(False)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- what is shown, as text ---------------------------------------------------------

    def breakdown(self) -> list[str]:
        """The lines of the breakdown as read on screen, then the total."""
        lines = [" ".join(cell.text() for cell in cells) for cells in self.cells]
        return [*lines, f"Total {self.total.text()}"]

    # --- printing -----------------------------------------------------------------------

    def print_simulation(self) -> None:
        simulation = self.simulation
        if simulation is not None:
            build = lambda: simulation_document(simulation)  # noqa: E731
            open_document(self, self.worker, build, failed=self._print_failed)

    def save_simulation(self) -> None:
        simulation = self.simulation
        if simulation is not None:
            build = lambda: simulation_document(simulation)  # noqa: E731
            name = simulation_document_name(simulation)
            save_document(self, self.worker, build, name, failed=self._print_failed)

    def _print_failed(self, error: Exception) -> None:
        message = error.message if isinstance(error, UserError) else str(error)
        self.general_error.set_message(message)

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)
