"""camt.054 notifications: the returned SEPA direct debits, and every bad file refused."""

from __future__ import annotations

import doctest
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain import camt054
from desktop.domain.camt054 import REASONS, ReturnedDebit, parse_camt054, reason_text
from desktop.errors import UserError

FIXTURES = Path(__file__).parent / "fixtures" / "camt054"
V02 = (FIXTURES / "returns_v02.xml").read_bytes()
V08 = (FIXTURES / "returns_v08.xml").read_bytes()
EMPTY_V04 = (FIXTURES / "empty_v04.xml").read_bytes()
UNREADABLE = "Le fichier n'est pas un relevé camt.054 lisible : "


def notification(entries: str, version: str = "02") -> bytes:
    """A camt.054 of the given version holding ``entries`` (``<Ntry>`` elements)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.{version}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-05-04T06:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <CreDtTm>2026-05-04T06:00:00</CreDtTm>
      <Acct><Id><IBAN>FR7630004000031234567890143</IBAN></Id></Acct>
      {entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


def return_entry(
    end_to_end: str = "F2026-000100-D000001",
    amount: str = "42.00",
    currency: str = "EUR",
    reason: str = "<Rsn><Cd>AM04</Cd></Rsn>",
    booking: str = "<BookgDt><Dt>2026-05-04</Dt></BookgDt>",
    reference: str = "<NtryRef>IMP-77</NtryRef>",
) -> str:
    refs = f"<Refs><EndToEndId>{end_to_end}</EndToEndId></Refs>" if end_to_end else ""
    return f"""<Ntry>
      {reference}
      <Amt Ccy="EUR">{amount}</Amt>
      <CdtDbtInd>DBIT</CdtDbtInd>
      <Sts>BOOK</Sts>
      {booking}
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls>
        {refs}
        <AmtDtls><TxAmt><Amt Ccy="{currency}">{amount}</Amt></TxAmt></AmtDtls>
        <RtrInf>{reason}</RtrInf>
      </TxDtls></NtryDtls>
    </Ntry>"""


def refused(data: bytes) -> str:
    with pytest.raises(UserError) as caught:
        parse_camt054(data)
    assert caught.value.__cause__ is None or isinstance(caught.value.__cause__, UserError)
    return caught.value.message


# -- realistic files ------------------------------------------------------------


def test_doctests() -> None:
    result = doctest.testmod(camt054)
    assert result.attempted >= 3
    assert result.failed == 0


def test_version_02_file_lists_the_three_returns_only() -> None:
    assert parse_camt054(V02) == [
        ReturnedDebit(
            end_to_end_id="F2026-000042-D000001",
            amount=Decimal("49.90"),
            reason_code="AM04",
            reason="AM04 – Provision insuffisante",
            booked_on=date(2026, 3, 9),
        ),
        ReturnedDebit(
            end_to_end_id="F2026-000051-D000002",
            amount=Decimal("89.00"),
            reason_code="MD06",
            reason="MD06 – Remboursement demandé par le débiteur",
            booked_on=date(2026, 3, 9),
        ),
        # Reversal indicator, no ISO bank code, amount taken from the entry.
        ReturnedDebit(
            end_to_end_id="F2026-000060-D000001",
            amount=Decimal("120.00"),
            reason_code="AC04",
            reason="AC04 – Compte clôturé",
            booked_on=date(2026, 3, 10),
        ),
    ]


def test_version_08_file_lists_the_three_returns_only() -> None:
    assert parse_camt054(V08) == [
        # BookgDt given as a date-time; TxDtls/Amt of the newer versions.
        ReturnedDebit(
            end_to_end_id="F2026-000042-D000003",
            amount=Decimal("59.99"),
            reason_code="MS02",
            reason="MS02 – Refus du débiteur (motif non communiqué)",
            booked_on=date(2026, 4, 2),
        ),
        # No booking date: the value date; a proprietary reason code, shown as is.
        ReturnedDebit(
            end_to_end_id="F2026-000077-D000001",
            amount=Decimal("15.5"),
            reason_code="ZZ01",
            reason="ZZ01",
            booked_on=date(2026, 4, 3),
        ),
        ReturnedDebit(
            end_to_end_id="F2026-000078-D000001",
            amount=Decimal("25.00"),
            reason_code=None,
            reason="Rejet signalé par la banque",
            booked_on=date(2026, 4, 3),
        ),
    ]


def test_amounts_are_exact_decimals() -> None:
    amounts = [debit.amount for debit in parse_camt054(V02) + parse_camt054(V08)]
    assert all(type(amount) is Decimal for amount in amounts)
    assert sum(amounts) == Decimal("359.39")


def test_empty_notification_has_no_returns() -> None:
    assert parse_camt054(EMPTY_V04) == []
    assert parse_camt054(notification("")) == []


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08", "10"])
def test_every_camt054_version_is_read(version: str) -> None:
    [debit] = parse_camt054(notification(return_entry(), version))
    assert debit.end_to_end_id == "F2026-000100-D000001"
    assert debit.amount == Decimal("42.00")


def test_ordinary_credits_are_not_returns() -> None:
    credits = """
    <Ntry>
      <Amt Ccy="EUR">1250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2026-05-04</Dt></BookgDt>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls><Refs><EndToEndId>F2026-000200-D000001</EndToEndId></Refs></TxDtls>
      <TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls></NtryDtls>
    </Ntry>
    <Ntry>
      <Amt Ccy="USD">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    </Ntry>"""
    assert parse_camt054(notification(credits)) == []
    mixed = parse_camt054(notification(credits + return_entry() + credits))
    assert [debit.end_to_end_id for debit in mixed] == ["F2026-000100-D000001"]


def test_reversal_indicator_alone_marks_a_return() -> None:
    entry = """
    <Ntry>
      <Amt Ccy="EUR">33.30</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
      <Sts>BOOK</Sts><ValDt><Dt>2026-05-06</Dt></ValDt>
      <NtryDtls><TxDtls><Refs><EndToEndId>F2026-000300-D000002</EndToEndId></Refs></TxDtls></NtryDtls>
    </Ntry>"""
    assert parse_camt054(notification(entry)) == [
        ReturnedDebit("F2026-000300-D000002", Decimal("33.30"), None, "Rejet signalé par la banque",
                      date(2026, 5, 6))
    ]  # fmt: skip
    assert parse_camt054(notification(entry.replace("true", "false"))) == []


def test_transaction_level_bank_code_marks_a_return() -> None:
    entry = """
    <Ntry>
      <Amt Ccy="EUR">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
      <NtryDtls><TxDtls>
        <Refs><EndToEndId>E2E-1</EndToEndId></Refs>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
      </TxDtls></NtryDtls>
    </Ntry>"""
    [debit] = parse_camt054(notification(entry))
    assert (debit.end_to_end_id, debit.amount, debit.booked_on) == ("E2E-1", Decimal("10.00"), None)


def test_returned_transfer_is_not_a_returned_debit() -> None:
    entry = return_entry(end_to_end="NOTPROVIDED").replace("IDDT", "ICDT").replace("UPDD", "RRTN")
    assert parse_camt054(notification(entry)) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("<Rsn><Cd>MD01</Cd></Rsn>", ("MD01", "MD01 – Pas de mandat valide")),
        ("<Rsn><Cd> AC01 </Cd></Rsn>", ("AC01", "AC01 – Identifiant de compte incorrect "
                                               "(IBAN invalide)")),
        ("<Rsn><Prtry>FOCR</Prtry></Rsn>", ("FOCR", "FOCR – Retour à la suite d'une demande "
                                                   "d'annulation")),
        ("<Rsn><Cd>XX42</Cd></Rsn>", ("XX42", "XX42")),
        ("<AddtlInf>rejet</AddtlInf>", (None, "Rejet signalé par la banque")),
    ],
)  # fmt: skip
def test_reason(code: str, expected: tuple[str | None, str]) -> None:
    [debit] = parse_camt054(notification(return_entry(reason=code)))
    assert (debit.reason_code, debit.reason) == expected


def test_reason_table_covers_the_usual_sepa_codes() -> None:
    usual = "AC01 AC04 AC06 AG01 AG02 AM04 AM05 BE05 CNOR DNOR FF01 MD01 MD02 MD06 MD07 MS02 MS03 "
    usual += "RC01 RR01 RR02 RR03 RR04 SL01 FOCR DUPL TECH"
    for code in usual.split():
        assert reason_text(code) == f"{code} – {REASONS[code]}"


def test_booking_date_time_and_value_date() -> None:
    booking = "<BookgDt><DtTm>2026-05-07T23:30:00.000-05:00</DtTm></BookgDt>"
    [debit] = parse_camt054(notification(return_entry(booking=booking)))
    assert debit.booked_on == date(2026, 5, 7)
    booking = "<ValDt><Dt>2026-05-08</Dt></ValDt>"
    [debit] = parse_camt054(notification(return_entry(booking=booking)))
    assert debit.booked_on == date(2026, 5, 8)


def test_utf16_file_is_read() -> None:
    data = V08.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_camt054(data) == parse_camt054(V08)


# -- refused files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "words"),
    [
        ("pain.008.001.02", "pain.008.001.02 (ordre de prélèvement)"),
        ("camt.053.001.02", "camt.053.001.02 (relevé de compte)"),
        ("camt.056.001.01", "ISO 20022 camt.056.001.01"),
    ],
)  # fmt: skip
def test_another_iso_message_is_named(namespace: str, words: str) -> None:
    namespace = "urn:iso:std:iso:20022:tech:xsd:" + namespace
    data = f'<?xml version="1.0"?><Document xmlns="{namespace}"><X/></Document>'.encode()
    message = refused(data)
    assert words in message
    assert "pas une notification camt.054" in message


def test_foreign_xml_names_its_root() -> None:
    assert "« facture »" in refused(b"<facture><total>12</total></facture>")
    assert "« Document »" in refused(b"<Document><BkToCstmrDbtCdtNtfctn/></Document>")


def test_camt054_without_notification_body() -> None:
    data = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><Foo/></Document>'
    assert refused(data).startswith(UNREADABLE)


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"\x00\xff\xfe garbage", b"%PDF-1.7\n%\xe2\xe3", b"IBAN;MONTANT\nFR76;12,50\n",
     "é".encode("latin-1"), b"<a>", b"<a></b>"],
)  # fmt: skip
def test_garbage_is_refused(data: bytes) -> None:
    assert refused(data).startswith(UNREADABLE)


def test_truncated_file_is_refused() -> None:
    for cut in (len(V02) // 3, len(V02) // 2, len(V02) - 20):
        assert refused(V02[:cut]).startswith(UNREADABLE)


def test_xxe_entity_is_not_expanded() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY e2e "F2026-1">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn><Ntfctn>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
<NtryDtls><TxDtls><Refs><EndToEndId>&xxe;&e2e;</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""
    message = refused(data)
    assert "DOCTYPE" in message
    assert "root:" not in message


def test_billion_laughs_is_refused_quickly() -> None:
    lol = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE d [{lol}]><d>&a9;</d>'.encode()
    assert "DOCTYPE" in refused(data)


def test_utf16_doctype_is_refused_after_parsing() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE Document [<!ENTITY e2e "F2026-1">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>""".decode().encode("utf-16")
    assert b"<!DOCTYPE" not in data
    assert "DOCTYPE" in refused(data)


