"""Record views ("fiches"): one record's fields, links, buttons and lists.

The frame is :class:`desktop.ui.views.base.RecordView`; the buttons of each
record live in their own module (``*_actions``, ``access_codes``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from desktop.domain.enums import ClientKind, ClientStatus
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.errors import NotFoundError
from desktop.services.clients import ClientDetails, get_client
from desktop.services.contracts import ContractDetails, get_contract
from desktop.services.domains import DomainDetails, get_domain
from desktop.services.events import Subject
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import MailboxDetails, get_mailbox
from desktop.ui.dialogs.mandates_dialog import open_mandates
from desktop.ui.dialogs.personal_data_dialog import (
    add_anonymise_client_action,
    add_anonymise_mailbox_action,
)
from desktop.ui.dialogs.report_dialogs import open_inventory
from desktop.ui.formatting import (
    ORANGE,
    french_date,
    french_datetime,
    french_int,
    money,
    period_text,
)
from desktop.ui.role_gate import WRITE_PERMISSION
from desktop.ui.tabs.specs import (
    CONTRACTS,
    DOMAINS,
    INCIDENTS,
    INVOICES,
    MAILBOXES,
    QUOTES,
    ListSpecUI,
    RecordKind,
)
from desktop.ui.views.access_codes import AccessCodesPanel
from desktop.ui.views.base import Field, RecordView, link, status_html, text
from desktop.ui.views.billing_override_actions import add_billing_override_actions
from desktop.ui.views.contract_actions import add_contract_actions
from desktop.ui.views.domain_actions import add_domain_actions
from desktop.ui.views.history import HistoryPanel
from desktop.ui.views.incident_view import IncidentView
from desktop.ui.views.invoice_view import InvoiceView
from desktop.ui.views.mailbox_actions import add_mailbox_actions
from desktop.ui.views.quote_view import QuoteView

__all__ = ["VIEWS", "RecordView"]


def add_history(view: RecordView, subject: Subject, *, with_mailbox: bool = True) -> HistoryPanel:
    """The « Historique » sub-tab of ``view``: the events about ``subject``."""
    panel = HistoryPanel(
        view.db, view.worker, subject, alive=lambda: view.alive, with_mailbox=with_mailbox
    )
    panel.failed.connect(view.failed)
    view.add_counted_tab(panel, "Historique", panel.count_changed)
    return panel


def orange(value: str) -> str:
    return f'<span style="color:{ORANGE}">{html.escape(value)}</span>'


def changed_text(at: Any, by: str | None) -> str:
    return html.escape(f"le {french_datetime(at)}" + (f" par {by}" if by else ""))


class ClientView(RecordView):
    kind = RecordKind.CLIENT
    editable = True

    def fetch(self) -> ClientDetails:
        return get_client(self.db, self.record_id)

    def title(self, record: ClientDetails) -> str:
        return f"{record.name}  ·  {record.code}"

    def fields(self, record: ClientDetails) -> Sequence[Field]:
        address = ", ".join(
            part
            for part in (
                record.address_line1,
                record.address_line2,
                " ".join(p for p in (record.postcode, record.city) if p),
            )
            if part
        )
        fields = [
            ("État", status_html(record.status)),
            ("Type", text(record.kind)),
            ("Forme juridique", text(record.legal_form)),
            ("SIREN / SIRET", f"{text(record.siren)} / {text(record.siret)}"),
            ("N° de TVA", text(record.vat_number)),
            ("Adresse", text(address)),
            ("E-mail de facturation", text(record.billing_email)),
            ("Téléphone", text(record.phone)),
            ("Mode de paiement", text(record.payment_method)),
        ]
        if record.warnings:
            warnings = "<br>".join(html.escape(w) for w in record.warnings)
            fields.append(("Attention", f'<span style="color:{ORANGE}">{warnings}</span>'))
        return fields

    def add_actions(self, record: ClientDetails) -> None:
        if record.status is ClientStatus.ANONYMISED:
            # Nothing left to act on: the identity is gone, the invoices stay as issued.
            self.edit_button.setEnabled(False)
            self.edit_button.setToolTip("Client anonymisé : sa fiche ne se modifie plus.")
            return
        for caption, kind in (
            ("Nouveau contrat…", RecordKind.CONTRACT),
            ("Nouveau domaine…", RecordKind.DOMAIN),
            ("Nouvelle boîte aux lettres…", RecordKind.MAILBOX),
            ("Nouvelle notification de panne…", RecordKind.INCIDENT),
        ):
            self.add_button(
                caption,
                lambda k=kind: self.new_requested.emit(k, record.id),
                needs=WRITE_PERMISSION[kind],
            )
        self.add_button("Mandats SEPA…", lambda: open_mandates(self, record))
        self.add_button("Inventaire des boîtes…", lambda: open_inventory(self, record.id))
        add_anonymise_client_action(self, record)

    def add_lists(self, record: ClientDetails) -> None:
        self.contacts = contacts_table(record)
        self.tabs.addTab(self.contacts, f"Contacts ({len(record.contacts)})")
        self.add_list(DOMAINS, "Domaines", client_id=record.id)
        self.add_list(CONTRACTS, "Contrats", client_id=record.id)
        self.add_list(MAILBOXES, "Boîtes aux lettres", client_id=record.id)
        self.add_list(INVOICES, "Factures", client_id=record.id)
        self.add_list(QUOTES, "Devis", client_id=record.id)
        self.add_list(INCIDENTS, "Incidents", client_id=record.id)
        self.access_codes = AccessCodesPanel(self, record.id)
        self.add_counted_tab(self.access_codes, "Codes d'accès", self.access_codes.count_changed)


def contacts_table(record: ClientDetails) -> QTableWidget:
    headers = ("Rôle", "Nom", "E-mail", "Téléphone", "Principal")
    table = QTableWidget(len(record.contacts), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    for row, contact in enumerate(record.contacts):
        values = (
            contact.role.label,
            contact.name,
            contact.email or "",
            contact.phone or "",
            "Oui" if contact.is_primary else "",
        )
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    return table


class DomainView(RecordView):
    kind = RecordKind.DOMAIN
    editable = True

    def fetch(self) -> DomainDetails:
        return get_domain(self.db, self.record_id)

    def title(self, record: DomainDetails) -> str:
        return record.display_name

    def fields(self, record: DomainDetails) -> Sequence[Field]:
        certified = (
            changed_text(record.admin_certified_at, record.admin_certified_by)
            if record.admin_certified_at
            else orange("à recueillir auprès du client (HE §4)")
        )
        return [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("Forme technique", text(record.name)),
            ("Domaine principal", "Oui" if record.is_primary else "Non"),
            ("Antispam", "Activé" if record.antispam_enabled else orange("Désactivé")),
            ("DNS", status_html(record.dns_status)),
            ("Administration attestée", certified),
            ("Boîtes aux lettres", french_int(record.mailbox_count)),
        ]

    def add_actions(self, record: DomainDetails) -> None:
        add_domain_actions(self, record)

    def add_lists(self, record: DomainDetails) -> None:
        self.add_list(MAILBOXES, "Boîtes aux lettres", domain_id=record.id)
        self.history = add_history(self, Subject(domain_id=record.id))


class MailboxView(RecordView):
    kind = RecordKind.MAILBOX
    editable = True

    def fetch(self) -> MailboxDetails:
        return get_mailbox(self.db, self.record_id)

    def title(self, record: MailboxDetails) -> str:
        return record.display_address

    def fields(self, record: MailboxDetails) -> Sequence[Field]:
        fields = [
            ("État", status_html(record.status)),
            ("Nom affiché", text(record.display_name)),
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("Domaine", link(RecordKind.DOMAIN, record.domain_id, record.domain_name)),
            ("Contrat", link(RecordKind.CONTRACT, record.contract_id, record.contract_number)),
            ("Gamme / formule", html.escape(f"{record.product_line_name} — {record.plan_name}")),
            ("Type", text(record.kind)),
            ("Quota", f"{french_int(record.quota_gb)} Go"),
            ("Demandée le", text(french_date(record.requested_on))),
            ("Activée le", text(french_date(record.activated_on))),
        ]
        dated = (
            ("Non-renouvellement demandé le", record.non_renewal_requested_on),
            ("Fin de période", record.ends_on),
            ("Résiliée le", record.terminated_on),
            ("Supprimée le", record.deleted_on),
            ("Facturée jusqu'au", record.billing_ends_on),
        )
        fields += [(caption, text(french_date(day))) for caption, day in dated if day]
        return fields

    def add_actions(self, record: MailboxDetails) -> None:
        add_mailbox_actions(self, record)
        add_billing_override_actions(self, record)
        add_anonymise_mailbox_action(self, record)

    def add_lists(self, record: MailboxDetails) -> None:
        self.history = add_history(self, Subject(mailbox_id=record.id), with_mailbox=False)


class ContractView(RecordView):
    kind = RecordKind.CONTRACT
    editable = True

    def fetch(self) -> ContractDetails:
        return get_contract(self.db, self.record_id)

    def title(self, record: ContractDetails) -> str:
        return f"Contrat {record.number}"

    def fields(self, record: ContractDetails) -> Sequence[Field]:
        period = record.current_period
        fields = [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("Gamme", text(record.product_line_name)),
            ("État", status_html(record.status)),
            ("Commandé le", text(french_date(record.ordered_on))),
            ("Signé le", text(french_date(record.signed_on))),
            ("Début du service", text(french_date(record.service_start))),
            (
                "Durées",
                html.escape(
                    f"engagement initial de {record.initial_months} mois, puis renouvellement "
                    f"tacite par {record.renewal_months} mois"
                ),
            ),
            ("Période en cours", text(period_text(period) if period else None)),
        ]
        if record.ends_on is not None and record.status not in CLOSED_CONTRACTS:
            asked = french_date(record.termination_requested_on)
            fields.append(
                ("Fin demandée", orange(f"le {asked} : fin le {french_date(record.ends_on)}"))
            )
        elif period is not None:
            fields.append(("Prochaine échéance", text(french_date(period.next_start))))
        if record.terminated_on is not None:
            fields.append(("Terminé le", text(french_date(record.terminated_on))))
        fields.append(("Mode de paiement", text(record.payment_method)))
        if record.client_kind is ClientKind.CONSUMER:
            waiver = french_date(record.consumer_waiver_on)
            fields.append(
                (
                    "Renonciation à la rétractation",
                    text(waiver) if waiver else orange("à recueillir"),
                )
            )
        if record.negotiated_prices:
            prices = "<br>".join(
                f"{html.escape(name)} : {money(price)} HT"
                for name, price in record.negotiated_prices
            )
            fields.append(("Prix négociés", prices))
        fields += [
            ("Copie signée", text(record.signed_scan_name or "Aucune")),
            ("Boîtes aux lettres", french_int(record.mailbox_count)),
        ]
        if record.notes:
            fields.append(("Notes", html.escape(record.notes).replace("\n", "<br>")))
        fields.append(("Modifié", changed_text(record.updated_at, record.updated_by)))
        return fields

    def add_actions(self, record: ContractDetails) -> None:
        add_contract_actions(self, record)

    def add_lists(self, record: ContractDetails) -> None:
        self.add_list(MAILBOXES, "Boîtes aux lettres", contract_id=record.id)
        self.history = add_history(self, Subject(contract_id=record.id))


class _RowView(RecordView):
    """A record shown from its list row (the list service, filtered on its id)."""

    spec: ListSpecUI

    def fetch(self) -> Any:
        rows = self.spec.fetch(self.db, ListQuery(filters={"id": self.record_id}, limit=1)).rows
        if not rows:
            raise NotFoundError(f"Ce {self.spec.singular} n'existe plus.")
        return rows[0]


VIEWS: dict[RecordKind, Callable[..., RecordView]] = {
    RecordKind.CLIENT: ClientView,
    RecordKind.DOMAIN: DomainView,
    RecordKind.MAILBOX: MailboxView,
    RecordKind.CONTRACT: ContractView,
    RecordKind.INVOICE: InvoiceView,
    RecordKind.INCIDENT: IncidentView,
    RecordKind.QUOTE: QuoteView,
}
