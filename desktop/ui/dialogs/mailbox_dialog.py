"""Create or edit a mailbox: client → open contract → plan of its line, domain, address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QWidget

from desktop.domain.emails import mailbox_address, normalize_local_part
from desktop.domain.enums import MailboxKind, MailboxStatus
from desktop.domain.errors import InvalidValue
from desktop.services.choices import (
    Choice,
    client_choice,
    contract_choices,
    domain_choices,
    plan_choices,
)
from desktop.services.mailboxes import (
    MAX_QUOTA_GB,
    MailboxDetails,
    MailboxDraft,
    create_mailbox,
    get_mailbox,
    update_mailbox,
)
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.client_field import ClientRecordDialog, hint_label
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import chosen

if TYPE_CHECKING:
    from desktop.db.engine import Database

BY_PLAN = "Selon la formule"
_UNSET = -1  # no list fetched yet (ids are positive)
NO_DOMAIN = "Ce client n'a pas encore de domaine : ajoutez-en un d'abord."
NO_CONTRACT = "Ce client n'a pas de contrat ouvert à de nouvelles boîtes aux lettres."


class MailboxDialog(ClientRecordDialog):
    """A new mailbox (of ``client_id`` if given, locked) or the mailbox ``details``."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: MailboxDetails | None = None,
        client_id: int | None = None,
        actor: str,
    ) -> None:
        title = "Nouvelle boîte aux lettres" if details is None else "Boîte aux lettres"
        super().__init__(parent, title=title)
        self.db = db
        self.actor = actor
        self.details = details
        self._listed_client: int | None = _UNSET
        self._listed_line: int | None = _UNSET
        self._build()
        self.start(details, client_id, self.local_part)

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.client = self.make_client_box()
        self.contract = ChoiceBox(placeholder="Contrat du client")
        self.plan = ChoiceBox(placeholder="Formule de la gamme du contrat")
        self.domain = ChoiceBox(placeholder="Domaine du client")
        self.local_part = QLineEdit()
        self.local_part.setMaxLength(64)
        self.local_part.setPlaceholderText("prenom.nom")
        self.at_domain = QLabel("@…")
        self.address = QLabel()
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setStyleSheet("font-weight: bold;")
        self.frozen = hint_label()
        self.frozen.hide()
        self.display_name = QLineEdit()
        self.display_name.setMaxLength(200)
        self.display_name.setPlaceholderText("Prénom Nom")
        self.kind = EnumCombo(MailboxKind, none_label=BY_PLAN)
        self.quota = QSpinBox()
        self.quota.setRange(0, MAX_QUOTA_GB)
        self.quota.setSuffix(" Go")
        self.quota.setSpecialValueText(BY_PLAN)
        self.quota.setMinimumWidth(260)

        layout = self.client_layout()
        form.add_row(
            layout,
            "Contrat",
            form.add("contract_id", self.contract, self._check_contract),
        )
        form.add_row(
            layout, "Formule", form.add("plan_id", self.plan, chosen("Choisissez la formule."))
        )
        form.add_row(layout, "Domaine", form.add("domain_id", self.domain, self._check_domain))
        form.add_row(
            layout,
            "Adresse",
            form.add("local_part", self.local_part, normalize_local_part),
            self.at_domain,
            note=self.frozen,
        )
        layout.addRow("Adresse complète", self.address)
        form.add_row(layout, "Nom affiché", form.add("display_name", self.display_name))
        form.add_row(layout, "Type", form.add("kind", self.kind))
        form.add_row(layout, "Quota", form.add("quota_gb", self.quota))
        self.finish_layout(layout)

        self.client.choice_changed.connect(self._client_changed)
        self.contract.choice_changed.connect(self._contract_changed)
        self.plan.choice_changed.connect(self._plan_changed)
        self.domain.choice_changed.connect(self._show_address)
        self.local_part.textChanged.connect(self._show_address)
        self._show_address()
        self.resize(680, 380)

    # --- validation ---------------------------------------------------------------------

    def _check_contract(self, contract_id: int | None) -> int:
        if contract_id is None:
            if self.client.current_id() is not None and not self.contract.count():
                raise InvalidValue(NO_CONTRACT)
            raise InvalidValue("Choisissez le contrat.")
        return contract_id

    def _check_domain(self, domain_id: int | None) -> int:
        if domain_id is None:
            if self.client.current_id() is not None and not self.domain.count():
                raise InvalidValue(NO_DOMAIN)
            raise InvalidValue("Choisissez le domaine.")
        return domain_id

    # --- cascades -----------------------------------------------------------------------

    def _client_changed(self) -> None:
        """The contracts and domains of the client chosen (the first one selected)."""
        client_id = self.client.current_id()
        if client_id == self._listed_client:
            return
        self._listed_client = client_id
        contracts = contract_choices(self.db, client_id) if client_id is not None else ()
        domains = domain_choices(self.db, client_id) if client_id is not None else ()
        with self.form.quietly():
            self.contract.set_choices(contracts, selected=contracts[0].id if contracts else None)
            self.domain.set_choices(domains, selected=domains[0].id if domains else None)
        # Also when nothing to choose: the reason is worth showing at once.
        for key, found in (("contract_id", contracts), ("domain_id", domains)):
            self.form.fields[key].touched = client_id is not None and not found
        self.form.revalidate()

    def _contract_changed(self) -> None:
        """The plans of the contract's product line, the current one kept if offered."""
        contract = self.contract.current_choice()
        line = contract.group_id if contract is not None else None
        if line == self._listed_line:
            return
        self._listed_line = line
        plans = list(plan_choices(self.db, line)) if line is not None else []
        details = self.details
        if details is not None and details.product_line_id == line:
            if all(p.id != details.plan_id for p in plans):  # no longer sold, still its plan
                plans.append(Choice(details.plan_id, details.plan_name, group_id=line))
        keep = self.plan.current_id()
        selected = keep if any(p.id == keep for p in plans) else (plans[0].id if plans else None)
        with self.form.quietly():
            self.plan.set_choices(plans, selected=selected)

    def _plan_changed(self) -> None:
        plan = self.plan.current_choice()
        by_plan = f"{BY_PLAN} ({plan.detail})" if plan is not None and plan.detail else BY_PLAN
        self.quota.setSpecialValueText(by_plan)
        self.kind.setItemText(0, BY_PLAN if plan is None else f"{BY_PLAN} ({plan.label})")

    def _show_address(self) -> None:
        domain = self.domain.current_choice()
        self.at_domain.setText(f"@{domain.label}" if domain is not None else "@…")
        try:
            local = normalize_local_part(self.local_part.text())
        except InvalidValue:
            local = self.local_part.text().strip().lower() or "…"
        self.address.setText(mailbox_address(local, domain.label if domain else "…"))

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> MailboxDraft:
        value = self.form.value
        return MailboxDraft(
            contract_id=value("contract_id"),
            domain_id=value("domain_id"),
            plan_id=value("plan_id"),
            local_part=value("local_part"),
            display_name=(value("display_name") or "").strip() or None,
            kind=value("kind"),
            quota_gb=value("quota_gb") or None,
        )

    def write(self, draft: MailboxDraft) -> MailboxDetails:
        if self.details is None:
            return create_mailbox(self.db, draft, actor=self.actor)
        return update_mailbox(
            self.db,
            self.details.id,
            draft,
            expected_version=self.details.version,
            actor=self.actor,
        )

    def reload(self) -> MailboxDetails:
        assert self.details is not None
        return get_mailbox(self.db, self.details.id)

    def fill(self, details: MailboxDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Boîte aux lettres {details.display_address}")
        self.client.lock(
            client_choice(self.db, details.client_id)
            or Choice(details.client_id, details.client_name)
        )
        contracts = list(self.contract.choices())
        if all(c.id != details.contract_id for c in contracts):  # closed since: still shown
            label = f"{details.contract_number} — {details.product_line_name}"
            contracts.append(Choice(details.contract_id, label, group_id=details.product_line_id))
        self.contract.set_choices(contracts, selected=details.contract_id)
        self._listed_line = _UNSET  # the plans again: the current one may be gone
        self._contract_changed()
        self.plan.select(details.plan_id)
        self.domain.select(details.domain_id)
        self.local_part.setText(details.local_part)
        self.display_name.setText(details.display_name or "")
        self.kind.set_value(details.kind)
        self.quota.setValue(details.quota_gb)
        frozen = details.status is not MailboxStatus.REQUESTED
        for widget in (self.contract, self.domain, self.local_part):
            widget.setEnabled(not frozen)
        self.frozen.setText(
            "L'adresse, le domaine et le contrat ne changent plus : la boîte est à "
            f"l'état «\u00a0{details.status.label}\u00a0»."
            if frozen
            else ""
        )
        self.frozen.setVisible(frozen)