def test_external_dtd_is_refused() -> None:
    data = V02.replace(
        b"<Document", b'<!DOCTYPE Document SYSTEM "http://example.invalid/x.dtd">\n<Document', 1
    )
    assert "DOCTYPE" in refused(data)


def test_non_euro_return_is_refused() -> None:
    message = refused(notification(return_entry(currency="CHF")))
    assert "« CHF »" in message and "F2026-000100-D000001" in message


def test_return_amount_without_currency_is_refused() -> None:
    data = notification(return_entry()).replace(
        b'<Amt Ccy="EUR">42.00</Amt></TxAmt>', b"<Amt>42.00</Amt></TxAmt>"
    )
    assert "EUR" in refused(data)  # fmt: skip


@pytest.mark.parametrize("amount", ["12,50", "-3.00", "1e3", "NaN", "", "0.00", "12.123456", "١٢"])
def test_unreadable_amount_is_refused(amount: str) -> None:
    message = refused(notification(return_entry(amount=amount)))
    assert "F2026-000100-D000001" in message
    assert "montant" in message.lower()


@pytest.mark.parametrize("end_to_end", ["", "NOTPROVIDED", "notprovided", "   "])
def test_return_without_end_to_end_id_is_refused(end_to_end: str) -> None:
    message = refused(notification(return_entry(end_to_end=end_to_end)))
    assert "EndToEndId" in message and "« IMP-77 »" in message


