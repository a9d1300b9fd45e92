"""The quote (devis) PDF, in the provider's style (letterhead, fonts, legal mentions).

Parties, the quote's dates, its lines (header repeated on each page), totals
excl. VAT / VAT per rate / incl. VAT, the recurring and one-off amounts, the
commitment and renewal terms, the payment method, and the client's acceptance
block: « Bon pour accord », date, name, title, signature and stamp.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.documents.contract_pdf import client_lines, provider_lines
from desktop.documents.french import french_decimal, french_long_date, french_money
from desktop.documents.layout import CONTENT_WIDTH, PageFrame, RenderedPdf, build_pdf
from desktop.documents.signature import fill_in
from desktop.documents.styles import RULE, SHADE, para, rich, styles, xml
from desktop.documents.tables import (
    LabelledBox,
    TableColumn,
    data_table,
    grid,
    key_value_table,
    two_columns,
)
from desktop.domain.enums import OptionBilling, PaymentMethod
from desktop.services.quotes import QuoteLineView, QuotePrint

_BILLING = {
    OptionBilling.MONTHLY: "par mois",
    OptionBilling.YEARLY: "par an",
    OptionBilling.PER_ACT: "unique",
}

COLUMNS = (
    TableColumn("Désignation", 41),
    TableColumn("Qté", 7, right=True),
    TableColumn("P.U. HT", 12, right=True),
    TableColumn("Remise", 11, right=True),
    TableColumn("TVA", 8, right=True),
    TableColumn("Montant HT", 13, right=True),
    TableColumn("Rythme", 12),
)


def render_quote(doc: QuotePrint) -> bytes:
    return build_quote(doc).data


def build_quote(doc: QuotePrint) -> RenderedPdf:
    """The quote's PDF and its number of pages."""
    q = doc.quote
    number = q.number or "brouillon"
    reference = f"Devis {number} — {doc.client.name}"
    frame = PageFrame(
        title=f"Devis n° {number}", subject=reference, reference=reference, provider=doc.provider
    )
    story: list[Flowable] = [
        *_heading(doc),
        _parties(doc),
        Spacer(1, 5 * mm),
        data_table(COLUMNS, [_row(line) for line in q.lines]),
        Spacer(1, 3 * mm),
        _totals(doc),
        *_terms(doc),
        _acceptance(doc),
    ]
    return build_pdf(frame, story)


def _heading(doc: QuotePrint) -> list[Flowable]:
    s = styles()
    q = doc.quote
    title = f"Devis n° {q.number}" if q.number else "Devis (brouillon, non numéroté)"
    dates = []
    if q.issued_on is not None:
        dates.append(f"Date : {french_long_date(q.issued_on)}")
    if q.valid_until is not None:
        dates.append(f"Valable jusqu'au {french_long_date(q.valid_until)}")
    return [
        para(title, s.title),
        para(" — ".join(dates) or "Date et validité fixées à l'envoi", s.subtitle),
        para(f"Offre : {q.product_line_name}", s.text),
        Spacer(1, 4 * mm),
    ]


def _parties(doc: QuotePrint) -> Flowable:
    s = styles()
    boxes = [(c, 0) for c in (0, 2)]
    client = [
        para("LE CLIENT", s.label),
        rich(f"<b>{xml(doc.client.name)}</b>", s.text),
        rich("<br/>".join(xml(x) for x in client_lines(doc.client)), s.small),
    ]
    provider = [
        para("LE PRESTATAIRE", s.label),
        rich(f"<b>{xml(doc.provider.name)}</b>", s.text),
        rich("<br/>".join(xml(x) for x in provider_lines(doc.provider)), s.small),
    ]
    return two_columns(
        client,
        provider,
        gutter=6 * mm,
        commands=[
            *[("BOX", cell, cell, 0.6, RULE) for cell in boxes],
            *[("BACKGROUND", cell, cell, SHADE) for cell in boxes],
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("RIGHTPADDING", (0, 0), (-1, -1), 7),
        ],
    )


