"""The invoice and credit-note PDF: every legal mention, exact amounts, pages, fonts."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.documents.fonts import SANS
from desktop.documents.invoice_data import DRAFT_MARK
from desktop.documents.invoice_pdf import build_invoice, fixed, unit_price, wrap
from desktop.domain.enums import PaymentMethod
from tests.documents import invoice_samples as sample
from tests.documents.pdf_helpers import flat, fonts, image_count, metadata, pages_text

HEADER = "Désignation Période Qté PU HT TVA Montant HT"


def text_of(data: bytes) -> str:
    return flat(" ".join(pages_text(data)))


def test_invoice_carries_every_legal_mention() -> None:
    rendered = build_invoice(sample.invoice(seller=sample.seller(logo=sample.png_logo())))
    text = text_of(rendered.data)
    assert rendered.pages == 1
    for phrase in (
        # the document, its dates
        "Facture F2026-000012",
        "Date d'émission",
        "01/03/2026",
        "du 01/03/2026 au 31/03/2026",
        # the seller
        "Nuage Armor",
        "SAS au capital de 10 000,00 €",
        "14 rue du Commerce",
        "56000 Vannes",
        "SIREN 552 081 317 — RCS Vannes",
        "TVA intracommunautaire FR03552081317",
        "02 97 40 12 34 · facturation@nuage-armor.fr",
        # the buyer
        "Librairie Martin",
        "3 place des Lices",
        "35000 Rennes",
        "SIREN 732 829 320",
        "SIRET 732 829 320 00009",
        "TVA intracommunautaire FR44732829320",
        "CL00012",
        "Votre commande",
        "BC-2026-077",
        # lines, VAT per rate, totals
        HEADER,
        "Hosted Exchange Standard — 12 comptes 01/03 – 31/03/2026 12 4,50 € 20 % 54,00 €",
        "1 000,00 € 20 % 1 000,00 €",
        "Archivage légal (par Go) 16 0,0125 € 20 % 0,20 €",
        "Formation en ligne 01/03 – 31/03/2026 1 50,00 € 5,5 % 50,00 €",
        "Taux de TVA Base HT Montant TVA",
        "20 % 1 054,20 € 210,84 €",
        "5,5 % 50,00 € 2,75 €",
        "Total HT 1 104,20 €",
        "Total TVA 213,59 €",
        "Total TTC 1 317,79 €",
        # payment and mentions
        "Échéance 31/03/2026",
        "Mode de paiement Virement",
        "IBAN FR76 3000 6000 0112 3456 7890 189",
        "BIC AGRIFRPP",
        "Catégorie de l'opération : Prestations de services.",
        "Option pour le paiement de la taxe d'après les débits.",
        "Pas d'escompte pour paiement anticipé.",
        "taux des pénalités de retard : 12,00 % par an",
        "Indemnité forfaitaire pour frais de recouvrement : 40,00 € (art. D441-5",
        # every page
        "Merci de rappeler le numéro de facture avec votre règlement.",
        "Page 1 / 1",
    ):
        assert phrase in text, phrase
    assert image_count(rendered.data) == 1
    assert metadata(rendered.data)["/Title"] == "Facture F2026-000012"


def test_mentions_follow_the_frozen_settings() -> None:
    terms = sample.terms(
        vat_on_debits=False,
        penalty_rate=Decimal("10.50"),
        early_payment_discount="Escompte de 1 % pour paiement sous 8 jours.",
        payment_method=PaymentMethod.CHEQUE,
    )
    text = text_of(build_invoice(sample.invoice(terms=terms)).data)
    assert "d'après les débits" not in text
    assert "taux des pénalités de retard : 10,50 % par an" in text
    assert "Escompte de 1 % pour paiement sous 8 jours." in text
    assert "Mode de paiement Chèque" in text
    assert "IBAN" not in text


def test_credit_note_names_the_invoice_it_corrects() -> None:
    text = text_of(build_invoice(sample.credit_note()).data)
    for phrase in (
        "Avoir AV2026-000003",
        "Avoir sur la facture F2026-000012 du 01/03/2026",
        "Motif : Compte résilié avant sa mise en service.",
        "Hosted Exchange Plus — remboursement 01/03 – 31/03/2026 1 1 000,00 € 20 % 1 000,00 €",
        "Total TTC 1 200,00 €",
        "Indemnité forfaitaire pour frais de recouvrement : 40,00 €",
    ):
        assert phrase in text, phrase


def test_a_direct_debit_invoice_is_its_pre_notification() -> None:
    doc = sample.sepa_invoice()
    text = text_of(build_invoice(doc).data)
    total = f"{doc.totals.incl_vat:,.2f}".replace(",", " ").replace(".", ",")
    for phrase in (
        "Mode de paiement Prélèvement SEPA",
        f"Prélèvement {total} € le 31/03/2026 sur le compte FR…0189",
        "Mandat (RUM) BOM-CL00012-000001",
        "Créancier (ICS) FR12ZZZ123456",
        "Pré-notification Cette facture tient lieu de pré-notification.",
    ):
        assert phrase in text, phrase
    assert "IBAN" not in text  # nothing to transfer: the seller's account is not printed
    credit = text_of(build_invoice(sample.credit_note(terms=doc.terms)).data)
    assert "Pré-notification" not in credit and "Mandat (RUM)" not in credit


def test_lines_flow_over_pages_with_the_header_repeated() -> None:
    rendered = build_invoice(sample.long_invoice(120))
    pages = [flat(page) for page in pages_text(rendered.data)]
    total = len(pages)
    assert rendered.pages == total >= 3
    for number, page in enumerate(pages, start=1):
        assert page.count(HEADER) == 1, number
        assert f"Page {number} / {total}" in page
        assert "Facture F2026-000012" in page
        assert "SIREN 552 081 317" in page
    text = " ".join(pages)
    for index in (1, 60, 120):
        assert text.count(f"utilisateur{index:03d}@librairie-martin.fr") == 1
    assert "Total TTC" not in " ".join(pages[:-1])
    assert "Total HT 540,00 € Total TVA 108,00 € Total TTC 648,00 €" in pages[-1]


def test_missing_or_broken_logo_prints_the_name() -> None:
    with_logo = text_of(
        build_invoice(sample.invoice(seller=sample.seller(logo=sample.png_logo()))).data
    )
    for logo in (None, b"not an image"):
        data = build_invoice(sample.invoice(seller=sample.seller(logo=logo))).data
        assert image_count(data) == 0
        # the name takes the logo's place at the top of the page
        assert text_of(data).count("Nuage Armor") == with_logo.count("Nuage Armor") + 1


def test_draft_preview_is_stamped_and_unnumbered() -> None:
    text = text_of(build_invoice(sample.draft()).data)
    assert "Facture (brouillon)" in text
    assert DRAFT_MARK in text
    assert "F2026-" not in text


def test_consumer_buyer_has_no_company_identifiers() -> None:
    text = text_of(build_invoice(sample.consumer_invoice()).data)
    assert "Jeanne Le Goff" in text
    assert "SIREN 732" not in text
    assert "FR44732829320" not in text


def test_every_font_is_embedded() -> None:
    data = build_invoice(sample.credit_note(seller=sample.seller(logo=sample.png_logo()))).data
    used = fonts(data)
    assert used and all(used.values()), used
    assert all("DejaVu" in name for name in used)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_every_font_embedded(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "invoice.pdf"  # type: ignore[operator]
    path.write_bytes(build_invoice(sample.long_invoice(60)).data)
    output = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert output
    for line in output:
        columns = line.split()
        assert columns[-5] == "yes", line  # emb
        assert "DejaVu" in columns[0], line


def test_number_formats() -> None:
    assert unit_price(Decimal("4.5")) == "4,50\u00a0€"
    assert unit_price(Decimal("0.0125")) == "0,0125\u00a0€"
    assert unit_price(Decimal("1234.5000")) == "1\u202f234,50\u00a0€"
    assert fixed(Decimal("12"), 2) == "12,00"
    assert fixed(Decimal("-0.001"), 2) == "0,00"
    assert fixed(Decimal("-3.5"), 2) == "-3,50"


def test_wrap_breaks_at_plain_spaces_only() -> None:
    text = "Abonnement mensuel 4,50\u00a0€ par compte utilisateur"
    lines = wrap(text, 60).split("\n")
    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(line.strip() for line in lines)
    long_word = "x" * 80
    pieces = wrap(f"Compte {long_word} actif", 60).split("\n")
    assert "".join(pieces).replace(" ", "") == f"Compte{long_word}actif"
    assert all(stringWidth(piece, SANS, 8.3) <= 60 for piece in pieces)
