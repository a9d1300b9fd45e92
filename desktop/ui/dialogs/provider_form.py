"""The provider's identity as a form: each field says what is wrong right under it.

The form checks itself as the user types with the very rules of the save
(:func:`desktop.services.provider.check_draft`, which calls the domain's
validators: SIREN, VAT number, postcode, IBAN, BIC, creditor identifier…).
A field's message shows once the user has typed in it (or after a save was
refused), so that an empty form does not greet the user with a wall of red;
a summary line names the fields still to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InvalidValue, field_label
from desktop.domain.identifiers import french_vat_number
from desktop.services.provider import (
    MAX_LOGO_BYTES,
    MAX_SHARE_CAPITAL,
    ProviderDraft,
    as_draft,
    check_draft,
    check_logo,
)

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
ERROR_COLOR = "#b3261e"
FIELD_MIN_WIDTH = 230

LEGAL_FORMS = ("SAS", "SASU", "SARL", "EURL", "SA", "SCOP", "SNC", "EI")

EMPTY_DRAFT = ProviderDraft(
    name="",
    legal_form="",
    share_capital=Decimal("0.00"),
    address_line1="",
    postcode="",
    city="",
    siren="",
    rcs_city="",
)
"""A blank identity, with the default invoicing settings."""

FORM_FIELDS = (
    "name",
    "legal_form",
    "share_capital",
    "siren",
    "vat_number",
    "rcs_city",
    "phone",
    "email",
    "website",
    "iban",
    "bic",
    "sepa_creditor_id",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "logo",
)
"""The fields this form shows, in the order of the screen."""


class WrappedLabel(QLabel):
    """A word-wrapped label that asks for the height it needs at the width it has.

    A plain wrapped QLabel reports the size it would take in a narrow column, and
    in a dialog's layout it then takes more height than the layout reserved for
    it, squeezing the widgets below. This one reports its height at its current
    width (its parent's while it is hidden) and asks again when that changes.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(False)  # the height comes from sizeHint() below
        self.setSizePolicy(policy)

    def _height(self, fallback: int) -> int:
        parent = self.parentWidget()
        width = self.width()
        if not self.isVisible() and parent is not None:
            width = parent.width() - 2 * (parent.layout() or self).contentsMargins().left()
        return self.heightForWidth(width) if width > 1 else fallback

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        return QSize(hint.width(), self._height(hint.height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(hint.width(), self._height(hint.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()


def note_label(text: str, parent: QWidget | None = None) -> WrappedLabel:
    """An explanation in grey, wrapped."""
    label = WrappedLabel(text, parent)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class ErrorLabel(WrappedLabel):
    """A field's message, in red under it; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setStyleSheet(f"color: {ERROR_COLOR};")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))
        self.updateGeometry()


class FieldRow(QWidget):
    """An input with its error label right under it."""

    def __init__(self, field: str, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.editor = editor
        self.error = ErrorLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(editor)
        layout.addWidget(self.error)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.error.updateGeometry()  # hidden, its height follows this row's width


def _align_labels(*boxes: QGroupBox) -> None:
    """Give the labels of forms stacked in one column the same width, so fields line up."""
    layouts = [box.layout() for box in boxes]
    labels = [
        label
        for layout in layouts
        if isinstance(layout, QFormLayout)
        for row in range(layout.rowCount())
        if (item := layout.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and isinstance(label := item.widget(), QLabel)
    ]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def new_form_layout() -> QFormLayout:
    """A form whose labels stay level with their input when a message shows under it."""
    layout = QFormLayout()
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    layout.setVerticalSpacing(5)
    return layout


MAX_DIALOG_HEIGHT = 700
"""Tallest a dialog opens: it fits a 1366×768 screen with its title bar and a task bar."""


def fit_height(dialog: QWidget, limit: int = MAX_DIALOG_HEIGHT) -> None:
    """Once laid out (shown), make ``dialog`` as tall as its content needs, up to ``limit``.

    Before it is shown the wrapped texts do not know their width yet, and ask too much.
    """
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    height = max(dialog.minimumSizeHint().height(), min(dialog.sizeHint().height(), limit))
    dialog.resize(dialog.width(), height)


def add_field_row(form: QFormLayout, text: str, row: FieldRow) -> QLabel:
    """Add ``row`` under the label ``text``, the label level with the input."""
    label = QLabel(text)
    label.setBuddy(row.editor)
    label.setFixedHeight(max(row.editor.sizeHint().height(), label.sizeHint().height()))
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.addRow(label, row)
    return label


class ProviderForm(QWidget):
    """Identity, address, bank details and logo of the provider.

    ``draft()`` gives what is typed (invoicing settings taken from the draft
    last loaded); ``is_valid()`` and ``validity_changed`` say whether it can be
    saved; ``show_errors()`` places a service's ValidationError under the fields.
    """

    validity_changed = Signal(bool)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base: ProviderDraft = EMPTY_DRAFT
        self._logo: bytes | None = None
        self._logo_mime: str | None = None
        self._logo_notice: str | None = None
        self._touched: set[str] = set()
        self._external: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._reveal = False
        self._loading = True  # no checks while the widgets are being built
        self._valid = False
        self.rows: dict[str, FieldRow] = {}
        self.labels: dict[str, str] = {}
        self.edits: dict[str, QLineEdit] = {}
        self._build()
        self._loading = False
        self._revalidate()

    # --- building -----------------------------------------------------------------------

    def _line(self, field: str, placeholder: str = "", max_length: int = 200) -> FieldRow:
        edit = QLineEdit(self)
        edit.setObjectName(field)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        edit.setMinimumWidth(FIELD_MIN_WIDTH)
        edit.textChanged.connect(lambda _text: self._on_changed(None))
        edit.textEdited.connect(lambda _text, f=field: self._on_changed(f))
        self.edits[field] = edit
        return self._row(field, edit)

    def _row(self, field: str, editor: QWidget) -> FieldRow:
        row = FieldRow(field, editor, self)
        self.rows[field] = row
        return row

    def _add(self, form: QFormLayout, text: str, row: FieldRow) -> None:
        self.labels[row.field] = text.removesuffix(" *")
        add_field_row(form, text, row)

    def _build(self) -> None:
        self.legal_form = QComboBox(self)
        self.legal_form.setObjectName("legal_form")
        self.legal_form.setEditable(True)
        self.legal_form.addItems(LEGAL_FORMS)
        self.legal_form.setCurrentIndex(-1)
        self.legal_form.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.legal_form.lineEdit().setMaxLength(60)
        self.legal_form.lineEdit().setPlaceholderText("SAS, SARL, EI…")
        self.legal_form.editTextChanged.connect(lambda _text: self._on_changed(None))
        self.legal_form.lineEdit().textEdited.connect(lambda _t: self._on_changed("legal_form"))
        self.legal_form.activated.connect(lambda _i: self._on_changed("legal_form"))

        self.share_capital = QDoubleSpinBox(self)
        self.share_capital.setObjectName("share_capital")
        self.share_capital.setLocale(FRENCH)
        self.share_capital.setDecimals(2)
        self.share_capital.setRange(0, float(MAX_SHARE_CAPITAL))
        self.share_capital.setGroupSeparatorShown(True)
        self.share_capital.setSuffix(" €")
        self.share_capital.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.share_capital.valueChanged.connect(lambda _v: self._on_changed("share_capital"))

        identity = QGroupBox("Identité", self)
        form = new_form_layout()
        self._add(form, "Raison sociale *", self._line("name", "Nom de la société"))
        self._add(form, "Forme juridique *", self._row("legal_form", self.legal_form))
        self._add(form, "Capital social", self._row("share_capital", self.share_capital))
        self._add(form, "SIREN *", self._line("siren", "9 chiffres", 20))
        self._add(form, "N° de TVA", self._line("vat_number", "Calculé depuis le SIREN", 20))
        self._add(form, "Ville du RCS *", self._line("rcs_city", "Ville du greffe", 100))
        self._add(form, "Téléphone", self._line("phone", "", 30))
        self._add(form, "E-mail", self._line("email", "contact@exemple.fr", 254))
        self._add(form, "Site web", self._line("website", "www.exemple.fr", 200))
        identity.setLayout(form)

        bank = QGroupBox("Banque et prélèvement SEPA", self)
        form = new_form_layout()
        self._add(form, "IBAN", self._line("iban", "FR76 …", 42))
        self._add(form, "BIC", self._line("bic", "8 ou 11 caractères", 14))
        self._add(form, "ICS", self._line("sepa_creditor_id", "Identifiant créancier SEPA", 40))
        bank.setLayout(form)

        address = QGroupBox("Adresse", self)
        form = new_form_layout()
        self._add(form, "Adresse *", self._line("address_line1", "N° et rue"))
        self._add(form, "Complément", self._line("address_line2", "Bâtiment, lieu-dit…"))
        self._add(form, "Code postal *", self._line("postcode", "", 10))
        self._add(form, "Ville *", self._line("city", "", 100))
        self._add(form, "Pays", self._line("country", "FR", 2))
        self.edits["postcode"].setMaximumWidth(120)
        self.edits["postcode"].setMinimumWidth(90)
        self.edits["country"].setMaximumWidth(60)
        self.edits["country"].setMinimumWidth(50)
        self.edits["country"].setText("FR")
        iban = self.edits["iban"]
        longest = iban.fontMetrics().horizontalAdvance("FR76 3000 6000 0112 3456 7890 189")
        iban.setMinimumWidth(longest + 24)
        address.setLayout(form)

        _align_labels(identity, bank)
        _align_labels(address)
        left = QVBoxLayout()
        left.addWidget(identity)
        left.addWidget(bank)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(address)
        right.addWidget(self._build_logo())
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.summary = note_label("", self)
        self.summary.setObjectName("summary")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(columns)
        outer.addWidget(self.summary)

    def _build_logo(self) -> QGroupBox:
        box = QGroupBox("Logo", self)
        self.logo_preview = QLabel("Aucun logo", box)
        self.logo_preview.setObjectName("logo_preview")
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFixedSize(220, 96)
        self.logo_preview.setStyleSheet(
            "QLabel { border: 1px solid palette(mid); border-radius: 3px;"
            " background: palette(base); color: palette(placeholder-text); }"
        )
        self.choose_logo_button = QPushButton("Choisir…", box)
        self.choose_logo_button.setAutoDefault(False)
        self.choose_logo_button.clicked.connect(self._choose_logo)
        self.remove_logo_button = QPushButton("Retirer", box)
        self.remove_logo_button.setAutoDefault(False)
        self.remove_logo_button.clicked.connect(self.remove_logo)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_logo_button)
        buttons.addWidget(self.remove_logo_button)
        buttons.addStretch(1)
        hint = note_label(f"PNG ou JPEG, {MAX_LOGO_BYTES // (1024 * 1024)} Mo au maximum.", box)
        top = QHBoxLayout()
        top.addWidget(self.logo_preview)
        top.addLayout(buttons)
        top.addStretch(1)
        inner = QWidget(box)
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        inner_layout.addLayout(top)
        inner_layout.addWidget(hint)
        layout = QVBoxLayout(box)
        layout.addWidget(self._row("logo", inner))
        return box

    # --- loading and reading ------------------------------------------------------------

    def set_draft(self, draft: ProviderDraft | None, *, reveal: bool = False) -> None:
        """Show ``draft`` (None: a blank form); ``reveal``: show every error at once."""
        base = EMPTY_DRAFT if draft is None else as_draft(draft)
        self._loading = True
        try:
            self._base = base
            for field, edit in self.edits.items():
                edit.setText(str(getattr(base, field) or ""))
            self.edits["country"].setText(base.country or "FR")
            self.legal_form.setEditText(base.legal_form)
            self.share_capital.setValue(float(base.share_capital))
            self._set_logo(base.logo, base.logo_mime)
        finally:
            self._loading = False
        self._touched.clear()
        self._external.clear()
        self._reveal = reveal
        self._revalidate()

    def draft(self) -> ProviderDraft:
        """What the form holds (the invoicing settings as last loaded)."""
        text = {field: edit.text() for field, edit in self.edits.items()}
        base = self._base
        return ProviderDraft(
            name=text["name"],
            legal_form=self.legal_form.currentText(),
            share_capital=Decimal(f"{self.share_capital.value():.2f}"),
            address_line1=text["address_line1"],
            address_line2=text["address_line2"] or None,
            postcode=text["postcode"],
            city=text["city"],
            country=text["country"] or "FR",
            siren=text["siren"],
            rcs_city=text["rcs_city"],
            vat_number=text["vat_number"] or None,
            phone=text["phone"] or None,
            email=text["email"] or None,
            website=text["website"] or None,
            iban=text["iban"] or None,
            bic=text["bic"] or None,
            sepa_creditor_id=text["sepa_creditor_id"] or None,
            logo=self._logo,
            logo_mime=self._logo_mime,
            default_vat_rate=base.default_vat_rate,
            payment_days=base.payment_days,
            penalty_rate=base.penalty_rate,
            refused_tlds=base.refused_tlds,
        )

    # --- validity -----------------------------------------------------------------------

    def is_valid(self) -> bool:
        return self._valid

    def errors(self) -> dict[str, str]:
        """Every current error of the form's fields, shown or not yet."""
        return {**self._errors, **self._external}

    def error_text(self, field: str) -> str:
        """The message shown under ``field`` ("" when none is shown)."""
        row = self.rows[field]
        return row.error.text() if row.error.isVisibleTo(self) else ""

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show a save's errors under their fields; return those this form has no field for."""
        self._external = {f: m for f, m in errors.items() if f in self.rows}
        self._reveal = True
        self._revalidate()
        self.focus_first_error()
        return {f: m for f, m in errors.items() if f not in self.rows}

    def reveal_errors(self) -> None:
        self._reveal = True
        self._revalidate()

    def focus_first_error(self) -> None:
        errors = self.errors()
        field = next((f for f in FORM_FIELDS if f in errors), None)
        if field is not None:
            editor = self.rows[field].editor
            target = self.choose_logo_button if field == "logo" else editor
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_changed(self, field: str | None) -> None:
        if self._loading:
            return
        if field is not None:
            self._touched.add(field)
            self._external.pop(field, None)
        self._revalidate()
        self.changed.emit()

    def _revalidate(self) -> None:
        self._update_vat_hint()
        errors = {f: m for f, m in check_draft(self.draft()).items() if f in self.rows}
        self._errors = errors
        hidden = []
        for field in FORM_FIELDS:
            message = self._external.get(field) or errors.get(field)
            visible = self._reveal or field in self._touched or field in self._external
            shown = message if visible else None
            if field == "logo" and not shown:
                shown = self._logo_notice
            self.rows[field].error.show_message(shown)
            if message and not shown:
                hidden.append(field)
        if hidden:
            names = ", ".join(self.labels.get(f, field_label(f)) for f in hidden)
            self.summary.setText(f"À compléter ou corriger : {names}.")
        else:
            self.summary.setText("* obligatoire")
        valid = not errors and not self._external
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def _update_vat_hint(self) -> None:
        try:
            computed = french_vat_number(self.edits["siren"].text())
        except InvalidValue:
            self.edits["vat_number"].setPlaceholderText("Calculé depuis le SIREN")
        else:
            self.edits["vat_number"].setPlaceholderText(f"{computed} (calculé)")

    # --- logo ---------------------------------------------------------------------------

    def _choose_logo(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Choisir le logo", "", "Images PNG ou JPEG (*.png *.jpg *.jpeg)"
        )
        if name:
            self.set_logo_file(Path(name))

    def set_logo_file(self, path: Path) -> bool:
        """Take the logo from a file; False (message under the logo) if it does not fit."""
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_LOGO_BYTES + 1)
                if len(data) > MAX_LOGO_BYTES:
                    data += handle.read()  # the real size, for the message
        except OSError as exc:
            self._logo_refused(f"Impossible de lire « {path.name} » : {exc.strerror or exc}.")
            return False
        try:
            mime = check_logo(data)
        except InvalidValue as exc:
            self._logo_refused(exc.message)
            return False
        self._set_logo(data, mime)
        self._on_changed("logo")
        return True

    def remove_logo(self) -> None:
        self._set_logo(None, None)
        self._on_changed("logo")

    def _logo_refused(self, message: str) -> None:
        """Say why a file was not taken; the logo already there stays, still valid."""
        self._logo_notice = message
        self._revalidate()

    def _set_logo(self, data: bytes | None, mime: str | None) -> None:
        self._logo, self._logo_mime = data, mime
        self._logo_notice = None
        self.remove_logo_button.setEnabled(data is not None)
        pixmap = QPixmap()
        if data is not None and pixmap.loadFromData(data):
            size = self.logo_preview.size()
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    size.width() - 8,
                    size.height() - 8,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("Aucun logo" if data is None else "Aperçu impossible")
