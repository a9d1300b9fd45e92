"""Create or edit a draft quote (devis, rules §4-5): client or prospect, terms, lines, totals.

The lines come from the catalogue (its price of the day, still editable) or are
typed freely; the totals excl. VAT / VAT / incl. VAT follow every keystroke,
computed exactly by the domain (:func:`desktop.domain.quotes.quote_totals`). The
quote's number and date are given when it is sent; a sent quote no longer changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import PaymentMethod, QuoteStatus
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.domain.invoice_totals import ZERO
from desktop.domain.quotes import DEFAULT_VALIDITY_DAYS, QuoteTotals, quote_totals
from desktop.services.catalogue import catalogue
from desktop.services.choices import Choice, ProductLineChoice, client_choice, product_line_choices
from desktop.services.quotes import (
    MAX_MONTHS,
    QuoteDetails,
    QuoteDraft,
    QuoteLineDraft,
    create_quote,
    get_quote,
    update_quote,
)
from desktop.ui.dialogs.quote_lines import LineKind, QuoteLinesTable, catalogue_entries
from desktop.ui.formatting import french_date, money
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.client_field import ClientRecordDialog
from desktop.ui.widgets.date_field import DateField, date_value
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import ErrorLabel, chosen

if TYPE_CHECKING:
    from desktop.db.engine import Database

NOT_SAID = "Non précisé"
PAYMENT_ORDER = (
    PaymentMethod.TRANSFER,
    PaymentMethod.CHEQUE,
    PaymentMethod.ADMINISTRATIVE_MANDATE,
)
"""The initial order is paid by transfer, cheque or administrative mandate (HE §9.2)."""
NO_LINES = "Ajoutez au moins une ligne au devis."
VALIDITY_HINT = f"Vide : {DEFAULT_VALIDITY_DAYS} jours à compter de l'envoi."


def parse_percent(text: str) -> Decimal:
    """The global discount: « 5 », « 7,5 % » → Decimal; empty → 0."""
    value = text.strip().removesuffix("%").strip().replace(",", ".")
    if not value:
        return ZERO
    try:
        percent = Decimal(value)
    except ArithmeticError:
        raise InvalidValue("Remise attendue en pourcentage : par exemple 5 ou 7,5.") from None
    if not ZERO <= percent <= Decimal("100"):
        raise InvalidValue("La remise globale doit être comprise entre 0 et 100 %.")
    return percent


def totals_text(totals: QuoteTotals) -> str:
    """« Total HT 258,00 € · TVA 51,60 € · Total TTC 309,60 € » (rich text)."""
    parts = [
        f"Total HT <b>{money(totals.excl_vat)}</b>",
        f"TVA {money(totals.vat)}",
        f"Total TTC <b>{money(totals.incl_vat)}</b>",
    ]
    text = " &nbsp;·&nbsp; ".join(parts)
    if totals.discount:
        text += f" &nbsp;·&nbsp; dont remises {money(totals.discount)}"
    return text


class QuoteDialog(ClientRecordDialog):
    """A new draft quote (of ``client_id`` if given, locked) or the draft ``details``."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: QuoteDetails | None = None,
        client_id: int | None = None,
        actor: str,
    ) -> None:
        super().__init__(parent, title="Nouveau devis" if details is None else "Devis")
        self.db = db
        self.actor = actor
        self.details = details
        self.product_lines: dict[int, ProductLineChoice] = {
            line.id: line for line in product_line_choices(db)
        }
        self.totals: QuoteTotals | None = None
        self._line_shown: int | None = None
        self._build()
        self.start(details, client_id, self.product_line)

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        shop = catalogue(self.db)
        self.client = self.make_client_box()
        self.product_line = ChoiceBox(placeholder="Gamme du devis")
        self.product_line.set_choices(
            [Choice(line.id, line.name) for line in self.product_lines.values()]
        )
        self.initial_months = QComboBox()
        self.initial_months.setPlaceholderText("Selon la gamme")
        self.initial_months.setMinimumWidth(110)
        self.initial_months.setMaximumWidth(160)
        self.renewal_months = QSpinBox()
        self.renewal_months.setRange(1, MAX_MONTHS)
        self.renewal_months.setSuffix(" mois")
        self.renewal_months.setValue(12)
        self.issued = QLabel("fixée à l'envoi (avec le numéro)")
        self.valid_until = DateField()
        self.payment_method = EnumCombo(PAYMENT_ORDER, none_label=NOT_SAID)
        self.payment_method.setMaximumWidth(260)
        self.discount = QLineEdit()
        self.discount.setPlaceholderText("0")
        self.discount.setMaximumWidth(90)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 2 + 14)
        self.lines = QuoteLinesTable(catalogue_entries(shop), shop.default_vat_rate)
        self.lines_token = QLineEdit()  # changes with the table: the form validates the lines
        self.lines_token.hide()
        self.lines_error = ErrorLabel(self)
        self.totals_label = QLabel()

        layout = self.client_layout()
        form.add_row(
            layout,
            "Gamme",
            form.add("product_line_id", self.product_line, chosen("Choisissez la gamme.")),
        )
        form.add_row(
            layout,
            "Engagement initial",
            form.add("initial_months", self.initial_months),
            QLabel("puis renouvelé par"),
            form.add("renewal_months", self.renewal_months),
        )
        form.add_row(
            layout,
            "Date du devis",
            self.issued,
        )
        form.add_row(
            layout,
            "Valable jusqu'au",
            form.add("valid_until", self.valid_until, date_value()),
            QLabel(VALIDITY_HINT),
        )
        form.add_row(
            layout,
            "Mode de paiement",
            form.add("payment_method", self.payment_method),
            QLabel("Remise globale (%)"),
            form.add("discount_percent", self.discount, parse_percent, title="Remise globale"),
        )
        form.add_row(layout, "Notes", form.add("notes", self.notes))
        lines_field = form.add(
            "lines", self.lines_token, self._check_lines, title="Lignes", label=self.lines_error
        )
        lines_field.shared = False
        self._lay_out(layout)

        self.product_line.choice_changed.connect(self._line_changed)
        self.lines.changed.connect(self._lines_changed)
        self.discount.textChanged.connect(self._lines_changed)
        self.resize(1220, 680)

    def _lay_out(self, layout: QFormLayout) -> None:
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(layout)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<b>Lignes du devis</b>"))
        buttons.addStretch(1)
        self.add_buttons: dict[LineKind, QPushButton] = {}
        for kind in LineKind:
            button = QPushButton(f"+ {kind.value}")
            button.clicked.connect(lambda _checked=False, k=kind: self.lines.add_line(k))
            buttons.addWidget(button)
            self.add_buttons[kind] = button
        self.remove_button = QPushButton("Supprimer la ligne")
        self.remove_button.clicked.connect(self.lines.remove_current)
        buttons.addWidget(self.remove_button)
        column.addLayout(buttons)
        column.addWidget(self.lines, 1)
        column.addWidget(self.lines_token)
        column.addWidget(self.lines_error)
        column.addWidget(self.totals_label)

    # --- lines and totals ---------------------------------------------------------------

    def _check_lines(self, _token: str) -> tuple[QuoteLineDraft, ...]:
        try:
            percent = parse_percent(self.discount.text())
        except InvalidValue:
            percent = ZERO
        read, errors = self.lines.read(percent)
        valid = not errors and bool(read)
        self.totals = quote_totals([line.priced for line in read], percent) if valid else None
        self._show_totals()
        if errors:
            raise InvalidValue("\n".join(errors))
        if not read:
            raise InvalidValue(NO_LINES)
        return tuple(line.draft for line in read)

    def _show_totals(self) -> None:
        if self.totals is None:
            self.totals_label.setText("Totaux : complétez les lignes.")
        else:
            self.totals_label.setText(totals_text(self.totals))

    def _lines_changed(self) -> None:
        self.lines_token.setText(str(int(self.lines_token.text() or "0") + 1))

    def _line_changed(self) -> None:
        """The plans, commitments and renewal of the product line chosen."""
        line_id = self.product_line.current_id()
        if line_id == self._line_shown:
            return
        self._line_shown = line_id
        self.lines.set_product_line(line_id)
        line = self.product_lines.get(line_id) if line_id is not None else None
        keep = self.initial_months.currentData()
        months = list(line.initial_months_choices) if line else []
        if self.details is not None and self.details.initial_months not in months:
            months.append(self.details.initial_months)
        with self.form.quietly():
            self.initial_months.clear()
            for value in sorted(months):
                self.initial_months.addItem(f"{value} mois", value)
            wanted = keep if keep in months else (line.initial_months if line else None)
            self.initial_months.setCurrentIndex(max(0, self.initial_months.findData(wanted)))
            if line is not None and not self.form.is_loading:
                self.renewal_months.setValue(line.renewal_months)

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> QuoteDraft:
        value = self.form.value
        percent = value("discount_percent")
        return QuoteDraft(
            client_id=value("client_id"),
            product_line_id=value("product_line_id"),
            lines=value("lines"),
            valid_until=value("valid_until"),
            initial_months=value("initial_months"),
            renewal_months=value("renewal_months"),
            payment_method=value("payment_method"),
            discount_percent=percent or None,
            notes=(value("notes") or "").strip() or None,
        )

    def write(self, draft: QuoteDraft) -> QuoteDetails:
        try:
            if self.details is None:
                return create_quote(self.db, draft, actor=self.actor)
            return update_quote(
                self.db,
                self.details.id,
                draft,
                expected_version=self.details.version,
                actor=self.actor,
            )
        except ValidationError as exc:
            raise ValidationError(_lines_together(exc.errors)) from exc

    def reload(self) -> QuoteDetails:
        assert self.details is not None
        return get_quote(self.db, self.details.id)

    def fill(self, details: QuoteDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Devis {details.number or '(brouillon)'} — {details.client_name}")
        self.client.lock(
            client_choice(self.db, details.client_id)
            or Choice(details.client_id, f"{details.client_code} — {details.client_name}")
        )
        self.product_line.select(details.product_line_id)
        self._line_shown = None
        self._line_changed()
        self.initial_months.setCurrentIndex(
            max(0, self.initial_months.findData(details.initial_months))
        )
        self.renewal_months.setValue(details.renewal_months)
        if details.issued_on is not None:
            self.issued.setText(french_date(details.issued_on))
        self.valid_until.set_date(details.valid_until)
        self.payment_method.set_value(details.payment_method)
        percent = details.discount_percent
        self.discount.setText("" if not percent else f"{percent.normalize():f}".replace(".", ","))
        self.notes.setPlainText(details.notes or "")
        self.lines.clear_lines()
        for line in details.lines:
            self.lines.add_view(line)

    def load(self, details: QuoteDetails) -> None:
        super().load(details)
        if details.status is not QuoteStatus.DRAFT:
            self.form.show_general(
                f"Ce devis est « {details.status.label} » : seul un brouillon se modifie."
            )


def _lines_together(errors: dict[str, str]) -> dict[str, str]:
    """The service's ``lines.N.field`` messages, under the lines (they name their line)."""
    others = {key: message for key, message in errors.items() if not key.startswith("lines")}
    lines = [message for key, message in errors.items() if key.startswith("lines")]
    if lines:
        others["lines"] = "\n".join(lines)
    return others
