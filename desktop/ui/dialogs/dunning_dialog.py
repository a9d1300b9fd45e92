"""« Facturation > Relances des impayés… »: the steps due now, the next ones, the run.

The late-payment sequence (business rules §6, HE §9.5) previewed at the current
instant: « Étapes dues maintenant » lists each client's step due (a reminder, a
suspension, a deletion, or a stop once paid), « Prochaines échéances » the ones
still to come. A deletion waiting for staff confirmation is done only when its
« Confirmer » box is ticked; a step blocked by a failed email is shown greyed
with its reason. « Exécuter les étapes dues… » runs them in the background, one
transaction per client, then says what was done (a step is never done twice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import utc_now
from desktop.domain.enums import DunningStage
from desktop.errors import UserError
from desktop.services.dunning import (
    DunningPlan,
    DunningReport,
    DunningStep,
    plan_dunning,
    run_dunning,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREY, ORANGE, RED, french_datetime, french_int, money, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.progress import Cancelled, Progress, run_with_progress
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.confirm import confirm
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.run_summary import SummaryLabel, heading

Index = QModelIndex | QPersistentModelIndex
CONFIRM_COLUMN = 0
LINES_SHOWN = 12


def _clock() -> datetime:
    return utc_now()


def _invoices(step: DunningStep) -> str:
    return ", ".join(invoice.number for invoice in step.invoices) or "—"


def _amount(step: DunningStep) -> str:
    return money(step.amount_due) if step.invoices else "—"


def _note(step: DunningStep) -> str:
    if step.blocked is not None:
        return f"Bloquée : {step.blocked}"
    if step.needs_confirmation:
        return "Cochez « Confirmer » pour supprimer"
    if step.stage is DunningStage.STOPPED:
        return "Paiement reçu : la relance s'arrête"
    return ""


def _step_colour(step: DunningStep) -> str | None:
    if step.blocked is not None:
        return GREY
    if step.stage is DunningStage.DELETION:
        return RED
    return ORANGE if step.stage is DunningStage.SUSPENSION else None


def _summary(step: DunningStep) -> str:
    return step.summary


def _effect(step: DunningStep) -> str:
    """What the step will do, short (the client is in its own column)."""
    boxes = french_int(step.accounts)
    if step.stage is DunningStage.REMINDER:
        return "E-mail de relance au client"
    if step.stage is DunningStage.SUSPENSION:
        return f"{boxes} boîte(s) suspendue(s), e-mail au client"
    if step.stage is DunningStage.DELETION:
        after = " après confirmation" if step.needs_confirmation else ""
        return f"{boxes} boîte(s) supprimée(s){after}, e-mail au client"
    return f"{boxes} boîte(s) rétablie(s)"


STEP_COLUMNS = (
    RowColumn("Client", lambda s: f"{s.client_code} {s.client_name}", 210, tooltip=_summary),
    RowColumn("Étape", lambda s: s.stage.label, 95, tooltip=_summary),
    RowColumn("Échéance", lambda s: french_datetime(s.due_at), 120),
    RowColumn("Montant dû", _amount, 100, right=True),
    RowColumn("Factures", _invoices, 140),
    RowColumn("Boîtes", lambda s: french_int(s.accounts), 60, right=True),
)

UPCOMING_COLUMNS = (
    RowColumn("Client", lambda s: f"{s.client_code} {s.client_name}", 285, tooltip=_summary),
    *STEP_COLUMNS[1:],
    RowColumn("Ce qui sera fait", _effect, 200, tooltip=_summary),
)

DUE_COLUMNS = (
    RowColumn("Confirmer", lambda s: "", 75, tooltip=lambda s: _note(s) or None),
    *(
        RowColumn(c.title, c.text, c.width, c.right, colour=_step_colour, tooltip=c.tooltip)
        for c in STEP_COLUMNS
    ),
    RowColumn("Remarque", _note, 200, colour=_step_colour, tooltip=lambda s: _note(s) or None),
)


class DueModel(RowsModel):
    """The steps due: a « Confirmer » check box on each deletion awaiting confirmation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(DUE_COLUMNS, parent)
        self.confirmed: set[int] = set()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.confirmed &= {step.client_id for step in rows if self.confirmable(step)}
        super().set_rows(rows)

    @staticmethod
    def confirmable(step: DunningStep) -> bool:
        return step.needs_confirmation and step.blocked is None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if (
            index.isValid()
            and index.column() == CONFIRM_COLUMN
            and self.confirmable(self.row(index.row()))
        ):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.CheckStateRole
            and index.isValid()
            and index.column() == CONFIRM_COLUMN
            and 0 <= index.row() < self.rowCount()
        ):
            step: DunningStep = self.row(index.row())
            if not self.confirmable(step):
                return None
            checked = step.client_id in self.confirmed
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(  # noqa: N802 - Qt override
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not index.isValid()
            or index.column() != CONFIRM_COLUMN
            or not self.confirmable(self.row(index.row()))
        ):
            return False
        step: DunningStep = self.row(index.row())
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.confirmed.add(step.client_id)
        else:
            self.confirmed.discard(step.client_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def set_confirmed(self, client_id: int, checked: bool = True) -> None:
        """Tick (or untick) the « Confirmer » box of the client's deletion."""
        for position, step in enumerate(self.rows()):
            if step.client_id == client_id:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                self.setData(
                    self.index(position, CONFIRM_COLUMN),
                    state.value,
                    Qt.ItemDataRole.CheckStateRole,
                )


def _lines(title: str, texts: Sequence[str]) -> list[str]:
    if not texts:
        return []
    shown = [f"• {escape(text)}" for text in texts[:LINES_SHOWN]]
    more = len(texts) - LINES_SHOWN
    return [f"{escape(title)} :", *shown, *([f"• … et {more} autre(s)"] if more > 0 else [])]


def report_summary(report: DunningReport) -> str:
    """What a run did, in French (rich text): the counts then the steps, one a line."""
    head = (
        f"Relances exécutées le {french_datetime(report.at)} : "
        f"{french_int(len(report.done))} étape(s) effectuée(s), "
        f"{french_int(len(report.awaiting_confirmation))} suppression(s) à confirmer, "
        f"{french_int(len(report.blocked))} bloquée(s), "
        f"{french_int(len(report.failed))} échec(s)."
    )
    lines = [f"<b>{escape(head)}</b>"]
    lines += _lines("Effectuées", [step.summary for step in report.done])
    lines += _lines(
        "Suppressions non confirmées (rien n'a été fait)",
        [step.summary for step in report.awaiting_confirmation],
    )
    lines += _lines("Bloquées", [step.summary for step in report.blocked])
    lines += _lines(
        "Échecs (rien n'a été enregistré)",
        [f"{failure.client_code} : {failure.message}" for failure in report.failed],
    )
    return "<br>".join(lines)


class DunningDialog(MenuWindow):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(
            parent,
            title="Relances des impayés",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.worker = worker
        self.now = now if now is not None else _clock
        self.plan: DunningPlan | None = None
        self.report: DunningReport | None = None
        self.running = False

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Pour chaque client en retard de paiement : relance, puis suspension des boîtes, "
            "puis suppression (qui attend votre confirmation si les paramètres le demandent) ; "
            "la relance s'arrête dès que les factures sont réglées. Une étape n'est jamais "
            "faite deux fois."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.due_label = QLabel("Chargement…")
        self.due_label.setWordWrap(True)
        layout.addSpacing(6)
        layout.addWidget(heading("Étapes dues maintenant"))
        layout.addWidget(self.due_label)
        self.due = DueModel(self)
        self.due.dataChanged.connect(lambda *_args: self._update_buttons())
        self.due_table = rows_table(self.due)
        self.due_table.doubleClicked.connect(lambda index: self._open(self.due, index))
        self.due_table.activated.connect(lambda index: self._open(self.due, index))
        layout.addWidget(self.due_table, 3)

        layout.addSpacing(6)
        layout.addWidget(heading("Prochaines échéances"))
        self.upcoming = RowsModel(UPCOMING_COLUMNS, self)
        self.upcoming_table = rows_table(self.upcoming)
        self.upcoming_table.doubleClicked.connect(lambda index: self._open(self.upcoming, index))
        self.upcoming_table.activated.connect(lambda index: self._open(self.upcoming, index))
        layout.addWidget(self.upcoming_table, 2)
        hint = QLabel("Double-cliquez sur une ligne pour ouvrir la fiche du client.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)

        self.summary = SummaryLabel(self)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.reload_button = QPushButton("Actualiser")
        self.reload_button.clicked.connect(self.load)
        self.run_button = QPushButton("Exécuter les étapes dues…")
        self.run_button.setDefault(False)
        self.run_button.clicked.connect(self.confirm_run)
        box = QDialogButtonBox()
        self.close_button = box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.run_button)
        buttons.addStretch(1)
        buttons.addWidget(box)
        layout.addLayout(buttons)
        self.resize(1100, 640)
        self._update_buttons()
        self.load()

    # --- the plan ---------------------------------------------------------------------------

    def load(self) -> None:
        """The steps due at the current instant, and the next ones (nothing is written)."""
        at = self.now()
        self.plan = None  # until the new one is in: nothing to run
        self.due_label.setText("Chargement…")
        self._update_buttons()
        self.worker.submit(
            Job(
                work=lambda: plan_dunning(self.db, at),
                on_done=self._show_plan,
                on_error=self._plan_failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _show_plan(self, plan: DunningPlan) -> None:
        if not self._alive:
            return
        self.plan = plan
        self.due.set_rows(plan.due)
        self.upcoming.set_rows(plan.upcoming)
        when = french_datetime(plan.at)
        if not plan.due:
            text = f"Au {when} : aucune étape due."
        else:
            text = f"Au {when} : {plural(len(plan.due), 'étape due', 'étapes dues')}"
            waiting = sum(1 for step in plan.due if DueModel.confirmable(step))
            blocked = sum(1 for step in plan.due if step.blocked is not None)
            if waiting:
                text += (
                    f', dont <span style="color:{RED}">{french_int(waiting)} suppression(s) '
                    "à confirmer</span>"
                )
            if blocked:
                text += f', <span style="color:{GREY}">{french_int(blocked)} bloquée(s)</span>'
            text += "."
        self.due_label.setText(text)
        self._update_buttons()

    def _plan_failed(self, error: Exception) -> None:
        if self._alive:
            self.due_label.setText(getattr(error, "message", str(error)))

    def _open(self, model: RowsModel, index: QModelIndex) -> None:
        if index.isValid():
            step: DunningStep = model.row(index.row())
            self.open_record(RecordKind.CLIENT, step.client_id)

    # --- the run ----------------------------------------------------------------------------

    def _counts(self) -> tuple[int, int, int, int]:
        """Steps that a run would do, confirmed deletions among them, unconfirmed, blocked."""
        steps = self.plan.due if self.plan is not None else ()
        blocked = sum(1 for step in steps if step.blocked is not None)
        confirmable = [step for step in steps if DueModel.confirmable(step)]
        confirmed = sum(1 for step in confirmable if step.client_id in self.due.confirmed)
        plain = len(steps) - blocked - len(confirmable)
        return plain + confirmed, confirmed, len(confirmable) - confirmed, blocked

    def _update_buttons(self) -> None:
        has_due = self.plan is not None and bool(self.plan.due)
        self.run_button.setEnabled(has_due and not self.running)
        self.reload_button.setEnabled(not self.running)

    def confirm_run(self) -> None:
        if self.plan is None or not self.plan.due:
            return
        doing, confirmed, unconfirmed, blocked = self._counts()
        detail = [f"dont {french_int(confirmed)} suppression(s) confirmée(s)."] if confirmed else []
        if unconfirmed:
            detail.append(
                f"{french_int(unconfirmed)} suppression(s) non cochée(s) ne seront pas faites."
            )
        if blocked:
            detail.append(f"{french_int(blocked)} étape(s) bloquée(s) ne seront pas faites.")
        if confirm(
            self,
            "Relances des impayés",
            f"Exécuter {plural(doing, 'étape due', 'étapes dues')} maintenant ?"
            if doing
            else "Aucune étape ne sera effectuée. Exécuter quand même ?",
            yes="Exécuter",
            detail="\n".join(detail),
        ):
            self._run()

    def _run(self) -> None:
        at = self.now()
        confirmed = frozenset(self.due.confirmed)

        def work(progress: Progress) -> DunningReport:
            progress("Relances des impayés…", 0, 0)
            return run_dunning(self.db, at, actor=self.actor, confirmed_deletions=confirmed)

        self.running = True
        self._update_buttons()
        self.progress = run_with_progress(
            self, "Relances des impayés", work, self._show_report, self._run_failed
        )

    def _show_report(self, report: DunningReport) -> None:
        self.running = False
        self.report = report
        self.summary.show_text(report_summary(report), error=bool(report.failed))
        self.load()
        self.refresh_window()

    def _run_failed(self, error: Exception) -> None:
        self.running = False
        self._update_buttons()
        if isinstance(error, Cancelled):
            text = "Relances interrompues : les clients déjà traités le restent."
        elif isinstance(error, UserError):
            text = error.message
        else:
            text = f"Une erreur inattendue est survenue : {error}"
        self.summary.show_text(escape(text), error=True)
        self.load()
