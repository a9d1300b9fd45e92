"""The signature block that ends a contract: place and date, two copies, both parties.

Kept together so that it never splits across pages (business rules §4).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from desktop.documents.fonts import SANS
from desktop.documents.layout import CONTENT_WIDTH
from desktop.documents.styles import MUTED, para, rich, styles, xml
from desktop.documents.tables import NO_PADDING, LabelledBox, grid, two_columns
from desktop.services.contract_print import ContractPrint

PLACE_AND_DATE = "Fait à ______________ , le ____ / ____ / ________"
COPIES = "en deux exemplaires originaux, dont un remis à chaque partie."
SIGNER = "Nom du signataire :"
TITLE = "Qualité :"
SIGNATURE = "Signature, précédée de la mention « Lu et approuvé »"
STAMP = "Cachet de l'entreprise"
BOX_HEIGHT = 27 * mm
GUTTER = 8 * mm
FILL_IN_HEIGHT = 7 * mm
"""A line to write on, label first."""


def signature_block(doc: ContractPrint) -> Flowable:
    s = styles()
    client = _party("Pour le client", doc.client.name, organisation=_is_org(doc))
    provider = _party("Pour le prestataire", doc.provider.name, organisation=True)
    return KeepTogether(
        [
            Spacer(1, 6 * mm),
            para("Signatures", s.heading),
            para(PLACE_AND_DATE, s.text),
            para(COPIES, s.text),
            Spacer(1, 3 * mm),
            two_columns(client, provider, gutter=GUTTER),
        ]
    )


def _is_org(doc: ContractPrint) -> bool:
    return not doc.client.is_consumer


def _party(heading: str, name: str, *, organisation: bool) -> list[Flowable]:
    """One column: who signs, in which capacity, the signature and the stamp boxes.

    A consumer signs in no capacity and has no stamp: the blank keeps both
    columns' boxes level.
    """
    s = styles()
    width = (CONTENT_WIDTH - GUTTER) / 2
    cells: list[Flowable] = [
        para(heading, s.subheading),
        rich(f"<b>{xml(name)}</b>", s.text),
        fill_in(SIGNER, width),
        fill_in(TITLE, width) if organisation else Spacer(1, FILL_IN_HEIGHT),
        Spacer(1, 3 * mm),
        LabelledBox(SIGNATURE, width, BOX_HEIGHT),
    ]
    if organisation:
        cells += [Spacer(1, 3 * mm), LabelledBox(STAMP, width, BOX_HEIGHT)]
    return cells


def fill_in(label: str, width: float) -> Table:
    """« Label : » followed by a line to write on, to the column's end."""
    s = styles()
    label_width = stringWidth(label, SANS, s.text.fontSize) + 2 * mm
    return grid(
        [[para(label, s.text), ""]],
        [label_width, width - label_width],
        [
            ("LINEBELOW", (1, 0), (1, 0), 0.6, MUTED),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            *NO_PADDING,
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
        row_heights=[FILL_IN_HEIGHT],
    )
