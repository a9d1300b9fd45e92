"""The .xlsx template of each import: French headers, what each column expects, an example."""

from __future__ import annotations

import io

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

from desktop.services.importing.columns import FIELDS, Field, ImportKind

_INTRO: dict[ImportKind, str] = {
    ImportKind.CLIENTS: (
        "Une ligne par client. Les colonnes sont reconnues par leur en-tête (français ou "
        "anglais, sans tenir compte des majuscules ni des accents) ; les autres sont ignorées."
    ),
    ImportKind.DOMAINS: (
        "Une ligne par domaine ; le client (code ou SIREN) doit déjà exister. En important, "
        "vous certifiez que chaque client administre son domaine (HE §4)."
    ),
    ImportKind.MAILBOXES: (
        "Une ligne par boîte aux lettres, créée « Demandée ». Le domaine de l'adresse doit "
        "exister ; contrat vide : le seul contrat en cours du client pour la gamme de la formule."
    ),
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def _note(field: Field) -> str:
    required = "Obligatoire. " if field.required and field.help != "Obligatoire." else ""
    other = ", ".join(field.headers[1:])
    accepted = f"\nAutres en-têtes acceptés : {other}." if other else ""
    return f"{required}{field.help}{accepted}".strip()


def template_bytes(kind: ImportKind) -> bytes:
    """The template workbook: headers (row 1, commented), one example row (row 2).

    A second sheet « Mode d'emploi » lists each column and what it expects; only
    the first sheet is read by the import, so the example row is to be replaced.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.label.capitalize()[:31]
    fields = FIELDS[kind]
    for column, field in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=column, value=field.title)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if field.required else _HEADER_FILL
        cell.comment = Comment(_note(field) or "Facultatif.", "Back-Office Messagerie")
        sheet.cell(row=2, column=column, value=field.example or None)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(field.title) + 4)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Mode d'emploi")
    guide.append([_INTRO[kind]])
    guide.append([])
    guide.append(["Colonne", "Obligatoire", "Format attendu", "Autres en-têtes acceptés"])
    for cell in guide[3]:
        cell.font = Font(bold=True)
    for field in fields:
        guide.append(
            [
                field.title,
                "oui" if field.required else "non",
                field.help or "Facultatif.",
                ", ".join(field.headers[1:]),
            ]
        )
    guide.append([])
    guide.append(
        [
            "Enregistrez au format .xlsx ou CSV (séparateur « ; » ou « , », UTF-8 ou "
            "Windows-1252). L'import est tout ou rien : vérifiez d'abord le fichier."
        ]
    )
    for letter, width in (("A", 28), ("B", 12), ("C", 70), ("D", 50)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=4):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
