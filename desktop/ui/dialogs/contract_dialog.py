"""Create or edit a contract: client, product line and its terms, dates, payment (rules §4).

The product line offers its initial commitments (12 months for Hosted Exchange,
12, 24 or 36 for Office 365) and its renewal length; the initial order is paid
by transfer, cheque or administrative mandate (HE §9.2); a consumer's contract
keeps the date the client waived the withdrawal right (HE §10).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QSpinBox, QWidget

from desktop.domain.enums import ClientKind, PaymentMethod
from desktop.domain.errors import InvalidValue
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.services.choices import (
    Choice,
    ProductLineChoice,
    client_choice,
    client_kind,
    product_line_choices,
)
from desktop.services.contracts import (
    INITIAL_ORDER_METHODS,
    MAX_MONTHS,
    ContractDetails,
    ContractDraft,
    create_contract,
    get_contract,
    update_contract,
)
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.client_field import ClientRecordDialog, hint_label
from desktop.ui.widgets.date_field import DateField, date_value, read_date
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import chosen

if TYPE_CHECKING:
    from desktop.db.engine import Database

NOT_SAID = "Non précisé"
SEPA_REFUSED = (
    "La commande initiale se règle par virement, chèque ou mandat administratif (HE §9.2) ; "
    "le prélèvement SEPA ne sert qu'aux renouvellements."
)
WAIVER_REQUIRED = (
    "Le service d'un particulier démarre aussitôt : indiquez la date à laquelle il a renoncé "
    "à son droit de rétractation (HE §10)."
)
SIGNED_BEFORE_ORDER = "La signature ne peut précéder la commande."
START_BEFORE_ORDER = (
    "Le service démarre une fois la commande validée : pas avant la date de commande."
)
"""The service's refusals of dates out of order (a start before the signature is allowed:
the order alone may start the service, rules §4)."""
WAIVER_HINT = "Le particulier renonce à son droit de rétractation, le service démarrant aussitôt."
NOT_CONSUMER_HINT = "Réservé aux contrats des particuliers."
PAYMENT_ORDER = (
    PaymentMethod.TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.ADMINISTRATIVE_MANDATE,
    PaymentMethod.SEPA_DEBIT,
)


def _months_text(months: tuple[int, ...]) -> str:
    shown = [str(m) for m in months]
    head = ", ".join(shown[:-1])
    return f"{head} ou {shown[-1]} mois" if head else f"{shown[-1]} mois"


class ContractDialog(ClientRecordDialog):
    """A new contract (of ``client_id`` if given, locked) or the contract ``details``."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: ContractDetails | None = None,
        client_id: int | None = None,
        actor: str,
    ) -> None:
        super().__init__(parent, title="Nouveau contrat" if details is None else "Contrat")
        self.db = db
        self.actor = actor
        self.details = details
        self.lines: dict[int, ProductLineChoice] = {
            line.id: line for line in product_line_choices(db)
        }
        self._kind: ClientKind | None = None
        self._kind_of: int | None = None
        self._line_shown: int | None = None
        self._build()
        self.start(details, client_id, self.product_line)
        if details is None and client_id is not None and self.product_line.current_id():
            self.ordered_on.setFocus()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.client = self.make_client_box()
        self.product_line = ChoiceBox(placeholder="Gamme du contrat")
        self.product_line.set_choices(
            [
                Choice(
                    line.id, line.name, f"engagement de {_months_text(line.initial_months_choices)}"
                )
                for line in self.lines.values()
            ]
        )
        self.initial_months = QComboBox()
        self.initial_months.setPlaceholderText("Selon la gamme")
        self.initial_months.setMinimumWidth(120)
        self.renewal_months = QSpinBox()
        self.renewal_months.setRange(1, MAX_MONTHS)
        self.renewal_months.setSuffix(" mois")
        self.renewal_months.setValue(12)
        self.renewal_months.setMinimumWidth(120)
        self.terms_note = hint_label()
        self.terms_note.hide()
        self.ordered_on = DateField()
        self.signed_on = DateField()
        self.service_start = DateField()
        self.start_note = hint_label(
            "Le début du service ouvre la période initiale ; le contrat devient actif."
        )
        self.payment_method = EnumCombo(PAYMENT_ORDER, none_label=NOT_SAID)
        self.waiver = DateField()
        self.waiver_note = hint_label(NOT_CONSUMER_HINT)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 3 + 14)

        layout = self.client_layout()
        form.add_row(
            layout,
            "Gamme",
            form.add("product_line_id", self.product_line, chosen("Choisissez la gamme.")),
        )
        form.add_row(
            layout,
            "Engagement initial",
            form.add(
                "initial_months", self.initial_months, chosen("Choisissez l'engagement initial.")
            ),
            QLabel("puis renouvelé par"),
            form.add("renewal_months", self.renewal_months),
            note=self.terms_note,
        )
        form.add_row(layout, "Commandé le", form.add("ordered_on", self.ordered_on, date_value()))
        form.add_row(layout, "Signé le", form.add("signed_on", self.signed_on, self._check_signed))
        form.add_row(
            layout,
            "Début du service",
            form.add("service_start", self.service_start, self._check_start),
            note=self.start_note,
        )
        form.add_row(
            layout,
            "Mode de paiement",
            form.add("payment_method", self.payment_method, _check_payment),
        )
        form.add_row(
            layout,
            "Renonciation à la rétractation",
            form.add("consumer_waiver_on", self.waiver, self._check_waiver),
            note=self.waiver_note,
        )
        form.add_row(layout, "Notes", form.add("notes", self.notes))
        self.finish_layout(layout)

        self.client.choice_changed.connect(self._client_changed)
        self.product_line.choice_changed.connect(self._line_changed)
        self.service_start.textChanged.connect(self._start_changed)
        self._client_changed()
        self.resize(680, 470)

    # --- validation ---------------------------------------------------------------------

    def _check_signed(self, text: str) -> date | None:
        return _not_before_order(read_date(text), self.ordered_on.date(), SIGNED_BEFORE_ORDER)

    def _check_start(self, text: str) -> date | None:
        return _not_before_order(read_date(text), self.ordered_on.date(), START_BEFORE_ORDER)

    def _check_waiver(self, text: str) -> date | None:
        waiver = read_date(text)
        if self._kind is not ClientKind.CONSUMER:
            return None
        if waiver is None and self.service_start.date() is not None:
            raise InvalidValue(WAIVER_REQUIRED)
        return waiver

    # --- cascades -----------------------------------------------------------------------

    def _client_changed(self) -> None:
        """The waiver is asked of consumers only."""
        client_id = self.client.current_id()
        if client_id != self._kind_of:
            self._kind_of = client_id
            self._kind = client_kind(self.db, client_id) if client_id is not None else None
        consumer = self._kind is ClientKind.CONSUMER
        self.waiver.setEnabled(consumer)
        if not consumer and self.waiver.text():
            self.waiver.clear()
        self.waiver_note.setText(WAIVER_HINT if consumer else NOT_CONSUMER_HINT)

    def _start_changed(self) -> None:
        """A consumer's service starting at once needs the waiver: say so at once."""
        if self.form.is_loading or self._kind is not ClientKind.CONSUMER:
            return
        if self.service_start.date() is not None and not self.waiver.text().strip():
            self.form.fields["consumer_waiver_on"].touched = True
            self.form.revalidate()

    def _line_changed(self) -> None:
        """The initial commitments and renewal length of the line chosen."""
        line_id = self.product_line.current_id()
        if line_id == self._line_shown:
            return
        self._line_shown = line_id
        line = self.lines.get(line_id) if line_id is not None else None
        keep = self.initial_months.currentData()
        months = list(line.initial_months_choices) if line else []
        if self.details is not None and self.details.product_line_id == line_id:
            if self.details.initial_months not in months:  # terms since changed: still its own
                months.append(self.details.initial_months)
        with self.form.quietly():
            self.initial_months.clear()
            for value in sorted(months):
                self.initial_months.addItem(f"{value} mois", value)
            wanted = keep if keep in months else (line.initial_months if line else None)
            self.initial_months.setCurrentIndex(max(0, self.initial_months.findData(wanted)))
            if line is not None and not self.form.is_loading:
                self.renewal_months.setValue(line.renewal_months)
        self.terms_note.setText(
            f"{line.name} : engagement de {_months_text(line.initial_months_choices)}, puis "
            f"renouvellement tacite par {line.renewal_months} mois."
            if line
            else ""
        )
        self.terms_note.setVisible(line is not None)

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> ContractDraft:
        value = self.form.value
        return ContractDraft(
            client_id=value("client_id"),
            product_line_id=value("product_line_id"),
            ordered_on=value("ordered_on"),
            signed_on=value("signed_on"),
            service_start=value("service_start"),
            initial_months=value("initial_months"),
            renewal_months=value("renewal_months"),
            payment_method=value("payment_method"),
            consumer_waiver_on=value("consumer_waiver_on"),
            notes=(value("notes") or "").strip() or None,
        )

    def write(self, draft: ContractDraft) -> ContractDetails:
        if self.details is None:
            return create_contract(self.db, draft, actor=self.actor)
        return update_contract(
            self.db,
            self.details.id,
            draft,
            expected_version=self.details.version,
            actor=self.actor,
        )

    def reload(self) -> ContractDetails:
        assert self.details is not None
        return get_contract(self.db, self.details.id)

    def fill(self, details: ContractDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Contrat {details.number} — {details.client_name}")
        self.client.lock(
            client_choice(self.db, details.client_id)
            or Choice(details.client_id, f"{details.client_code} — {details.client_name}")
        )
        self._client_changed()
        self.product_line.select(details.product_line_id)
        self._line_shown = None
        self._line_changed()
        self.initial_months.setCurrentIndex(
            max(0, self.initial_months.findData(details.initial_months))
        )
        self.renewal_months.setValue(details.renewal_months)
        self.ordered_on.set_date(details.ordered_on)
        self.signed_on.set_date(details.signed_on)
        self.service_start.set_date(details.service_start)
        self.payment_method.set_value(details.payment_method)
        self.waiver.set_date(details.consumer_waiver_on)
        self.notes.setPlainText(details.notes or "")
        self.product_line.setEnabled(details.mailbox_count == 0)
        renewed = details.renewed_through is not None
        for widget in (self.service_start, self.initial_months, self.renewal_months):
            widget.setEnabled(not renewed)
        if renewed:
            self.start_note.setText(
                "Une échéance est passée (renouvellement) : le début du service et les durées "
                "ne changent plus."
            )

    def load(self, details: ContractDetails) -> None:
        super().load(details)
        if details.status in CLOSED_CONTRACTS:
            self.form.show_general(
                f"Ce contrat est {details.status.label.lower()} : il ne change plus."
            )


def _not_before_order(value: date | None, ordered_on: date | None, message: str) -> date | None:
    if value is not None and ordered_on is not None and value < ordered_on:
        raise InvalidValue(message)
    return value


def _check_payment(method: PaymentMethod | None) -> PaymentMethod | None:
    if method is not None and method not in INITIAL_ORDER_METHODS:
        raise InvalidValue(SEPA_REFUSED)
    return method
