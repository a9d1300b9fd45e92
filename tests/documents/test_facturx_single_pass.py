"""Factur-X written by ReportLab in one pass: what the pikepdf second pass used to add,
and the CII XML written as text exactly as lxml serialises it."""

from __future__ import annotations

import hashlib
import warnings
import zlib
from io import BytesIO

import facturx
import pikepdf
import pytest
from lxml import etree

from desktop.documents.facturx import (
    PRODUCER,
    _empty_rdf,
    _facturx_xmp,
    _info_text,
    _xmp_packet,
    build_facturx,
    cii_xml,
    srgb_profile,
)
from desktop.documents.invoice_pdf import build_invoice
from desktop.errors import UserError
from tests.documents import invoice_samples as sample

INFO_KEYS = {
    "/Author",
    "/CreationDate",
    "/Creator",
    "/Keywords",
    "/ModDate",
    "/Producer",
    "/Subject",
    "/Title",
}


def opened(data: bytes) -> pikepdf.Pdf:
    """The PDF opened by pikepdf, which must neither warn nor find a syntax problem."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = pikepdf.open(BytesIO(data))
        problems = pdf.check_pdf_syntax()
    assert [str(w.message) for w in caught] == []
    assert problems == []
    return pdf


def test_the_attachment_and_catalog_entries() -> None:
    doc = sample.invoice(seller=sample.seller(logo=sample.png_logo()))
    data = build_facturx(doc).data
    xml = cii_xml(doc)
    assert data.startswith(b"%PDF-1.6\n") and data.count(b"%PDF-") == 1
    assert facturx.get_xml_from_pdf(data, check_xsd=True) == ("factur-x.xml", xml)
    pdf = opened(data)
    root = pdf.Root
    assert root.PageMode == pikepdf.Name.UseAttachments
    name, spec = root.Names.EmbeddedFiles.Names
    assert str(name) == "factur-x.xml"
    assert spec.objgen == root.AF[0].objgen and len(root.AF) == 1
    assert (str(spec.F), str(spec.UF), str(spec.Desc)) == (
        "factur-x.xml",
        "factur-x.xml",
        "Factur-X XML file",
    )
    assert spec.AFRelationship == pikepdf.Name.Data
    attached = spec.EF.F
    assert attached.objgen == spec.EF.UF.objgen
    assert attached.Type == pikepdf.Name.EmbeddedFile
    assert attached.Subtype == pikepdf.Name("/text/xml")
    assert attached.read_bytes() == xml
    assert int(attached.Params.Size) == len(xml)
    assert bytes(attached.Params.CheckSum) == hashlib.md5(xml, usedforsecurity=False).digest()
    assert str(attached.Params.ModDate) == str(pdf.docinfo.CreationDate)


def test_pdfa_output_intent_information_and_id() -> None:
    data = build_facturx(sample.credit_note()).data
    pdf = opened(data)
    intent = pdf.Root.OutputIntents[0]
    assert intent.Type == pikepdf.Name.OutputIntent and intent.S == pikepdf.Name.GTS_PDFA1
    assert str(intent.OutputConditionIdentifier) == str(intent.Info) == "sRGB IEC61966-2.1"
    assert str(intent.RegistryName) == "http://www.color.org"
    assert int(intent.DestOutputProfile.N) == 3
    assert intent.DestOutputProfile.read_bytes() == srgb_profile()
    info = {str(key): str(value) for key, value in pdf.docinfo.items()}
    assert set(info) == INFO_KEYS  # no /Trapped: PDF/A has no XMP twin for it
    assert info["/Producer"] == PRODUCER
    assert info["/Keywords"] == "Avoir, Factur-X"
    assert info["/Subject"] == "Avoir AV2026-000003 du 10/03/2026, émise par Nuage Armor"
    assert info["/CreationDate"] == info["/ModDate"]
    first, second = pdf.trailer.ID
    assert bytes(first) == bytes(second) and len(bytes(first)) == 16
    assert all(pikepdf.Name.Trans not in page.obj for page in pdf.pages)


def test_the_xmp_repeats_the_information_as_lxml_writes_it() -> None:
    pdf = opened(build_facturx(sample.long_invoice(30)).data)
    metadata = pdf.Root.Metadata
    assert pikepdf.Name.Filter not in metadata  # left readable
    assert (metadata.Type, metadata.Subtype) == (pikepdf.Name.Metadata, pikepdf.Name.XML)
    info = {str(key): _info_text(str(key), value) for key, value in pdf.docinfo.items()}
    expected = _xmp_packet(_empty_rdf(), info, facturx=True).encode("utf-8")
    assert metadata.read_bytes() == expected
    meta = pdf.open_metadata()
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")


def test_the_marked_xmp_escapes_values_as_lxml() -> None:
    info = {
        "/Author": 'Dupont & Fils <SARL> "Ouest"',
        "/CreationDate": "D:20260301101500+01'00'",
        "/Creator": "Back-Office Messagerie",
        "/Keywords": "Facture, Factur-X",
        "/ModDate": "D:20260301101500+01'00'",
        "/Producer": PRODUCER,
        "/Subject": "retour\rchariot l'été",
        "/Title": "Facture F2026-000012",
    }
    as_text = {key: _info_text(key, value) for key, value in info.items()}
    assert _facturx_xmp(info) == _xmp_packet(_empty_rdf(), as_text, facturx=True).encode()


def test_pages_are_the_plain_pdfs() -> None:
    doc = sample.long_invoice(45)
    plain = opened(build_invoice(doc).data)
    archived = opened(build_facturx(doc).data)
    assert len(plain.pages) == len(archived.pages) == 3
    for ours, theirs in zip(plain.pages, archived.pages, strict=True):
        assert ours.obj.Contents.read_bytes() == theirs.obj.Contents.read_bytes()
    assert pikepdf.Name.Trans in plain.pages[0].obj  # the plain PDF keeps ReportLab's


def test_another_invoice_another_id() -> None:
    first = opened(build_facturx(sample.invoice()).data).trailer.ID[0]
    other = sample.invoice(number="F2026-000013")
    assert opened(build_facturx(other).data).trailer.ID[0] != first


# --- the CII XML as text ----------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        sample.invoice(),
        sample.credit_note(),
        sample.consumer_invoice(),
        sample.invoice(buyer=sample.buyer(chorus_pro_service_code="SERV-FIN-01")),
        sample.invoice(
            purchase_order_ref='BC <2026> & "urgent"\tbis',
            lines=(sample.line(1, "R&D > audit\r\nsuite — l'été 😀", "1", "10.00"),),
        ),
    ],
    ids=["invoice", "credit-note", "consumer", "chorus-pro", "escaped"],
)
def test_cii_text_is_what_lxml_serialises(doc: object) -> None:
    """lxml reading the XML and writing it again gives the same bytes."""
    xml = cii_xml(doc)  # type: ignore[arg-type]
    tree = etree.fromstring(xml)
    assert etree.tostring(tree, xml_declaration=True, encoding="UTF-8") == xml


def test_cii_values_read_back_escaped() -> None:
    description = "R&D > audit <b>\r\nsuite"
    xml = cii_xml(sample.invoice(lines=(sample.line(1, description, "1", "10.00"),)))
    ram = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
    assert etree.fromstring(xml).findtext(f".//{ram}SpecifiedTradeProduct/{ram}Name") == (
        description
    )
    assert b"R&amp;D &gt; audit &lt;b&gt;&#13;\nsuite" in xml


def test_cii_refuses_what_xml_cannot_carry() -> None:
    for bad in ("a\x01b", "fin\x1f", "x\ufffe"):
        with pytest.raises(ValueError, match="XML compatible"):
            cii_xml(sample.invoice(purchase_order_ref=bad))


def test_the_attachment_is_compressed() -> None:
    doc = sample.long_invoice(20)
    pdf = opened(build_facturx(doc).data)
    attached = pdf.Root.AF[0].EF.F
    assert attached.Filter == pikepdf.Name.FlateDecode
    raw = attached.read_raw_bytes()
    assert zlib.decompress(raw) == cii_xml(doc) and len(raw) < len(cii_xml(doc)) / 5


def test_a_draft_has_no_facturx() -> None:
    with pytest.raises(UserError, match="brouillon"):
        build_facturx(sample.draft())
