"""camt.054 notifications of returned direct debits, as a bank would send them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

Return = tuple[str, Decimal, str, date]
"""(end-to-end id, amount, ISO reason code, booking date)."""


def _transaction(end_to_end_id: str, amount: Decimal, code: str) -> str:
    return f"""
          <TxDtls>
            <Refs><EndToEndId>{end_to_end_id}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
            <RtrInf><Rsn><Cd>{code}</Cd></Rsn></RtrInf>
          </TxDtls>"""


def _entry(item: Return) -> str:
    end_to_end_id, amount, code, booked = item
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{booked.isoformat()}</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd>
          <Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>{_transaction(end_to_end_id, amount, code)}
        </NtryDtls>
      </Ntry>"""


def returns_notification(returns: Sequence[Return]) -> bytes:
    """A camt.054.001.02 notification listing ``returns``, one entry each."""
    entries = "".join(_entry(item) for item in returns)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>NTF-TEST-1</MsgId><CreDtTm>2026-01-26T06:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-TEST-1</Id>
      <CreDtTm>2026-01-26T06:00:00</CreDtTm>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>{entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()
