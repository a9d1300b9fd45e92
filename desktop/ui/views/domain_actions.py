"""What the domain view's buttons do: anti-spam, the administrator's certification, the
DNS instruction sheet (business rules §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.db.engine import Database
from desktop.domain.roles import Permission
from desktop.services.domains import DomainDetails, certify_admin, set_antispam
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.documents import Document, open_document

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

ANTISPAM_ON = "Activer l'antispam…"
ANTISPAM_OFF = "Désactiver l'antispam…"
CERTIFY = "Renouveler la certification…"
DNS_SHEET = "Fiche DNS (PDF)…"


def add_domain_actions(view: RecordView, record: DomainDetails) -> None:
    view.add_button(
        ANTISPAM_OFF if record.antispam_enabled else ANTISPAM_ON,
        lambda: switch_antispam(view, record),
        needs=Permission.CUSTOMERS,
    )
    view.add_button(CERTIFY, lambda: certify(view, record), needs=Permission.CUSTOMERS)
    view.add_button(DNS_SHEET, lambda: dns_sheet(view, record))


def switch_antispam(view: RecordView, record: DomainDetails) -> ReasonDialog:
    enable = not record.antispam_enabled
    verb = "Activer" if enable else "Désactiver"
    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"{verb} l'antispam — {record.display_name}",
        action=f"{verb} l'antispam",
        intro=(
            f"Le filtrage antispam s'applique à tout le domaine {record.display_name}, "
            "et ne change qu'à la demande de l'administrateur du client (O365 §1)."
        ),
        reason_hint="Qui l'a demandé, par quel moyen…",
        submit=lambda typed: set_antispam(
            view.db,
            record.id,
            enable,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
        ),
    )
    state = "activé" if enable else "désactivé"
    dialog.completed.connect(lambda _d: view.done(f"Antispam {state} pour {record.display_name}."))
    view.open_dialog(dialog)
    return dialog


def certify(view: RecordView, record: DomainDetails) -> ReasonDialog:
    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"Certification d'administration — {record.display_name}",
        action="Enregistrer la certification",
        intro=(
            f"Le client certifie de nouveau être l'administrateur de {record.display_name} : "
            "il peut en modifier les DNS, pour toute la durée du contrat (HE §4). La date et "
            "l'auteur sont enregistrés."
        ),
        reason_hint="Ex. : attestation signée reçue par courrier le…",
        submit=lambda typed: certify_admin(
            view.db,
            record.id,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
        ),
    )
    dialog.completed.connect(lambda _d: view.done("Certification d'administration enregistrée."))
    view.open_dialog(dialog)
    return dialog


def dns_pdf(db: Database, domain_id: int, name: str) -> Document:
    from desktop.documents.dns_sheet import render_dns_sheet
    from desktop.services.dns_sheet import dns_instructions

    return Document(f"Fiche DNS {name}.pdf", render_dns_sheet(dns_instructions(db, domain_id)))


def dns_sheet(view: RecordView, record: DomainDetails) -> None:
    build = lambda: dns_pdf(view.db, record.id, record.display_name)  # noqa: E731
    open_document(view, view.worker, build, failed=view.report)
