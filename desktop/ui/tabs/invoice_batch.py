"""What the Factures list does with several invoices selected at once.

Issue the selected drafts (one transaction: numbers follow each other); save
the PDFs of the selection into a folder, « <numéro>.pdf » each, rendered on all
the processor's cores behind a progress dialog whose Cancel stops between
documents (each file is written whole or not at all); print the selection as
one document. The same actions sit in the « Facturation » menu and in the list's
context menu.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from desktop.db.engine import Database
from desktop.domain.enums import InvoiceStatus
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.ui.batch_progress import Steps
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.documents import Build, Document, explain, open_file, write_temp
from desktop.ui.formatting import plural
from desktop.ui.progress import Progress, run_with_progress
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.widgets.confirm import confirm

ISSUE = "Émettre les brouillons sélectionnés…"
SAVE = "Enregistrer les PDF de la sélection…"
PRINT = "Imprimer la sélection…"
MAIL = "Envoyer la sélection par e-mail…"
NOTHING_SELECTED = "Sélectionnez d'abord des factures dans la liste (Ctrl ou Maj + clic)."
SELECTION_NAME = "Factures sélectionnées.pdf"


# --- printing -------------------------------------------------------------------------------


def print_file(path: Path) -> None:
    """Send ``path`` to the printer through its application (Windows), or open it to print."""
    start = getattr(os, "startfile", None)
    if start is not None:
        try:
            start(str(path), "print")
            return
        except OSError:
            pass  # no application registers a print command: show it instead
    open_file(path)


def print_document(
    owner: QWidget, worker: DbWorker, build: Build, *, failed: Callable[[Exception], None]
) -> None:
    """Build the document on ``worker``, then print it."""

    def printed(path: Path) -> None:
        try:
            print_file(path)
        except UserError as exc:
            failed(exc)

    worker.submit(
        Job(
            work=lambda: write_temp(build()),
            on_done=printed,
            on_error=lambda exc: failed(explain(exc)),
        )
    )


def merge_pdfs(documents: Sequence[bytes]) -> bytes:
    """One PDF made of the pages of ``documents``, in order."""
    import pikepdf

    merged = pikepdf.Pdf.new()
    for data in documents:
        with pikepdf.open(io.BytesIO(data)) as source:
            merged.pages.extend(source.pages)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    numbers: tuple[str, ...]
    pdfs: tuple[bytes, ...]
    cancelled: bool


def render_issued(
    db: Database, rows: Sequence[Any], progress: Progress, *, facturx: bool
) -> Rendered:
    """The PDFs of the issued documents of ``rows`` (drafts have none), on all cores."""
    from desktop.documents.batch import render_invoices
    from desktop.services.invoice_print import invoice_documents

    progress("Lecture des factures…", 0, len(rows))
    documents = invoice_documents(db, [row.id for row in rows])
    steps = Steps(progress, "Création des PDF…")
    pdfs = render_invoices(
        documents, facturx=facturx, progress=steps.moved, cancelled=steps.cancelled
    )
    numbers = tuple(row.number for row in rows)[: len(pdfs)]
    cancelled = steps.cancelled() or len(pdfs) < len(rows)
    return Rendered(numbers, tuple(pdf.data for pdf in pdfs), cancelled)


def write_pdfs(folder: Path, rendered: Rendered) -> list[Path]:
    """Each PDF as « <numéro>.pdf » in ``folder``, written whole or not at all."""
    from desktop.cli import write_atomically

    return [
        write_atomically(folder / f"{number}.pdf", data)
        for number, data in zip(rendered.numbers, rendered.pdfs, strict=True)
    ]


def saved_text(written: int, asked: int, folder: Path, cancelled: bool, drafts: int = 0) -> str:
    files = plural(written, "PDF enregistré", "PDF enregistrés")
    text = (
        f"Enregistrement interrompu : {files} sur {asked} dans {folder}."
        if cancelled
        else f"{files} dans {folder}."
    )
    if drafts:
        text += (
            f" {plural(drafts, 'brouillon ignoré', 'brouillons ignorés')} (émettez-les d'abord)."
        )
    return text


# --- the actions ----------------------------------------------------------------------------


class InvoiceBatch(QObject):
    """The selection actions of the Factures list, for the window's menu and the list's."""

    def __init__(
        self,
        owner: QWidget,
        panel: ListPanel,
        *,
        db: Database,
        worker: DbWorker,
        actor: str,
        changed: Callable[[], None],
        failed: Callable[[Exception], None],
        notify: Callable[[str], None],
        gate: RoleGate | None = None,
    ) -> None:
        super().__init__(owner)
        self.owner = owner
        self.panel = panel
        self.db = db
        self.worker = worker
        self.actor = actor
        self.changed = changed
        self.failed = failed
        self.notify = notify
        self.gate = gate or RoleGate()
        self.progress: Any = None
        self.issue_action = self._action(ISSUE, self.issue_selected)
        self.save_action = self._action(SAVE, self.save_selected)
        self.print_action = self._action(PRINT, self.print_selected)
        self.mail_action = self._action(MAIL, self.mail_selected)
        panel.menu_hooks.append(self._add_to_menu)
        panel.table.selectionModel().selectionChanged.connect(self.update_actions)
        panel.model.modelReset.connect(self.update_actions)  # a new query drops the selection
        self.update_actions()

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.owner)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    @property
    def actions(self) -> list[QAction]:
        return [self.issue_action, self.save_action, self.print_action, self.mail_action]

    def update_actions(self) -> None:
        """With a selection; issuing and mailing only if the logged-in role may bill."""
        selected = bool(self.panel.selected_ranges())
        for action in self.actions:
            action.setEnabled(selected)
        for action in (self.issue_action, self.mail_action):
            self.gate.gate(action, Permission.BILLING)

    def _add_to_menu(self, menu: QMenu) -> None:
        if self.panel.selected_ranges():
            for action in self.actions:
                menu.addAction(action)
            menu.addSeparator()

    def _with_selection(self, then: Callable[[list[Any]], None]) -> None:
        if not self.panel.selected_ranges():
            self.failed(UserError(NOTHING_SELECTED))
            return
        self.panel.load_selection(then, self.failed)

    # --- issuing ------------------------------------------------------------------------

    def issue_selected(self) -> None:
        self._with_selection(self._issue)

    def _issue(self, rows: list[Any]) -> None:
        # Numbered in the order they were made, whatever the order of the list.
        drafts = sorted(row.id for row in rows if row.status is InvoiceStatus.DRAFT)
        if not drafts:
            self.failed(UserError("La sélection ne contient aucun brouillon à émettre."))
            return
        count = plural(len(drafts), "brouillon", "brouillons")
        if not confirm(
            self.owner,
            "Émettre les brouillons",
            f"Émettre {count} de la sélection ?",
            yes="Émettre",
            detail=(
                "Chaque facture reçoit son numéro définitif et ne pourra plus être modifiée "
                "(seulement corrigée par un avoir)."
            ),
        ):
            return
        from desktop.services.issuing import issue_drafts

        self.worker.submit(
            Job(
                work=lambda: issue_drafts(self.db, drafts, actor=self.actor),
                on_done=self._issued,
                on_error=self.failed,
            )
        )

    def _issued(self, numbers: list[str]) -> None:
        span = numbers[0] if len(numbers) == 1 else f"{numbers[0]} à {numbers[-1]}"
        self.notify(f"{plural(len(numbers), 'facture émise', 'factures émises')} : n° {span}.")
        self.changed()

    # --- PDF ----------------------------------------------------------------------------

    def save_selected(self) -> None:
        self._with_selection(self._save)

    def _issued_rows(self, rows: list[Any]) -> list[Any]:
        issued = [row for row in rows if row.number is not None]
        if not issued:
            self.failed(UserError("La sélection ne contient que des brouillons : émettez-les."))
        return issued

    def _save(self, rows: list[Any]) -> None:
        issued = self._issued_rows(rows)
        if not issued:
            return
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen = QFileDialog.getExistingDirectory(
            self.owner, f"Enregistrer {plural(len(issued), 'PDF', 'PDF')} dans le dossier", start
        )
        if not chosen:
            return
        folder = Path(chosen)
        taken = [row.number for row in issued if (folder / f"{row.number}.pdf").exists()]
        if taken and not confirm(
            self.owner,
            "Fichiers existants",
            f"{plural(len(taken), 'fichier existe', 'fichiers existent')} déjà dans ce dossier "
            f"(par exemple {taken[0]}.pdf). Les remplacer ?",
            yes="Remplacer",
        ):
            return

        def work(progress: Progress) -> str:
            rendered = render_issued(self.db, issued, progress, facturx=True)
            written = write_pdfs(folder, rendered)
            skipped = len(rows) - len(issued)
            return saved_text(len(written), len(issued), folder, rendered.cancelled, skipped)

        self._run("Enregistrement des PDF", work, self.notify)

    def print_selected(self) -> None:
        self._with_selection(self._print)

    def _print(self, rows: list[Any]) -> None:
        issued = self._issued_rows(rows)
        if not issued:
            return

        def work(progress: Progress) -> Path:
            rendered = render_issued(self.db, issued, progress, facturx=False)
            if rendered.cancelled:
                raise UserError("Impression annulée.")
            return write_temp(Document(SELECTION_NAME, merge_pdfs(rendered.pdfs)))

        self._run("Impression de la sélection", work, print_file)

    # --- email --------------------------------------------------------------------------

    def mail_selected(self) -> None:
        self._with_selection(self._mail)

    def _mail(self, rows: list[Any]) -> None:
        from desktop.ui.invoice_mailing import mail_invoices

        self.progress = mail_invoices(
            self.owner,
            self.db,
            [row.id for row in rows],
            done=self.notify,
            failed=self.failed,
            actor=self.actor,
        )

    def _run(
        self, title: str, work: Callable[[Progress], Any], then: Callable[[Any], None]
    ) -> None:
        def done(result: Any) -> None:
            try:
                then(result)
            except UserError as exc:
                self.failed(exc)

        self.progress = run_with_progress(
            self.owner, title, work, done, lambda exc: self.failed(explain(exc))
        )