def _row(line: QuoteLineView) -> list[str]:
    if line.discount_amount is not None:
        discount = french_money(line.discount_amount)
    elif line.discount_percent:
        discount = f"{french_decimal(line.discount_percent)} %"
    else:
        discount = "—"
    return [
        line.description,
        french_decimal(line.quantity),
        french_money(line.unit_price),
        discount,
        f"{french_decimal(line.vat_rate)} %",
        french_money(line.amount),
        _BILLING[line.billing],
    ]


def _totals(doc: QuotePrint) -> Flowable:
    t = doc.quote.totals
    rows: list[tuple[str, str]] = []
    if t.discount:
        rows.append(("Total avant remises HT", french_money(t.gross)))
        rows.append(("Remises", f"− {french_money(t.discount)}"))
    if doc.quote.discount_percent:
        rows.append(("dont remise globale", f"{french_decimal(doc.quote.discount_percent)} %"))
    rows.append(("Total HT", french_money(t.excl_vat)))
    for rate in t.totals.by_rate:
        rows.append(
            (
                f"TVA {french_decimal(rate.rate)} % sur {french_money(rate.base)}",
                french_money(rate.vat),
            )
        )
    rows.append(("Total TTC", french_money(t.incl_vat)))
    s = styles()
    width = 85 * mm
    data = [[para(k, s.cell), para(v, s.cell_right)] for k, v in rows]
    data[-1] = [
        rich(f"<b>{xml(rows[-1][0])}</b>", s.cell),
        rich(f"<b>{xml(rows[-1][1])}</b>", s.cell_right),
    ]
    # Through grid(): a bare Table would name Helvetica, a font not embedded.
    table = grid(
        data,
        [width - 32 * mm, 32 * mm],
        [
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, RULE),
            ("BACKGROUND", (0, -1), (-1, -1), SHADE),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
        align="RIGHT",
    )
    return KeepTogether([table])


def _terms(doc: QuotePrint) -> list[Flowable]:
    s = styles()
    q = doc.quote
    t = q.totals
    recurring = [f"{french_money(t.monthly)} HT par mois"]
    if t.yearly:
        recurring.append(f"{french_money(t.yearly)} HT par an")
    rows = [
        ("Montants récurrents", " et ".join(recurring)),
        ("Montants facturés une fois", f"{french_money(t.one_off)} HT (première facture)"),
        (
            "Engagement initial",
            f"{q.initial_months} mois par compte à compter de la mise en service",
        ),
        (
            "Renouvellement",
            f"tacite, par périodes de {q.renewal_months} mois, sauf demande de "
            "non-renouvellement par courriel ou courrier",
        ),
        (
            "Paiement de la commande",
            q.payment_method.label
            if q.payment_method
            else "virement, chèque ou mandat administratif",
        ),
        ("Paiement des renouvellements", PaymentMethod.SEPA_DEBIT.label),
        (
            "Facturation",
            "mensuelle, à terme à échoir ; le premier mois au prorata des jours de service ; "
            "frais de mise en service et prestations sur la première facture",
        ),
        ("Mise en service", "à la validation du devis signé (codes d'accès remis)"),
    ]
    if q.notes:
        rows.append(("Remarques", q.notes))
    return [
        Spacer(1, 3 * mm),
        para("Engagement, renouvellement et paiement", s.heading),
        key_value_table(rows),
    ]


def _acceptance(doc: QuotePrint) -> Flowable:
    s = styles()
    half = (CONTENT_WIDTH - 8 * mm) / 2
    until = doc.quote.valid_until
    validity = f", avant le {french_long_date(until)}" if until else ""
    left: list[Flowable] = [
        para("Bon pour accord", s.subheading),
        para(
            f"Devis à retourner daté et signé{validity}, avec la mention manuscrite "
            "« Bon pour accord ».",
            s.small,
        ),
        fill_in("Date :", half),
        fill_in("Nom :", half),
        fill_in("Qualité :", half),
    ]
    right: list[Flowable] = [
        LabelledBox("Signature et cachet du client", half, 28 * mm),
    ]
    return KeepTogether(
        [
            Spacer(1, 4 * mm),
            para("Acceptation du client", s.heading),
            two_columns(left, right),
        ]
    )
