"""Create or edit a client and its contacts, every field checked while typing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.clock import utc_now
from desktop.domain.emails import normalize_email
from desktop.domain.enums import ClientKind, ClientStatus, ContactRole, PaymentMethod
from desktop.domain.errors import InvalidValue
from desktop.domain.identifiers import (
    french_vat_number,
    normalize_postcode,
    normalize_siren,
    normalize_siret,
    normalize_vat_number,
)
from desktop.services.clients import (
    ClientDetails,
    ClientDraft,
    ContactDraft,
    create_client,
    get_client,
    update_client,
)
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.record_dialog import RecordDialog
from desktop.ui.widgets.validated_form import (
    ErrorLabel,
    Field,
    ValidatedForm,
    optional,
    required,
)

if TYPE_CHECKING:
    from desktop.db.engine import Database

LEGAL_FORMS = (
    "SARL",
    "SAS",
    "SASU",
    "EURL",
    "SA",
    "SCI",
    "SCOP",
    "Entreprise individuelle",
    "Association",
    "Collectivité territoriale",
    "Établissement public",
)

# Organisation-only rows, hidden for a consumer (the service refuses them).
_ORGANISATION_KEYS = ("legal_form", "siren", "siret", "vat_number", "chorus_pro_id")


def _line(max_length: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setMaxLength(max_length)
    edit.setPlaceholderText(placeholder)
    return edit


# --- contacts ---------------------------------------------------------------------------


class _Col:
    ROLE, NAME, EMAIL, PHONE, PRIMARY, REMOVE = range(6)


_HEADERS = ("Rôle", "Nom", "E-mail", "Téléphone", "Principal", "")
_WIDTHS = {_Col.ROLE: 140, _Col.PHONE: 130, _Col.PRIMARY: 70, _Col.REMOVE: 70}


@dataclass(eq=False)
class _ContactRow:
    role: EnumCombo
    name: QLineEdit
    email: QLineEdit
    phone: QLineEdit
    primary: QCheckBox
    remove: QToolButton
    contact_id: int | None = None
    fields: list[Field] = field(default_factory=list)


class ContactsEditor(QWidget):
    """The client's contacts as a table of inputs, validated with the rest of the form."""

    def __init__(self, form: ValidatedForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.rows: list[_ContactRow] = []
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column, width in _WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(_Col.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_Col.EMAIL, QHeaderView.ResizeMode.Stretch)
        self.errors = ErrorLabel(self)
        self.add_button = QPushButton("Ajouter un contact")
        self.add_button.clicked.connect(lambda: self.add_row())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def set_contacts(self, contacts: list[ContactDraft]) -> None:
        while self.rows:
            self.remove_row(self.rows[-1])
        for contact in contacts:
            self.add_row(contact)

    def drafts(self) -> tuple[ContactDraft, ...]:
        return tuple(
            ContactDraft(
                id=row.contact_id,
                role=row.role.value(),
                name=row.name.text(),
                email=row.email.text().strip() or None,
                phone=row.phone.text().strip() or None,
                is_primary=row.primary.isChecked(),
            )
            for row in self.rows
        )

    def add_row(self, contact: ContactDraft | None = None) -> _ContactRow:
        row = _ContactRow(
            role=EnumCombo(ContactRole),
            name=self._cell_edit(200, "Prénom Nom"),
            email=self._cell_edit(254, "prenom.nom@exemple.fr"),
            phone=self._cell_edit(30),
            primary=QCheckBox(),
            remove=QToolButton(),
        )
        row.remove.setText("Retirer")
        row.remove.setToolTip("Retirer ce contact")
        row.remove.clicked.connect(lambda: self.remove_row(row))
        if contact is not None:
            row.contact_id = contact.id
            row.role.set_value(contact.role)
            row.name.setText(contact.name)
            row.email.setText(contact.email or "")
            row.phone.setText(contact.phone or "")
            row.primary.setChecked(contact.is_primary)
        index = len(self.rows)
        self.rows.append(row)
        self.table.insertRow(index)
        self.table.setCellWidget(index, _Col.ROLE, row.role)
        self.table.setCellWidget(index, _Col.NAME, row.name)
        self.table.setCellWidget(index, _Col.EMAIL, row.email)
        self.table.setCellWidget(index, _Col.PHONE, row.phone)
        self.table.setCellWidget(index, _Col.PRIMARY, _centred(row.primary))
        self.table.setCellWidget(index, _Col.REMOVE, row.remove)
        with self.form.quietly():
            self._register(row, index)
        if contact is None:
            row.name.setFocus()
        return row

    def remove_row(self, row: _ContactRow) -> None:
        index = self.rows.index(row)
        with self.form.quietly():
            for item in row.fields:
                self.form.remove(item.key)
            del self.rows[index]
            self.table.removeRow(index)
            for later in range(index, len(self.rows)):  # the next ones move up
                for item in self.rows[later].fields:
                    suffix = item.key.split(".", 1)[1]
                    self.form.rename(item, f"contacts[{later}].{suffix}")

    def _register(self, row: _ContactRow, index: int) -> None:
        prefix = f"contacts[{index}]"
        add = self.form.add
        row.fields = [
            add(f"{prefix}.role", row.role, label=self.errors),
            add(
                f"{prefix}.name",
                row.name,
                required("Le nom du contact est obligatoire."),
                label=self.errors,
            ),
            add(f"{prefix}.email", row.email, optional(normalize_email), label=self.errors),
            add(f"{prefix}.phone", row.phone, label=self.errors),
            add(
                f"{prefix}.is_primary",
                row.primary,
                lambda checked: self._check_primary(row, checked),
                label=self.errors,
            ),
        ]

    def _check_primary(self, row: _ContactRow, checked: bool) -> bool:
        """One primary contact per role: the first one keeps it (as the service does)."""
        role = row.role.value()
        if checked and row in self.rows:
            earlier = self.rows[: self.rows.index(row)]
            if any(r.primary.isChecked() and r.role.value() is role for r in earlier):
                raise InvalidValue(
                    f"Un seul contact principal par rôle : le rôle « {role.label} » en a déjà un."
                )
        return checked

    @staticmethod
    def _cell_edit(max_length: int, placeholder: str = "") -> QLineEdit:
        edit = _line(max_length, placeholder)
        edit.setFrame(False)
        return edit


def _centred(widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
    return holder


# --- the dialog -------------------------------------------------------------------------


class ClientDialog(RecordDialog):
    """A new client (``details`` None) or the client ``details`` to change."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: ClientDetails | None = None,
        actor: str,
    ) -> None:
        super().__init__(parent, title="Nouveau client" if details is None else "Client")
        self.db = db
        self.actor = actor
        self.details = details
        self._build()
        self.form.revalidate()
        if details is not None:
            self.load(details)
        self._kind_changed()
        self.name.setFocus()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        form = self.form
        self.kind = EnumCombo(ClientKind)
        self.code = _line(20, "Attribué à l'enregistrement")
        self.name = _line(200)
        self.legal_form = QComboBox()
        self.legal_form.setEditable(True)
        self.legal_form.addItems(["", *LEGAL_FORMS])
        legal_form_edit = self.legal_form.lineEdit()
        assert legal_form_edit is not None  # editable
        legal_form_edit.setMaxLength(60)
        self.siren = _line(11, "9 chiffres")
        self.siret = _line(17, "14 chiffres")
        self.vat_number = _line(20)
        self.status = EnumCombo(s for s in ClientStatus if s is not ClientStatus.ANONYMISED)
        self.status.set_value(ClientStatus.ACTIVE)
        self.waiver = QCheckBox("Renonce à son droit de rétractation (service immédiat)")
        self.address_line1 = _line(200, "N° et voie")
        self.address_line2 = _line(200, "Bâtiment, BP, lieu-dit…")
        self.postcode = _line(10)
        self.postcode.setMaximumWidth(90)
        self.city = _line(100)
        self.country = _line(2)
        self.country.setText("FR")
        self.country.setMaximumWidth(50)
        self.country.setToolTip("Pays : code à deux lettres (FR, BE, CH…)")
        self.billing_email = _line(254, "compta@exemple.fr")
        self.phone = _line(30)
        self.payment_method = EnumCombo(PaymentMethod, none_label="Non précisé")
        self.chorus_pro_id = _line(20, "Identifiant")
        self.chorus_pro_service_code = _line(100, "Code service")
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Informations internes sur le client")
        self.contacts = ContactsEditor(form)

        identity = QFormLayout()
        form.add_row(identity, "Type", form.add("kind", self.kind))
        form.add_row(identity, "Code", form.add("code", self.code))
        form.add_row(
            identity,
            "Nom",
            form.add("name", self.name, required("Le nom du client est obligatoire.")),
        )
        form.add_row(identity, "Forme juridique", form.add("legal_form", self.legal_form))
        form.add_row(identity, "SIREN", form.add("siren", self.siren, self._check_siren))
        form.add_row(identity, "SIRET", form.add("siret", self.siret, self._check_siret))
        form.add_row(
            identity, "N° de TVA", form.add("vat_number", self.vat_number, self._check_vat)
        )
        form.add_row(identity, "Statut", form.add("status", self.status))
        form.add_row(identity, "", form.add("consumer_waiver_at", self.waiver))

        contact = QFormLayout()
        form.add_row(contact, "Adresse", form.add("address_line1", self.address_line1))
        form.add_row(contact, "Complément", form.add("address_line2", self.address_line2))
        form.add_row(
            contact,
            "Code postal, ville, pays",
            form.add("postcode", self.postcode, self._check_postcode),
            form.add("city", self.city),
            form.add("country", self.country, _check_country),
        )
        form.add_row(
            contact,
            "E-mail de facturation",
            form.add(
                "billing_email",
                self.billing_email,
                required("L'e-mail de facturation est obligatoire.", normalize_email),
            ),
        )
        form.add_row(contact, "Téléphone", form.add("phone", self.phone))
        form.add_row(contact, "Mode de paiement", form.add("payment_method", self.payment_method))
        form.add_row(
            contact,
            "Chorus Pro",
            form.add("chorus_pro_id", self.chorus_pro_id),
            form.add("chorus_pro_service_code", self.chorus_pro_service_code),
        )
        form.add("notes", self.notes)

        top = QHBoxLayout()
        top.addWidget(_group("Identité", identity), 1)
        top.addWidget(_group("Coordonnées et facturation", contact), 1)
        bottom = QHBoxLayout()
        contacts_box = QGroupBox("Contacts")
        QVBoxLayout(contacts_box).addWidget(self.contacts)
        notes_box = QGroupBox("Notes")
        QVBoxLayout(notes_box).addWidget(self.notes)
        bottom.addWidget(contacts_box, 3)
        bottom.addWidget(notes_box, 1)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.siren.textChanged.connect(self._suggest_vat)
        self.resize(1100, 660)

    # --- validation ---------------------------------------------------------------------

    def _kind(self) -> ClientKind:
        kind: ClientKind = self.kind.value()
        return kind

    def _valid_siren(self) -> str | None:
        try:
            return normalize_siren(self.siren.text())
        except InvalidValue:
            return None

    def _check_siren(self, text: str) -> str:
        if not text.strip():
            who = "une entreprise" if self._kind() is ClientKind.BUSINESS else "un organisme public"
            raise InvalidValue(f"Le SIREN est obligatoire pour {who}.")
        return normalize_siren(text)

    def _check_siret(self, text: str) -> str | None:
        return normalize_siret(text, self._valid_siren()) if text.strip() else None

    def _check_vat(self, text: str) -> str | None:
        return normalize_vat_number(text, self._valid_siren()) if text.strip() else None

    def _check_postcode(self, text: str) -> str | None:
        country = self.country.text().strip().upper() or "FR"
        return normalize_postcode(text, country) if text.strip() else None

    def _kind_changed(self) -> None:
        consumer = self._kind() is ClientKind.CONSUMER
        for key in _ORGANISATION_KEYS:
            self.form.set_row_visible(key, not consumer)
        self.form.set_row_visible("consumer_waiver_at", consumer)

    def _suggest_vat(self) -> None:
        siren = self._valid_siren()
        self.vat_number.setPlaceholderText(french_vat_number(siren) if siren else "")

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> ClientDraft:
        value = self.form.value
        waiver = None
        if self.form.value("consumer_waiver_at"):
            previous = self.details.consumer_waiver_at if self.details is not None else None
            waiver = previous or utc_now()
        return ClientDraft(
            code=value("code") or None,
            kind=self._kind(),
            name=value("name"),
            legal_form=value("legal_form"),
            siren=value("siren"),
            siret=value("siret"),
            vat_number=value("vat_number"),
            address_line1=value("address_line1"),
            address_line2=value("address_line2"),
            postcode=value("postcode"),
            city=value("city"),
            country=value("country") or "FR",
            billing_email=value("billing_email"),
            phone=value("phone"),
            payment_method=value("payment_method"),
            chorus_pro_id=value("chorus_pro_id"),
            chorus_pro_service_code=value("chorus_pro_service_code"),
            consumer_waiver_at=waiver,
            status=value("status"),
            notes=value("notes"),
            contacts=self.contacts.drafts(),
        )

    def write(self, draft: ClientDraft) -> ClientDetails:
        if self.details is None:
            return create_client(self.db, draft, actor=self.actor)
        return update_client(
            self.db,
            self.details.id,
            draft,
            expected_version=self.details.version,
            actor=self.actor,
        )

    def reload(self) -> ClientDetails:
        assert self.details is not None
        return get_client(self.db, self.details.id)

    def fill(self, details: ClientDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Client {details.code} — {details.name}")
        self.kind.set_value(details.kind)
        self.status.add_member(details.status)  # anonymised: shown, not offered
        self.status.set_value(details.status)
        texts = {
            self.code: details.code,
            self.name: details.name,
            self.siren: details.siren,
            self.siret: details.siret,
            self.vat_number: details.vat_number,
            self.address_line1: details.address_line1,
            self.address_line2: details.address_line2,
            self.postcode: details.postcode,
            self.city: details.city,
            self.country: details.country,
            self.billing_email: details.billing_email,
            self.phone: details.phone,
            self.chorus_pro_id: details.chorus_pro_id,
            self.chorus_pro_service_code: details.chorus_pro_service_code,
        }
        for edit, text in texts.items():
            edit.setText(text or "")
        self.legal_form.setCurrentText(details.legal_form or "")
        self.payment_method.set_value(details.payment_method)
        self.waiver.setChecked(details.consumer_waiver_at is not None)
        self.notes.setPlainText(details.notes or "")
        self.contacts.set_contacts(
            [
                ContactDraft(
                    id=c.id,
                    role=c.role,
                    name=c.name,
                    email=c.email,
                    phone=c.phone,
                    is_primary=c.is_primary,
                )
                for c in details.contacts
            ]
        )
        self._kind_changed()


def _check_country(text: str) -> str:
    country = text.strip().upper() or "FR"
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        raise InvalidValue("Le pays s'indique par son code à deux lettres (FR, BE, CH…).")
    return country


def _group(title: str, layout: QFormLayout) -> QGroupBox:
    box = QGroupBox(title)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    box.setLayout(layout)
    return box