def test_return_without_details_names_the_entry() -> None:
    entry = """<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
      <AcctSvcrRef>BQ-998877</AcctSvcrRef></Ntry>"""
    assert "« BQ-998877 »" in refused(notification(entry))
    assert "n° 1" in refused(notification(return_entry(reference="", end_to_end="NOTPROVIDED")))


def test_batch_return_without_own_amount_is_refused() -> None:
    entry = """<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
      <NtryDtls><TxDtls><Refs><EndToEndId>A-1</EndToEndId></Refs></TxDtls>
      <TxDtls><Refs><EndToEndId>A-2</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>"""
    assert "« A-1 »" in refused(notification(entry))


@pytest.mark.parametrize("day", ["2026-02-30", "04/05/2026", "demain"])
def test_invalid_date_is_refused(day: str) -> None:
    booking = f"<BookgDt><Dt>{day}</Dt></BookgDt>"
    assert "date" in refused(notification(return_entry(booking=booking)))


def test_one_bad_return_refuses_the_whole_file() -> None:
    data = notification(return_entry() + return_entry(end_to_end="B-2", currency="USD"))
    refused(data)


# -- fuzzing: a UserError or a list, never anything else ------------------------


def parse_or_refuse(data: bytes) -> None:
    try:
        result = parse_camt054(data)
    except UserError as error:
        assert error.message
        return
    assert isinstance(result, list)
    for debit in result:
        assert isinstance(debit, ReturnedDebit)
        assert debit.end_to_end_id and debit.amount > 0


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = [V02, V08, EMPTY_V04, notification(return_entry())]


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    parse_or_refuse(data)


@FUZZ
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 8), st.binary(max_size=8)),
        min_size=1,
        max_size=6,
    ),
)
def test_fuzz_mutated_valid_files(base: bytes, edits: list[tuple[float, int, bytes]]) -> None:
    data = bytearray(base)
    for where, remove, insert in edits:
        at = int(where * len(data))
        data[at : at + remove] = insert
    parse_or_refuse(bytes(data))


@FUZZ
@given(
    st.sampled_from(VALID),
    st.floats(0, 1, exclude_max=True),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30),
)
def test_fuzz_replaced_element_text(base: bytes, where: float, text: str) -> None:
    """Well-formed files with one element value replaced: deeper paths than byte noise."""
    source = base.decode()
    starts = [i for i, char in enumerate(source) if char == ">" and source[i + 1 : i + 2] != "<"]
    at = starts[int(where * len(starts))] + 1
    end = source.find("<", at)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    parse_or_refuse((source[:at] + escaped + source[end:]).encode())
