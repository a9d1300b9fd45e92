"""« Fichier > Importer des clients, domaines ou boîtes… »: check a spreadsheet, then import.

The user chooses what the file holds and the file (.xlsx or .csv), then
« Vérifier »: a dry run in the background lists every problem by row and
column. « Importer » is enabled only once the check of this very file found
nothing; the import is all or nothing. « Télécharger le modèle… » saves the
.xlsx template of the chosen kind.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.cli import write_atomically
from desktop.db.engine import Database
from desktop.errors import UserError
from desktop.services.importing import (
    ImportKind,
    ImportReport,
    Problem,
    import_file,
    summary_text,
    template_bytes,
)
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREEN, RED
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.widgets.run_summary import heading

SPREADSHEET_FILTER = "Tableurs (*.xlsx *.csv);;Classeurs Excel (*.xlsx);;Fichiers CSV (*.csv)"
XLSX_FILTER = "Classeurs Excel (*.xlsx)"

KIND_CHOICES: tuple[tuple[str, ImportKind], ...] = (
    ("Clients", ImportKind.CLIENTS),
    ("Domaines", ImportKind.DOMAINS),
    ("Boîtes aux lettres", ImportKind.MAILBOXES),
)
TEMPLATE_NAMES = {
    ImportKind.CLIENTS: "modele-import-clients.xlsx",
    ImportKind.DOMAINS: "modele-import-domaines.xlsx",
    ImportKind.MAILBOXES: "modele-import-boites.xlsx",
}

PROBLEM_COLUMNS = (
    RowColumn("Ligne", lambda p: str(p.row), 60, right=True),
    RowColumn("Colonne", lambda p: p.column, 180),
    RowColumn("Problème", lambda p: p.message, 560, tooltip=lambda p: p.message),
)


def report_html(report: ImportReport) -> str:
    """The outcome in one or two lines (rich text)."""
    colour = RED if report.problems else GREEN
    lines = [f'<b style="color:{colour}">{escape(summary_text(report), quote=False)}</b>']
    if report.ignored_columns:
        ignored = ", ".join(f"« {name} »" for name in report.ignored_columns)
        lines.append(escape(f"Colonnes ignorées : {ignored}.", quote=False))
    return "<br>".join(lines)


class ImportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        refresh: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.worker = worker
        self.actor = actor
        self.refresh_window = refresh
        self.report: ImportReport | None = None
        self.checked: tuple[ImportKind, str] | None = None  # what the last clean check was
        self.running = False
        self.setWindowTitle("Importer des clients, domaines ou boîtes")
        self.resize(860, 520)

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Importez un classeur Excel (.xlsx) ou un fichier CSV (séparateur « ; » ou « , »). "
            "Les colonnes sont reconnues par leur en-tête ; téléchargez le modèle pour les "
            "connaître. Vérifiez d'abord le fichier : l'import est tout ou rien."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QGridLayout()
        form.addWidget(QLabel("Contenu du fichier"), 0, 0)
        self.kind_combo = QComboBox()
        for label, kind in KIND_CHOICES:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(self._changed)
        form.addWidget(self.kind_combo, 0, 1)
        self.template_button = QPushButton("Télécharger le modèle…")
        self.template_button.clicked.connect(self.save_template)
        form.addWidget(self.template_button, 0, 2)
        form.addWidget(QLabel("Fichier"), 1, 0)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Choisissez un fichier .xlsx ou .csv")
        self.path_edit.textChanged.connect(self._changed)
        form.addWidget(self.path_edit, 1, 1)
        self.browse_button = QPushButton("Parcourir…")
        self.browse_button.clicked.connect(self.choose_file)
        form.addWidget(self.browse_button, 1, 2)
        form.setColumnStretch(1, 1)
        layout.addLayout(form)

        layout.addWidget(heading("Problèmes trouvés"))
        self.problems = RowsModel(PROBLEM_COLUMNS, self)
        self.table = rows_table(self.problems)
        layout.addWidget(self.table, 1)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.check_button = QPushButton("Vérifier")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("Importer")
        self.import_button.clicked.connect(self.run_import)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------

    @property
    def kind(self) -> ImportKind:
        kind: ImportKind = self.kind_combo.currentData()
        return kind

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()

    def _changed(self, *_args: object) -> None:
        """Another kind or file: the previous check no longer vouches for it."""
        self.checked = None
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self.running
        self.check_button.setEnabled(idle and bool(self.path))
        self.import_button.setEnabled(idle and self.checked == (self.kind, self.path))
        for widget in (self.kind_combo, self.path_edit, self.browse_button):
            widget.setEnabled(idle)

    # --- actions --------------------------------------------------------------------------

    def choose_file(self) -> None:
        start = self.path or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Fichier à importer", start, SPREADSHEET_FILTER
        )
        if chosen:
            self.path_edit.setText(chosen)

    def save_template(self) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / TEMPLATE_NAMES[self.kind])
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer le modèle", suggested, XLSX_FILTER
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            written = write_atomically(target, template_bytes(self.kind))
        except UserError as exc:
            self._show_error(exc)
            return None
        self.summary.setText(escape(f"Modèle enregistré : {written}", quote=False))
        return written

    def check(self) -> None:
        """The dry run: every problem listed, nothing written."""
        self._start(dry_run=True)

    def run_import(self) -> None:
        """The import itself, only after a clean check of this kind and file."""
        if self.checked != (self.kind, self.path):
            return
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        if self.running or not self.path:
            return
        kind, path, db, actor = self.kind, self.path, self.db, self.actor
        self.running = True
        self.summary.setText("Vérification en cours…" if dry_run else "Import en cours…")
        self._update_buttons()
        self.worker.submit(
            Job(
                work=lambda: import_file(db, kind, Path(path), dry_run=dry_run, actor=actor),
                on_done=lambda report: self._finished(report, kind, path),
                on_error=self._failed,
            )
        )

    def _finished(self, report: ImportReport, kind: ImportKind, path: str) -> None:
        self.running = False
        self.report = report
        self.problems.set_rows(list(report.problems))
        self.summary.setText(report_html(report))
        clean = not report.problems
        self.checked = (kind, path) if clean and report.dry_run else None
        if not report.dry_run and report.imported and self.refresh_window is not None:
            self.refresh_window()
        self._update_buttons()

    def _failed(self, error: Exception) -> None:
        self.running = False
        self.checked = None
        self.problems.set_rows([])
        self._show_error(error)
        self._update_buttons()

    def _show_error(self, error: Exception) -> None:
        text = error.message if isinstance(error, UserError) else f"Erreur inattendue : {error}"
        self.summary.setText(f'<b style="color:{RED}">{escape(text, quote=False)}</b>')

    def problem_rows(self) -> list[Problem]:
        return list(self.problems.rows())
