"""« Qualité > Réglages de la qualité de service… »: the support calendar and objectives.

The contract's values are the defaults: support Monday to Friday 9:00–18:00
(Paris, French public holidays off, Alsace-Moselle's two extra days as an
option), restoration within 8 support hours, equipment replaced within 96
hours, 99 % availability. Which invoice lines count as fixed fees in the credit
base is an interpretation of the contract, kept here.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services.sla import (
    BILLED_KINDS,
    MAX_HOURS,
    SlaSettings,
    save_sla_settings,
    sla_settings,
)
from desktop.ui.formatting import FRENCH
from desktop.ui.widgets.client_field import hint_label
from desktop.ui.widgets.record_dialog import ask_reload
from desktop.ui.widgets.validated_form import ErrorLabel


def _time_edit(value: object) -> QTimeEdit:
    edit = QTimeEdit()
    edit.setDisplayFormat("HH:mm")
    edit.setTime(QTime(value.hour, value.minute))  # type: ignore[attr-defined]
    return edit


def _hours(value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, MAX_HOURS)
    box.setSuffix(" h")
    box.setValue(value)
    return box


class SlaSettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, db: Database, actor: str) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.current = sla_settings(db)
        self.saved: SlaSettings | None = None
        self.setWindowTitle("Réglages de la qualité de service")
        layout = QVBoxLayout(self)
        self.general = ErrorLabel(self)
        layout.addWidget(self.general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, ErrorLabel] = {}
        settings = self.current
        self.opens_at = _time_edit(settings.opens_at)
        self.closes_at = _time_edit(settings.closes_at)
        hours = QHBoxLayout()
        hours.addWidget(QLabel("du lundi au vendredi, de"))
        hours.addWidget(self.opens_at)
        hours.addWidget(QLabel("à"))
        hours.addWidget(self.closes_at)
        hours.addStretch(1)
        self._row(form, "Support", hours, "closes_at")
        self.alsace_moselle = QCheckBox(
            "Jours fériés d'Alsace-Moselle (Vendredi saint, 26 décembre)"
        )
        self.alsace_moselle.setChecked(settings.alsace_moselle)
        form.addRow("", self.alsace_moselle)
        self.restoration = _hours(settings.restoration_hours)
        self._row(form, "Rétablissement", self.restoration, "restoration_hours", "ouvrées")
        self.replacement = _hours(settings.replacement_hours)
        self._row(form, "Remplacement d'équipement", self.replacement, "replacement_hours")
        self.target = QDoubleSpinBox()
        self.target.setDecimals(2)
        self.target.setRange(0.01, 100)
        self.target.setSuffix(" %")
        self.target.setLocale(FRENCH)
        self.target.setValue(float(settings.availability_target))
        self._row(form, "Disponibilité visée", self.target, "availability_target")
        kinds = QVBoxLayout()
        self.kinds: dict[object, QCheckBox] = {}
        for kind in BILLED_KINDS:
            box = QCheckBox(kind.label)
            box.setChecked(kind in settings.fixed_line_kinds)
            self.kinds[kind] = box
            kinds.addWidget(box)
        kinds.addWidget(
            hint_label(
                "Lignes comptées comme redevances fixes dans la base de l'avoir ; "
                "les autres lignes facturées sont les redevances d'usage (moyenne des 3 mois "
                "précédents)."
            )
        )
        self._row(form, "Redevances fixes", kinds, "fixed_line_kinds")
        layout.addLayout(form)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Enregistrer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(
            self.reject
        )
        self.save_button.clicked.connect(self.save)
        layout.addWidget(buttons)
        self.setMinimumWidth(700)

    def _row(
        self, form: QFormLayout, caption: str, field: object, key: str, unit: str = ""
    ) -> None:
        holder = QVBoxLayout()
        holder.setSpacing(2)
        line = QHBoxLayout()
        if isinstance(field, QWidget):
            line.addWidget(field)
            if unit:
                line.addWidget(QLabel(unit))
            line.addStretch(1)
        else:
            line.addLayout(field, 1)  # type: ignore[arg-type]
        holder.addLayout(line)
        error = ErrorLabel(self)
        self.errors[key] = error
        holder.addWidget(error)
        form.addRow(caption, holder)

    def value(self) -> SlaSettings:
        def plain(edit: QTimeEdit) -> object:
            return edit.time().toPython()

        return SlaSettings(
            opens_at=plain(self.opens_at),  # type: ignore[arg-type]
            closes_at=plain(self.closes_at),  # type: ignore[arg-type]
            alsace_moselle=self.alsace_moselle.isChecked(),
            restoration_hours=self.restoration.value(),
            replacement_hours=self.replacement.value(),
            availability_target=Decimal(f"{self.target.value():.2f}"),
            fixed_line_kinds=tuple(k for k, box in self.kinds.items() if box.isChecked()),  # type: ignore[misc]
            version=self.current.version,
        )

    def save(self) -> None:
        for label in self.errors.values():
            label.set_message("")
        self.general.set_message("")
        try:
            self.saved = save_sla_settings(
                self.db, self.value(), expected_version=self.current.version, actor=self.actor
            )
        except ValidationError as exc:
            for key, message in exc.errors.items():
                self.errors.get(key, self.general).set_message(message)
            return
        except ConflictError as exc:
            self.general.set_message(exc.message)
            if ask_reload(self, exc.message, title=self.windowTitle()):
                self.show_settings(sla_settings(self.db))
            return
        except UserError as exc:
            self.general.set_message(exc.message)
            return
        self.accept()

    def show_settings(self, settings: SlaSettings) -> None:
        """The settings as stored (after a conflict, those another desktop saved)."""
        self.current = settings
        self.general.set_message("")
        self.opens_at.setTime(QTime(settings.opens_at.hour, settings.opens_at.minute))
        self.closes_at.setTime(QTime(settings.closes_at.hour, settings.closes_at.minute))
        self.alsace_moselle.setChecked(settings.alsace_moselle)
        self.restoration.setValue(settings.restoration_hours)
        self.replacement.setValue(settings.replacement_hours)
        self.target.setValue(float(settings.availability_target))
        for kind, box in self.kinds.items():
            box.setChecked(kind in settings.fixed_line_kinds)


def edit_sla_settings(parent: QWidget, db: Database, actor: str) -> bool:
    dialog = SlaSettingsDialog(parent, db=db, actor=actor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog.exec() == QDialog.DialogCode.Accepted
