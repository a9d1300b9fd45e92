"""Record views ("fiches"): one record's fields, links to what it belongs to, its lists.

A view loads its record on the database worker and shows it; every related
record is a link (``kind:id``) that the window follows, with history.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.errors import NotFoundError
from desktop.services.clients import ClientDetails, get_client
from desktop.services.domains import DomainDetails, get_domain
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import MailboxDetails, get_mailbox
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import (
    french_date,
    french_datetime,
    french_int,
    label,
    money,
    status_colour,
)
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.tabs.specs import (
    CONTRACTS,
    DOMAINS,
    INCIDENTS,
    INVOICES,
    MAILBOXES,
    ListSpecUI,
    RecordKind,
)

Field = tuple[str, str]
"""(caption, rich text) of one line of a record."""


def link(kind: RecordKind, record_id: int, text: str) -> str:
    return f'<a href="{kind.value}:{record_id}">{html.escape(text)}</a>'


def text(value: object) -> str:
    return html.escape(label(value)) if value not in (None, "") else "—"


def status_html(value: object) -> str:
    colour = status_colour(value)
    shown = html.escape(label(value))
    return shown if colour is None else f'<span style="color:{colour.name()}">● {shown}</span>'


class RecordView(QWidget):
    """The frame shared by every record: heading, fields, buttons, sub-lists."""

    navigate = Signal(object, int)  # RecordKind, id
    edit_requested = Signal(object, int)
    failed = Signal(object)
    loaded = Signal(object)

    kind: RecordKind
    editable = False

    def __init__(self, db: Database, worker: DbWorker, record_id: int) -> None:
        super().__init__()
        self.db = db
        self.worker = worker
        self.record_id = record_id
        self.record: Any = None
        self._alive = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        self.heading = QLabel("Chargement…")
        self.heading.setObjectName("recordHeading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.heading, 1)
        self.edit_button = QPushButton("Modifier…")
        self.edit_button.setVisible(self.editable)
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self._edit)
        top.addWidget(self.edit_button)
        layout.addLayout(top)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(4)
        layout.addLayout(self.form)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.reload()

    def _edit(self) -> None:
        self.edit_requested.emit(self.kind, self.record_id)

    def retire(self) -> None:
        """Closed: results still on their way are dropped, its lists ask for nothing more."""
        self._alive = False
        for panel in self._panels():
            panel.model.cancel()

    def _panels(self) -> list[ListPanel]:
        pages = (self.tabs.widget(index) for index in range(self.tabs.count()))
        return [page for page in pages if isinstance(page, ListPanel)]

    def reload(self) -> None:
        self.worker.submit(
            Job(
                work=self.fetch,
                on_done=self._show,
                on_error=self._fail,
                is_stale=lambda: not self._alive,
            )
        )

    def _fail(self, error: Exception) -> None:
        if self._alive:
            self.failed.emit(error)

    def _show(self, record: Any) -> None:
        if not self._alive:
            return
        first = self.record is None
        self.record = record
        self.heading.setText(self.title(record))
        while self.form.rowCount():
            self.form.removeRow(0)
        for caption, value in self.fields(record):
            shown = QLabel(value)
            shown.setTextFormat(Qt.TextFormat.RichText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextBrowserInteraction
                | Qt.TextInteractionFlag.TextSelectableByMouse
            )
            shown.linkActivated.connect(self._follow)
            self.form.addRow(f"{caption} :", shown)
        self.edit_button.setEnabled(self.editable)
        if first:
            self.add_lists(record)
        self.loaded.emit(record)

    def _follow(self, href: str) -> None:
        kind, _, record_id = href.partition(":")
        self.navigate.emit(RecordKind(kind), int(record_id))

    def add_list(self, spec: ListSpecUI, title: str, **fixed: object) -> ListPanel:
        panel = ListPanel(spec, self.db, self.worker, fixed=fixed, compact=True)
        panel.open_requested.connect(self.navigate)
        panel.edit_requested.connect(self.edit_requested)
        panel.failed.connect(self.failed)
        index = self.tabs.addTab(panel, title)
        panel.count_changed.connect(
            lambda count: self.tabs.setTabText(index, f"{title} ({count.split(' ')[0]})")
        )
        return panel

    def refresh(self) -> None:
        self.reload()
        for panel in self._panels():
            panel.refresh()

    # --- what each record shows -----------------------------------------------------------

    def fetch(self) -> Any:
        raise NotImplementedError

    def title(self, record: Any) -> str:
        raise NotImplementedError

    def fields(self, record: Any) -> Sequence[Field]:
        raise NotImplementedError

    def add_lists(self, record: Any) -> None:
        """Sub-lists shown under the fields; none by default."""


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
            fields.append(("Attention", f'<span style="color:#b35c00">{warnings}</span>'))
        return fields

    def add_lists(self, record: ClientDetails) -> None:
        self.contacts = contacts_table(record)
        self.tabs.addTab(self.contacts, f"Contacts ({len(record.contacts)})")
        self.add_list(DOMAINS, "Domaines", client_id=record.id)
        self.add_list(CONTRACTS, "Contrats", client_id=record.id)
        self.add_list(MAILBOXES, "Boîtes aux lettres", client_id=record.id)
        self.add_list(INVOICES, "Factures", client_id=record.id)
        self.add_list(INCIDENTS, "Incidents", client_id=record.id)


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
            f"le {french_datetime(record.admin_certified_at)} par {record.admin_certified_by}"
            if record.admin_certified_at
            else "—"
        )
        return [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("Forme technique", text(record.name)),
            ("Domaine principal", "Oui" if record.is_primary else "Non"),
            ("Antispam", "Activé" if record.antispam_enabled else "Désactivé"),
            ("DNS", status_html(record.dns_status)),
            ("Administration attestée", html.escape(certified)),
            ("Boîtes aux lettres", french_int(record.mailbox_count)),
        ]

    def add_lists(self, record: DomainDetails) -> None:
        self.add_list(MAILBOXES, "Boîtes aux lettres", domain_id=record.id)


class MailboxView(RecordView):
    kind = RecordKind.MAILBOX
    editable = True

    def fetch(self) -> MailboxDetails:
        return get_mailbox(self.db, self.record_id)

    def title(self, record: MailboxDetails) -> str:
        return record.display_address

    def fields(self, record: MailboxDetails) -> Sequence[Field]:
        return [
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
            ("Fin de période", text(french_date(record.ends_on))),
        ]


class _RowView(RecordView):
    """A record shown from its list row (the list service, filtered on its id)."""

    spec: ListSpecUI

    def fetch(self) -> Any:
        rows = self.spec.fetch(self.db, ListQuery(filters={"id": self.record_id}, limit=1)).rows
        if not rows:
            raise NotFoundError(f"Ce {self.spec.singular} n'existe plus.")
        return rows[0]


class ContractView(_RowView):
    kind = RecordKind.CONTRACT
    spec = CONTRACTS

    def title(self, record: Any) -> str:
        return f"Contrat {record.number}"

    def fields(self, record: Any) -> Sequence[Field]:
        return [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("Gamme", text(record.product_line_name)),
            ("État", status_html(record.status)),
            ("Signé le", text(french_date(record.signed_on))),
            ("Début du service", text(french_date(record.service_start))),
            ("Engagement initial", f"{record.initial_months} mois"),
            ("Renouvellement", f"{record.renewal_months} mois"),
            ("Mode de paiement", text(record.payment_method)),
        ]

    def add_lists(self, record: Any) -> None:
        self.add_list(MAILBOXES, "Boîtes aux lettres", contract_id=record.id)


class InvoiceView(_RowView):
    kind = RecordKind.INVOICE
    spec = INVOICES

    def title(self, record: Any) -> str:
        return f"{record.kind.label} {record.number or '(brouillon)'}"

    def fields(self, record: Any) -> Sequence[Field]:
        fields = [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("État", status_html(record.status)),
            ("Émise le", text(french_date(record.issued_on))),
            ("Échéance", text(french_date(record.due_on))),
            ("Total HT", money(record.total_excl_vat)),
            ("TVA", money(record.total_vat)),
            ("Total TTC", f"<b>{money(record.total_incl_vat)}</b>"),
        ]
        if record.corrects_id is not None:
            fields.append(("Corrige", link(RecordKind.INVOICE, record.corrects_id, "la facture")))
        return fields


class IncidentView(_RowView):
    kind = RecordKind.INCIDENT
    spec = INCIDENTS

    def title(self, record: Any) -> str:
        return f"Incident {record.number}"

    def fields(self, record: Any) -> Sequence[Field]:
        return [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("État", status_html(record.status)),
            ("Gamme", text(record.product_line_name)),
            ("Domaine", text(record.domain_name)),
            ("Canal", text(record.channel)),
            ("Reçu le", text(french_datetime(record.received_at))),
            ("Rétabli le", text(french_datetime(record.restored_at))),
            ("Cause excusable", text(record.excusable_category)),
            ("Description", text(record.description)),
        ]


VIEWS: dict[RecordKind, Callable[[Database, DbWorker, int], RecordView]] = {
    RecordKind.CLIENT: ClientView,
    RecordKind.DOMAIN: DomainView,
    RecordKind.MAILBOX: MailboxView,
    RecordKind.CONTRACT: ContractView,
    RecordKind.INVOICE: InvoiceView,
    RecordKind.INCIDENT: IncidentView,
}
