"""« Facturation > Facturation mensuelle… »: preview a month's invoices, then make them.

The preview (nothing written) lists each client to bill with its number of
lines and totals, and how many clients already have their invoice for the
month. The run makes one invoice per client, by batches, each its own
transaction, and issues them at once unless told to leave drafts; Cancel stops
between two batches. Running a month again, or after a Cancel, makes nothing
twice: it only finishes what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.errors import UserError
from desktop.services.billing_run import BillingPreview, BillingReport, preview_billing, run_billing
from desktop.ui.batch_progress import Steps
from desktop.ui.formatting import FRENCH, GREEN, GREY, ORANGE, french_int, money, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.progress import Progress, run_with_progress
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.tasks import run_in_background
from desktop.ui.widgets.confirm import confirm
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.validated_form import ErrorLabel

PREVIEW_DELAY_MS = 300
ISSUE_TEXT = "Émettre les factures (numérotation définitive)"

PREVIEW_COLUMNS = (
    RowColumn("Code", lambda r: r.client_code, 90),
    RowColumn("Client", lambda r: r.client_name, 280),
    RowColumn("Lignes", lambda r: french_int(r.lines), 70, right=True),
    RowColumn("Total HT", lambda r: money(r.total_excl_vat), 120, right=True),
    RowColumn("Total TTC", lambda r: money(r.total_incl_vat), 120, right=True),
)


def month_name(month: date) -> str:
    """date(2026, 11, 1) → « novembre 2026 »."""
    return f"{FRENCH.monthName(month.month)} {month.year}"


def preview_summary(preview: BillingPreview) -> str:
    """What the run would make, in one French sentence (rich text)."""
    month = month_name(preview.month)
    already = preview.already_billed
    done = (
        f" ; {plural(already, 'client déjà facturé', 'clients déjà facturés')} pour ce mois"
        if already
        else ""
    )
    if not preview.rows:
        return f"Rien à facturer pour {month}{done}."
    return (
        f"{plural(len(preview.rows), 'client à facturer', 'clients à facturer')} pour {month} : "
        f"<b>{money(preview.total_excl_vat)} HT</b>, {money(preview.total_incl_vat)} TTC{done}."
    )


def report_summary(report: BillingReport, *, issued: bool) -> str:
    """The outcome of a run, in French."""
    month = month_name(report.month)
    made = report.invoices_created
    noun = (
        ("facture émise", "factures émises")
        if issued
        else ("facture créée en brouillon", "factures créées en brouillon")
    )
    parts = [plural(made, *noun)]
    if made and report.numbers:
        first, last = report.numbers[0], report.numbers[-1]
        parts[0] += f" (n° {first})" if first == last else f" (n° {first} à {last})"
    if made:
        parts.append(f"total {money(report.total_excl_vat)} HT, {money(report.total_incl_vat)} TTC")
    if report.already_billed:
        parts.append(
            plural(
                report.already_billed, "client était déjà facturé", "clients étaient déjà facturés"
            )
        )
    if report.cancelled:
        return (
            f"Facturation de {month} interrompue : {', '.join(parts)}. Les factures faites le "
            "restent ; relancez pour terminer (rien n'est facturé deux fois)."
        )
    return f"Facturation de {month} terminée : {', '.join(parts)}."


class MonthEdit(QDateEdit):
    """A month and year, « novembre 2026 »; arrows and the wheel step by month."""

    def __init__(self, month: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(FRENCH)
        self.setDisplayFormat("MMMM yyyy")
        self.setCurrentSection(QDateEdit.Section.MonthSection)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("septembre 0000") + 48)
        self.set_month(month)

    def month(self) -> date:
        value = self.date()
        return date(value.year(), value.month(), 1)

    def set_month(self, month: date) -> None:
        self.setDate(QDate(month.year, month.month, 1))


class BillingRunDialog(MenuWindow):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
        today: date | None = None,
    ) -> None:
        super().__init__(
            parent,
            title="Facturation mensuelle",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.preview: BillingPreview | None = None
        self.report: BillingReport | None = None
        self.running = False
        self._asked = 0  # number of the latest preview asked for
        self._build(today or paris_today())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.load_preview)
        self.load_preview()

    # --- building -----------------------------------------------------------------------

    def _build(self, today: date) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        intro = QLabel(
            "Une facture par client pour le mois choisi, pour toutes ses boîtes : prorata des "
            "jours pour une boîte ouverte en cours de mois, options selon leur périodicité, "
            "frais de mise en service sur la première facture. Relancer un mois ne facture "
            "jamais deux fois."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("Mois à facturer"))
        self.month = MonthEdit(today.replace(day=1))
        self.month.dateChanged.connect(self._month_changed)
        row.addWidget(self.month)
        self.reload_button = QPushButton("Actualiser l'aperçu")
        self.reload_button.clicked.connect(self.load_preview)
        row.addWidget(self.reload_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = QLabel("Calcul de l'aperçu…")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.rows = RowsModel(PREVIEW_COLUMNS, self)
        self.table = rows_table(self.rows)
        self.table.doubleClicked.connect(self._open_client)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        hint = QLabel("Aperçu : rien n'est enregistré. Double-cliquez sur un client pour l'ouvrir.")
        hint.setStyleSheet(f"color: {GREY};")
        layout.addWidget(hint)
        self.error = ErrorLabel(self)
        layout.addWidget(self.error)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setStyleSheet("font-weight: 600;")
        self.result.hide()
        layout.addWidget(self.result)
        bottom = QHBoxLayout()
        self.issue = QCheckBox(ISSUE_TEXT)
        self.issue.setChecked(True)
        self.issue.setToolTip(
            "Décochée, les factures restent en brouillon : vérifiez-les, puis émettez-les "
            "depuis l'onglet Factures."
        )
        bottom.addWidget(self.issue)
        bottom.addStretch(1)
        buttons = QDialogButtonBox()
        self.run_button = buttons.addButton(
            "Lancer la facturation…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.run_button.setEnabled(False)
        self.run_button.clicked.connect(self.confirm_run)
        self.close_button = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.resize(760, 560)

    # --- the preview --------------------------------------------------------------------

    def _month_changed(self) -> None:
        self.error.set_message("")
        self.result.hide()
        self.preview = None
        self.rows.set_rows([])
        self.run_button.setEnabled(False)
        self.summary.setText("Calcul de l'aperçu…")
        self._timer.start()

    def load_preview(self) -> None:
        """Compute the preview of the month shown, off the GUI thread."""
        self._timer.stop()
        self._asked += 1
        asked, month = self._asked, self.month.month()
        self.summary.setText("Calcul de l'aperçu…")
        self.run_button.setEnabled(False)
        run_in_background(
            lambda: preview_billing(self.db, month),
            lambda preview: self._show_preview(asked, preview),
            lambda error: self._preview_failed(asked, error),
        )

    def _current(self, asked: int) -> bool:
        return self._alive and asked == self._asked

    def _show_preview(self, asked: int, preview: BillingPreview) -> None:
        if not self._current(asked):
            return
        self.preview = preview
        self.rows.set_rows(preview.rows)
        self.summary.setText(preview_summary(preview))
        self.run_button.setEnabled(bool(preview.rows) and not self.running)

    def _preview_failed(self, asked: int, error: Exception) -> None:
        if self._current(asked):
            self.summary.setText("Aperçu indisponible.")
            self._show_error(error)

    def _open_client(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(RecordKind.CLIENT, self.rows.row(index.row()).client_id)

    # --- the run ------------------------------------------------------------------------

    def confirm_run(self) -> None:
        preview = self.preview
        if preview is None or self.running:
            return
        issuing = self.issue.isChecked()
        what = "émettre" if issuing else "créer en brouillon"
        count = plural(len(preview.rows), "facture", "factures")
        if confirm(
            self,
            "Facturation mensuelle",
            f"{what.capitalize()} {count} pour {month_name(preview.month)} ?",
            yes="Facturer",
            detail=(
                "Les factures émises reçoivent leur numéro définitif et ne pourront plus être "
                "modifiées (seulement corrigées par un avoir)."
                if issuing
                else "Les brouillons pourront être vérifiés puis émis depuis l'onglet Factures."
            ),
        ):
            self.run(preview.month, issue=issuing)

    def run(self, month: date, *, issue: bool) -> None:
        """Bill ``month`` behind a progress dialog whose Cancel stops between batches."""
        stage = f"Facturation de {month_name(month)}…"

        def work(progress: Progress) -> BillingReport:
            steps = Steps(progress, stage)
            return run_billing(
                self.db,
                month,
                actor=self.actor,
                issue=issue,
                progress=steps.moved,
                cancelled=steps.cancelled,
            )

        self._set_running(True)
        self.error.set_message("")
        self.result.hide()
        self.progress = run_with_progress(
            self,
            "Facturation mensuelle",
            work,
            lambda report: self._show_report(report, issue),
            self._run_failed,
        )

    def _show_report(self, report: BillingReport, issued: bool) -> None:
        self.report = report
        self._finished()
        self.result.setText(report_summary(report, issued=issued))
        self.result.setStyleSheet(
            f"font-weight: 600; color: {ORANGE if report.cancelled else GREEN};"
        )
        self.result.show()

    def _run_failed(self, error: Exception) -> None:
        self._finished()
        self._show_error(error)

    def _finished(self) -> None:
        self._set_running(False)
        if self._alive:
            self.refresh_window()
            self.load_preview()

    def _show_error(self, error: Exception) -> None:
        if isinstance(error, UserError):
            self.error.set_message(error.message)
        else:
            self.error.set_message(f"Une erreur inattendue est survenue : {error}")

    def _set_running(self, running: bool) -> None:
        self.running = running
        for widget in (self.month, self.reload_button, self.issue, self.close_button):
            widget.setEnabled(not running)
        self.run_button.setEnabled(not running and bool(self.preview and self.preview.rows))

    # --- closing ------------------------------------------------------------------------

    def reject(self) -> None:
        if not self.running:
            super().reject()

    def shown_rows(self) -> list[list[Any]]:
        """The preview table as read on screen."""
        return [
            [self.rows.index(row, column).data() for column in range(self.rows.columnCount())]
            for row in range(self.rows.rowCount())
        ]
