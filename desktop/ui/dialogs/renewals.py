"""« Contrats > Renouvellements… »: the anniversaries coming, and the renewal run.

Tacit renewal (business rules §4, HE §9.3, O365 §5): at each anniversary a
contract renews with its running accounts, except those the client asked not
to renew. « À venir » lists the anniversaries of the SEPA warning window and
flags the clients without an active SEPA mandate; « Lancer le renouvellement »
previews the run at a date (nothing written), then runs it behind a progress
dialog whose Cancel stops between two contracts (each is its own transaction,
and a run never does anything twice).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.errors import InvalidValue
from desktop.errors import UserError
from desktop.services.renewals import (
    AnniversaryOutcome,
    RenewalReport,
    UpcomingRenewal,
    run_renewals,
    sepa_warning_days,
    upcoming_renewals,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREEN, GREY, ORANGE, french_date, french_int, plural
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.progress import Cancelled, Progress, run_with_progress
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.widgets.confirm import confirm
from desktop.ui.widgets.date_field import DateField, read_date
from desktop.ui.widgets.menu_window import MenuWindow
from desktop.ui.widgets.validated_form import ErrorLabel

ADDRESSES_SHOWN = 25


def _mandate_text(row: UpcomingRenewal) -> str:
    if row.has_active_mandate:
        return "Actif"
    return "⚠ Aucun mandat actif" if row.warning else "Sans objet"


def _mandate_colour(row: UpcomingRenewal) -> str | None:
    if row.has_active_mandate:
        return GREEN
    return ORANGE if row.warning else GREY


def _addresses(addresses: tuple[str, ...]) -> str | None:
    if not addresses:
        return None
    more = len(addresses) - ADDRESSES_SHOWN
    shown = "\n".join(addresses[:ADDRESSES_SHOWN])
    return shown + (f"\n… et {more} autre(s)" if more > 0 else "")


UPCOMING_COLUMNS = (
    RowColumn("Échéance", lambda r: french_date(r.anniversary), 90),
    RowColumn("Contrat", lambda r: r.contract_number, 110),
    RowColumn("Client", lambda r: r.client_name, 220),
    RowColumn("Gamme", lambda r: r.product_line_name, 120),
    RowColumn("Renouvelées", lambda r: french_int(r.renewing), 95, right=True),
    RowColumn("Arrêtées", lambda r: french_int(r.ending), 80, right=True),
    RowColumn(
        "Mandat SEPA",
        _mandate_text,
        180,
        colour=_mandate_colour,
        tooltip=lambda r: r.warning,
    ),
)

OUTCOME_COLUMNS = (
    RowColumn("Échéance", lambda o: french_date(o.anniversary), 90),
    RowColumn("Contrat", lambda o: o.contract_number, 110),
    RowColumn("Client", lambda o: o.client_name, 220),
    RowColumn(
        "Nouvelle période",
        lambda o: "—" if o.contract_ends else f"jusqu'au {french_date(o.period_end)}",
        140,
    ),
    RowColumn(
        "Renouvelées",
        lambda o: french_int(len(o.renewed)),
        95,
        right=True,
        tooltip=lambda o: _addresses(o.renewed),
    ),
    RowColumn(
        "Arrêtées",
        lambda o: french_int(len(o.ended)),
        80,
        right=True,
        tooltip=lambda o: _addresses(o.ended),
    ),
    RowColumn(
        "Contrat",
        lambda o: "Prend fin" if o.contract_ends else "Renouvelé",
        100,
        colour=lambda o: ORANGE if o.contract_ends else None,
    ),
)


def report_summary(report: RenewalReport) -> str:
    anniversaries = plural(len(report.outcomes), "échéance", "échéances")
    head = (
        f"Renouvellement effectué au {french_date(report.at)}"
        if report.applied
        else f"Aperçu au {french_date(report.at)} (rien n'est enregistré)"
    )
    if not report.outcomes:
        return f"{head} : aucune échéance à traiter."
    return (
        f"{head} : {anniversaries}, "
        f"{plural(report.renewed_accounts, 'boîte renouvelée', 'boîtes renouvelées')}, "
        f"{plural(report.ended_accounts, 'boîte arrêtée', 'boîtes arrêtées')}, "
        f"{plural(report.ended_contracts, 'contrat terminé', 'contrats terminés')}."
    )


class RenewalsDialog(MenuWindow):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        open_record: Callable[[RecordKind, int], None],
        refresh: Callable[[], None],
    ) -> None:
        super().__init__(
            parent,
            title="Renouvellements des contrats",
            db=db,
            actor=actor,
            open_record=open_record,
            refresh=refresh,
        )
        self.worker = worker
        self.report: RenewalReport | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._upcoming_tab(), "À venir")
        self.tabs.addTab(self._run_tab(), "Lancer le renouvellement")
        buttons = QDialogButtonBox()
        close = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(980, 560)
        self.load_upcoming()

    # --- « À venir » ----------------------------------------------------------------------

    def _upcoming_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.upcoming_label = QLabel("Chargement…")
        self.upcoming_label.setWordWrap(True)
        reload_button = QPushButton("Actualiser")
        reload_button.clicked.connect(self.load_upcoming)
        top.addWidget(self.upcoming_label, 1)
        top.addWidget(reload_button)
        layout.addLayout(top)
        self.upcoming = RowsModel(UPCOMING_COLUMNS, self)
        self.upcoming_table = rows_table(self.upcoming)
        self.upcoming_table.doubleClicked.connect(self._open_upcoming)
        self.upcoming_table.activated.connect(self._open_upcoming)
        layout.addWidget(self.upcoming_table, 1)
        hint = QLabel("Double-cliquez sur une ligne pour ouvrir le contrat dans la fenêtre.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        return page

    def load_upcoming(self) -> None:
        today = paris_today()

        def fetch() -> tuple[int, list[UpcomingRenewal]]:
            days = sepa_warning_days(self.db)
            return days, upcoming_renewals(self.db, at=today, days=days)

        self.worker.submit(
            Job(
                work=fetch,
                on_done=lambda result: self._show_upcoming(today, *result),
                on_error=self._upcoming_failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _show_upcoming(self, today: date, days: int, rows: list[UpcomingRenewal]) -> None:
        if not self._alive:
            return
        self.upcoming.set_rows(rows)
        missing = sum(1 for row in rows if row.warning)
        text = (
            f"Échéances des {days} prochains jours (délai d'alerte SEPA), à partir du "
            f"{french_date(today)} : {plural(len(rows), 'contrat', 'contrats')}"
        )
        if missing:
            text += (
                f', dont <span style="color:{ORANGE}">'
                f"{plural(missing, 'client', 'clients')} sans mandat SEPA actif</span>"
            )
        self.upcoming_label.setText(text + ".")

    def _upcoming_failed(self, error: Exception) -> None:
        if self._alive:
            self.upcoming_label.setText(getattr(error, "message", str(error)))

    def _open_upcoming(self, index: QModelIndex) -> None:
        if index.isValid():
            row: UpcomingRenewal = self.upcoming.row(index.row())
            self.open_record(RecordKind.CONTRACT, row.contract_id)

    # --- « Lancer le renouvellement » ------------------------------------------------------

    def _run_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel(
            "Chaque contrat arrivé à son échéance au plus tard à cette date est renouvelé pour "
            "sa durée de renouvellement avec ses boîtes en service ; les boîtes dont le client a "
            "demandé le non-renouvellement s'arrêtent, et le contrat s'il n'en garde aucune. "
            "Relancer ne traite jamais deux fois la même échéance."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("Échéances jusqu'au"))
        self.run_date = DateField(paris_today())
        self.run_date.textChanged.connect(self._date_changed)
        row.addWidget(self.run_date)
        self.preview_button = QPushButton("Aperçu")
        self.preview_button.clicked.connect(self.preview)
        self.run_button = QPushButton("Renouveler…")
        self.run_button.clicked.connect(self.confirm_run)
        row.addWidget(self.preview_button)
        row.addWidget(self.run_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.run_error = ErrorLabel(self)
        layout.addWidget(self.run_error)
        self.summary = QLabel("Choisissez la date puis « Aperçu » : rien n'est enregistré.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.outcomes = RowsModel(OUTCOME_COLUMNS, self)
        self.outcomes_table = rows_table(self.outcomes)
        self.outcomes_table.doubleClicked.connect(self._open_outcome)
        layout.addWidget(self.outcomes_table, 1)
        return page

    def _date_changed(self) -> None:
        self.run_error.set_message("")
        if self.report is not None and not self.report.applied:
            self.report = None
            self.outcomes.set_rows([])
            self.summary.setText("Date changée : refaites l'aperçu.")

    def _run_date(self) -> date | None:
        try:
            return read_date(self.run_date.text(), "Indiquez la date.")
        except InvalidValue as exc:
            self.run_error.set_message(exc.message)
            return None

    def preview(self) -> None:
        at = self._run_date()
        if at is not None:
            self._run(at, apply=False)

    def confirm_run(self) -> None:
        at = self._run_date()
        if at is None:
            return
        preview = self.report if self.report and self.report.at == at else None
        if confirm(
            self,
            "Renouveler les contrats",
            f"Renouveler les contrats arrivés à échéance au {french_date(at)} ?",
            yes="Renouveler",
            detail=report_summary(preview) if preview is not None else "",
        ):
            self._run(at, apply=True)

    def _run(self, at: date, *, apply: bool) -> None:
        stage = "Renouvellement des contrats…" if apply else "Aperçu du renouvellement…"
        handled = [0, 0]  # contracts done, of

        def work(progress: Progress) -> RenewalReport:
            def moved(done: int, total: int) -> None:
                progress(stage, done, total)
                handled[:] = [done, total]  # after the call: Cancel stops before the next

            return run_renewals(self.db, at=at, actor=self.actor, apply=apply, progress=moved)

        self._set_running(True)
        self.run_error.set_message("")
        self.progress = run_with_progress(
            self,
            "Renouvellement des contrats" if apply else "Aperçu du renouvellement",
            work,
            self._show_report,
            lambda error: self._run_failed(error, apply, handled),
        )

    def _show_report(self, report: RenewalReport) -> None:
        self._set_running(False)
        self.report = report
        self.outcomes.set_rows(report.outcomes)
        self.summary.setText(report_summary(report))
        font = self.summary.font()
        font.setBold(report.applied)
        self.summary.setFont(font)
        if report.applied:
            self.load_upcoming()
            self.refresh_window()

    def _run_failed(self, error: Exception, applied: bool, handled: list[int]) -> None:
        self._set_running(False)
        if isinstance(error, Cancelled) and applied:
            done, total = handled
            self.run_error.set_message(
                f"Renouvellement interrompu : les contrats déjà traités ({done} sur {total}) le "
                "restent. Relancez pour terminer : rien n'est fait deux fois."
            )
            self.refresh_window()
        elif isinstance(error, Cancelled):
            self.run_error.set_message("Aperçu annulé.")
        elif isinstance(error, UserError):
            self.run_error.set_message(error.message)
        else:
            self.run_error.set_message(f"Une erreur inattendue est survenue : {error}")

    def _set_running(self, running: bool) -> None:
        for widget in (self.preview_button, self.run_button, self.run_date):
            widget.setEnabled(not running)

    def _open_outcome(self, index: QModelIndex) -> None:
        if index.isValid():
            outcome: AnniversaryOutcome = self.outcomes.row(index.row())
            self.open_record(RecordKind.CONTRACT, outcome.contract_id)
