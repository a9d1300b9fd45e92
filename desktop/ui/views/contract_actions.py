"""What the contract view's buttons do: print, simulate an early end, the signed copy,
open the requested mailboxes, ask or withdraw the end of the whole contract."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import ContractStatus
from desktop.domain.roles import Permission
from desktop.services.contract_actions import (
    activate_requested_mailboxes,
    attach_signed_scan,
    get_signed_scan,
    request_contract_termination,
    withdraw_contract_termination,
)
from desktop.services.contracts import ContractDetails
from desktop.ui.db_worker import Job
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.dialogs.termination_dialog import TerminationDialog
from desktop.ui.documents import Document, explain, open_document, save_document
from desktop.ui.formatting import french_date, plural
from desktop.ui.views.quote_view import ACTIVATE as ACTIVATE_SERVICE
from desktop.ui.views.quote_view import activate_service

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

PRINT = "Imprimer le contrat…"
SAVE = "Enregistrer le contrat sous…"
SIMULATE = "Simuler une résiliation…"
ATTACH = "Joindre la copie signée…"
OPEN_SCAN = "Ouvrir la copie signée"
ACTIVATE = "Activer les boîtes demandées…"
END = "Ne pas renouveler le contrat…"
WITHDRAW = "Annuler la demande de fin…"
SCAN_FILTER = "Copies signées (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;Tous les fichiers (*)"


def add_contract_actions(view: RecordView, record: ContractDetails) -> None:
    started = record.status is ContractStatus.ACTIVE and record.service_start is not None
    if record.status is ContractStatus.PENDING and record.service_start is None:
        view.add_button(
            ACTIVATE_SERVICE,
            lambda: activate_service(view, record.id, record.number),
            needs=Permission.CONTRACTS,
        )
    view.add_button(PRINT, lambda: print_contract(view, record))
    view.add_button(SAVE, lambda: save_contract(view, record))
    view.add_button(
        SIMULATE,
        lambda: simulate(view, record),
        enabled=record.service_start is not None,
        tip="" if record.service_start else "Le service n'a pas commencé.",
    )
    view.add_button(ATTACH, lambda: attach_scan(view, record), needs=Permission.CONTRACTS)
    view.add_button(
        OPEN_SCAN,
        lambda: open_scan(view, record),
        enabled=record.signed_scan_name is not None,
        tip=record.signed_scan_name or "Aucune copie signée n'est jointe.",
    )
    view.add_button(
        ACTIVATE,
        lambda: activate_requested(view, record),
        enabled=started,
        tip="" if started else "Indiquez d'abord la date de début du service.",
        needs=Permission.CUSTOMERS,
    )
    if record.ends_on is None:
        view.add_button(
            END, lambda: request_end(view, record), enabled=started, needs=Permission.CONTRACTS
        )
    else:
        view.add_button(
            WITHDRAW,
            lambda: withdraw_end(view, record),
            enabled=record.status is ContractStatus.ACTIVE,
            needs=Permission.CONTRACTS,
        )


# --- documents ------------------------------------------------------------------------


def contract_pdf(db: Database, number: str) -> Document:
    from desktop.documents.contract_pdf import render_contract
    from desktop.services.contract_print import contract_document

    return Document(f"Contrat {number}.pdf", render_contract(contract_document(db, number)))


def print_contract(view: RecordView, record: ContractDetails) -> None:
    build = lambda: contract_pdf(view.db, record.number)  # noqa: E731
    open_document(view, view.worker, build, failed=view.report)


def save_contract(view: RecordView, record: ContractDetails) -> None:
    build = lambda: contract_pdf(view.db, record.number)  # noqa: E731
    save_document(
        view,
        view.worker,
        build,
        f"Contrat {record.number}.pdf",
        failed=view.report,
        saved=lambda path: view.notify(f"Contrat enregistré : {path}"),
    )


def simulate(view: RecordView, record: ContractDetails) -> TerminationDialog:
    dialog = TerminationDialog(
        view, db=view.db, worker=view.worker, actor=view.actor, contract=record
    )
    view.open_dialog(dialog)
    return dialog


# --- the signed copy ------------------------------------------------------------------


def attach_scan(view: RecordView, record: ContractDetails) -> None:
    chosen, _ = QFileDialog.getOpenFileName(
        view, f"Copie signée du contrat {record.number}", "", SCAN_FILTER
    )
    if not chosen:
        return
    path = Path(chosen)

    def attach() -> ContractDetails:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise explain(exc) from None
        return attach_signed_scan(
            view.db,
            record.id,
            data,
            path.name,
            expected_version=record.version,
            actor=view.actor,
        )

    view.worker.submit(
        Job(
            work=attach,
            on_done=lambda details: view.done(f"Copie signée jointe : {details.signed_scan_name}."),
            on_error=view.report,
        )
    )


def open_scan(view: RecordView, record: ContractDetails) -> None:
    def fetch() -> Document:
        scan = get_signed_scan(view.db, record.id)
        return Document(scan.name, scan.data)

    open_document(view, view.worker, fetch, failed=view.report)


# --- the mailboxes and the end of the contract ------------------------------------------


def activate_requested(view: RecordView, record: ContractDetails) -> ReasonDialog:
    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"Activer les boîtes demandées — contrat {record.number}",
        action="Activer",
        intro=(
            "Ouvrir toutes les boîtes demandées du contrat : le service est en place et les "
            "codes d'accès sont remis (HE §4)."
        ),
        date_label="Ouvertes le",
        on=paris_today(),
        submit=lambda typed: activate_requested_mailboxes(
            view.db, record.id, on=typed.on, reason=typed.reason, actor=view.actor
        ),
    )

    def opened(count: int) -> None:
        if count:
            view.done(f"{plural(count, 'boîte activée', 'boîtes activées')}.")
        else:
            view.done("Aucune boîte n'attendait son activation.")

    dialog.completed.connect(opened)
    view.open_dialog(dialog)
    return dialog


def request_end(view: RecordView, record: ContractDetails) -> ReasonDialog:
    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"Ne pas renouveler le contrat {record.number}",
        action="Ne pas renouveler",
        intro=(
            "Le client demande, par e-mail ou courrier, de ne pas renouveler tout le contrat : "
            "chaque boîte prend fin à l'échéance de la période en cours (ou à la fin de son "
            "propre engagement de 12 mois), puis le contrat s'arrête (HE §9.3)."
        ),
        date_label="Demande reçue le",
        date_key="asked_on",
        on=paris_today(),
        submit=lambda typed: request_contract_termination(
            view.db,
            record.id,
            asked_on=typed.on,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
        ),
    )
    dialog.completed.connect(
        lambda details: view.done(
            f"Non-renouvellement enregistré : le contrat prend fin le "
            f"{french_date(details.ends_on)}."
        )
    )
    view.open_dialog(dialog)
    return dialog


def withdraw_end(view: RecordView, record: ContractDetails) -> ReasonDialog:
    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"Annuler la demande de fin — contrat {record.number}",
        action="Annuler la demande",
        intro=(
            f"Le client retire sa demande de non-renouvellement (fin prévue le "
            f"{french_date(record.ends_on)}) : les boîtes qu'elle arrêtait seront renouvelées."
        ),
        submit=lambda typed: withdraw_contract_termination(
            view.db,
            record.id,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
        ),
    )
    dialog.completed.connect(
        lambda _details: view.done("Demande de fin retirée : le contrat sera renouvelé.")
    )
    view.open_dialog(dialog)
    return dialog
