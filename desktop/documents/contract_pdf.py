"""The contract PDF: parties, particular terms, the template's articles, annexes, signatures.

Every page carries « Page N/M » and an initials box; the signature block of
both parties ends the last page (business rules §4).
"""

from __future__ import annotations

from datetime import timedelta

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table

from desktop.documents.contract_annex import annexes
from desktop.documents.contract_fields import template_values
from desktop.documents.french import french_int, french_long_date, french_money, group_digits
from desktop.documents.layout import PageFrame, RenderedPdf, build_pdf
from desktop.documents.signature import signature_block
from desktop.documents.styles import RULE, SHADE, para, rich, styles, with_bold, xml
from desktop.documents.tables import key_value_table, two_columns
from desktop.documents.template import Article, Block, ContractText, fill_template, load_template
from desktop.domain.enums import PaymentMethod
from desktop.domain.periods import add_months
from desktop.services.contract_print import ClientIdentity, ContractPrint, ProviderIdentity

CONSUMER = "consumer"
"""The template condition kept only for a consumer client."""


def render_contract(doc: ContractPrint) -> bytes:
    """The contract's PDF."""
    return build_contract(doc).data


def build_contract(doc: ContractPrint) -> RenderedPdf:
    """The contract's PDF and its number of pages."""
    text = contract_text(doc)
    reference = f"Contrat {doc.contract.number} — {doc.client.name}"
    frame = PageFrame(
        title=f"{text.title} n° {doc.contract.number}",
        subject=reference,
        reference=reference,
        provider=doc.provider,
        initials=True,
    )
    story = [
        *_heading(doc, text),
        _parties(doc),
        *_particular_terms(doc),
        *_articles(text),
        PageBreak(),
        *annexes(doc),
        signature_block(doc),
    ]
    return build_pdf(frame, story)


def contract_text(doc: ContractPrint) -> ContractText:
    """The product line's template filled for this contract."""
    template, source = load_template(doc.contract.product_line)
    conditions = {CONSUMER: doc.client.is_consumer}
    return fill_template(template, template_values(doc), conditions, source=source)


def _heading(doc: ContractPrint, text: ContractText) -> list[Flowable]:
    s = styles()
    title = text.title or f"Contrat de service {doc.contract.product_line_name}"
    details = f"Contrat n° {doc.contract.number} · client {doc.client.code}"
    return [
        para(title, s.title),
        para(f"{details} · édité le {french_long_date(doc.at)}", s.subtitle),
        Spacer(1, 5 * mm),
    ]


# --- the parties ------------------------------------------------------------------------


def _parties(doc: ContractPrint) -> Table:
    boxes = [(c, 0) for c in (0, 2)]
    return two_columns(
        _party("Le client", client_lines(doc.client), doc.client.name),
        _party("Le prestataire", provider_lines(doc.provider), doc.provider.name),
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


def _party(role: str, lines: list[str], name: str) -> list[Flowable]:
    s = styles()
    return [
        para(role.upper(), s.label),
        rich(f"<b>{xml(name)}</b>", s.text),
        rich("<br/>".join(xml(line) for line in lines), s.small),
    ]


def client_lines(client: ClientIdentity) -> list[str]:
    kind = ", ".join(v for v in (client.kind.label, client.legal_form) if v)
    lines = [kind, *client.address.lines]
    if client.siren:
        lines.append(f"SIREN {group_digits(client.siren)}")
    if client.siret:
        lines.append(f"SIRET {group_digits(client.siret)}")
    if client.vat_number:
        lines.append(f"TVA intracommunautaire {client.vat_number}")
    lines.append(f"Facturation : {client.billing_email}")
    if client.administrator:
        lines.append(f"Administrateur : {client.administrator}")
        if client.administrator_email and client.administrator_email != client.billing_email:
            lines.append(client.administrator_email)
    lines.append(f"Code client : {client.code}")
    return lines


def provider_lines(provider: ProviderIdentity) -> list[str]:
    lines = [
        f"{provider.legal_form} au capital de {french_money(provider.share_capital)}",
        *provider.address.lines,
        f"SIREN {group_digits(provider.siren)} — RCS {provider.rcs_city}",
        f"TVA intracommunautaire {provider.vat_number}",
    ]
    contact = " · ".join(v for v in (provider.phone, provider.email) if v)
    return [*lines, contact] if contact else lines


# --- particular terms and articles ------------------------------------------------------


def _particular_terms(doc: ContractPrint) -> list[Flowable]:
    s = styles()
    return [
        para("Conditions particulières", s.heading),
        key_value_table(_terms_rows(doc)),
    ]


def _terms_rows(doc: ContractPrint) -> list[tuple[str, str]]:
    c = doc.contract
    start = c.service_start
    commitment = f"{french_int(c.initial_months)} mois à compter de la mise en service"
    if start is not None:
        last_day = add_months(start, c.initial_months) - timedelta(days=1)
        commitment += f", soit jusqu'au {french_long_date(last_day)}"
    rows = [
        ("Offre", c.product_line_name),
        ("Date de commande", french_long_date(c.ordered_on) if c.ordered_on else "—"),
        ("Mise en service", french_long_date(start) if start else "à l'activation du service"),
        ("Engagement initial", commitment),
        ("Renouvellement", f"tacite, par périodes de {french_int(c.renewal_months)} mois"),
        ("Paiement de la commande", c.payment_method_label or "à convenir"),
        ("Paiement des renouvellements", PaymentMethod.SEPA_DEBIT.label),
        ("Comptes en service", french_int(len(doc.accounts))),
        ("Total mensuel HT", french_money(doc.monthly_total)),
    ]
    if doc.client.is_consumer:
        waiver = c.consumer_waiver_on
        accepted = f"acceptée le {french_long_date(waiver)}" if waiver else "à signer"
        rows.append(("Renonciation au droit de rétractation", accepted))
    return rows


def _articles(text: ContractText) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [Spacer(1, 2 * mm)]
    for block in text.preamble:
        story += _block(block)
    for article in text.articles:
        story += _article(article)
    if not text.articles:
        story.append(para("(Le modèle de contrat ne contient aucun article.)", s.muted))
    return story


def _article(article: Article) -> list[Flowable]:
    s = styles()
    heading = para(f"Article {article.number} — {article.title}", s.heading)
    return [heading, *(flowable for block in article.blocks for flowable in _block(block))]


def _block(block: Block) -> list[Flowable]:
    s = styles()
    if block.bullets:
        items = [rich(with_bold(item), s.bullet, bullet="•") for item in block.items]
        return [*items, Spacer(1, 2.5)]
    return [rich(with_bold(item), s.body) for item in block.items]
