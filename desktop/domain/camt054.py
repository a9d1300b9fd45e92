"""Returned SEPA direct debits read from a bank's camt.054 notification.

The bank tells the creditor about its R-transactions (reject, return, refund)
in an ISO 20022 *BankToCustomerDebitCreditNotification* (``camt.054.001.02``
to ``.08``). Each returned debit is one ``TxDtls`` of an entry (``Ntry``):

``Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry/NtryDtls/TxDtls``

and carries the original ``Refs/EndToEndId`` of our pain.008, the returned
amount and, in ``RtrInf/Rsn``, the ISO reason code. This module only reads the
file: no database, no Qt. Anything it cannot read with certainty is refused as
a whole with a :class:`~desktop.errors.UserError`, so that no invoice is ever
marked unpaid from half a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from desktop.errors import UserError

CAMT054_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.054.001."
"""Every version of camt.054 (``.02`` … ``.08`` and later) lives under this prefix."""

_ISO_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"

DIRECT_DEBIT_FAMILIES = frozenset({"IDDT", "RDDT"})
"""Bank transaction families of direct debits: issued (creditor) and received (debtor)."""

RETURN_SUBFAMILIES = frozenset({"UPDD", "PRDD", "RCDD"})
"""Sub-families that reverse a direct debit: unpaid/returned, reversal, cancellation."""

NOT_PROVIDED = "NOTPROVIDED"
NO_REASON = "Rejet signalé par la banque"

REASONS: dict[str, str] = {
    "AC01": "Identifiant de compte incorrect (IBAN invalide)",
    "AC04": "Compte clôturé",
    "AC06": "Compte bloqué",
    "AC13": "Compte de consommateur : prélèvement interentreprises impossible",
    "AG01": "Opération interdite sur ce type de compte",
    "AG02": "Code opération ou format de fichier invalide",
    "AM04": "Provision insuffisante",
    "AM05": "Prélèvement en double",
    "BE05": "Identifiant du créancier incorrect",
    "CNOR": "Banque du créancier non joignable",
    "CUST": "Demande du débiteur",
    "DNOR": "Banque du débiteur non joignable",
    "DUPL": "Prélèvement en double",
    "FF01": "Format de fichier invalide",
    "FOCR": "Retour à la suite d'une demande d'annulation",
    "MD01": "Pas de mandat valide",
    "MD02": "Données du mandat manquantes ou erronées",
    "MD06": "Remboursement demandé par le débiteur",
    "MD07": "Débiteur décédé",
    "MS02": "Refus du débiteur (motif non communiqué)",
    "MS03": "Motif non communiqué par la banque",
    "NARR": "Motif précisé en texte libre",
    "RC01": "Code BIC incorrect",
    "RR01": "Compte ou identité du débiteur manquant (motif réglementaire)",
    "RR02": "Nom ou adresse du débiteur manquant (motif réglementaire)",
    "RR03": "Nom ou adresse du créancier manquant (motif réglementaire)",
    "RR04": "Motif réglementaire",
    "SL01": "Service particulier de la banque du débiteur (filtrage des prélèvements)",
    "TECH": "Problème technique",
}
"""The usual SEPA R-transaction reason codes, in French."""

_KNOWN_MESSAGES = {
    "camt.052": "relevé intrajournalier",
    "camt.053": "relevé de compte",
    "pain.001": "ordre de virement",
    "pain.002": "rapport de statut",
    "pain.008": "ordre de prélèvement",
    "pacs.002": "rapport de statut interbancaire",
    "pacs.003": "prélèvement interbancaire",
    "pacs.004": "retour interbancaire",
}

_AMOUNT = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,5})?")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T+Z-].*)?", re.DOTALL)
_UNREADABLE = "Le fichier n'est pas un relevé camt.054 lisible : "
_DOCTYPE_REFUSED = (
    _UNREADABLE + "il contient une déclaration DOCTYPE, refusée par sécurité "
    "(une notification bancaire n'en a jamais)."
)


@dataclass(frozen=True)
class ReturnedDebit:
    """One direct debit that the bank rejected, returned or refunded."""

    end_to_end_id: str
    """The EndToEndId of the debit in our pain.008 (``NtryDtls/TxDtls/Refs/EndToEndId``)."""
    amount: Decimal
    """The returned amount, in euros, exactly as written by the bank (positive)."""
    reason_code: str | None
    """The ISO reason code (``RtrInf/Rsn/Cd``) or the bank's own (``Prtry``)."""
    reason: str
    """The reason in French, ``"AM04 – Provision insuffisante"``."""
    booked_on: date | None
    """The booking date of the entry, else its value date."""


def reason_text(code: str | None) -> str:
    """The reason shown to the user for a reason code.

    >>> reason_text("AM04")
    'AM04 – Provision insuffisante'
    >>> reason_text("ZZ99")
    'ZZ99'
    >>> reason_text(None)
    'Rejet signalé par la banque'
    """
    if not code:
        return NO_REASON
    label = REASONS.get(code)
    return f"{code} – {label}" if label else code


def parse_camt054(data: bytes) -> list[ReturnedDebit]:
    """The returned direct debits of a camt.054 notification, in file order.

    Raises :class:`UserError` (in French) when the file is not a readable
    camt.054, or when a return in it cannot be matched with certainty
    (no end-to-end id, an amount that is not in euros or not a number…).
    """
    root = _parse_xml(data)
    ns = _camt054_namespace(root)
    reader = _Reader(ns)
    body = root.find(reader.path("BkToCstmrDbtCdtNtfctn"))
    if body is None:
        raise UserError(_UNREADABLE + "l'élément BkToCstmrDbtCdtNtfctn est absent.")
    returns: list[ReturnedDebit] = []
    number = 0
    for notification in body.iterfind(reader.path("Ntfctn")):
        for entry in notification.iterfind(reader.path("Ntry")):
            number += 1
            returns.extend(reader.entry_returns(entry, number))
    return returns


def _parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``, parsed without DTD, entities or network."""
    data = bytes(data)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UserError(_DOCTYPE_REFUSED)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise UserError(_UNREADABLE + _syntax_detail(error)) from None
    except (etree.LxmlError, ValueError, TypeError):
        raise UserError(_UNREADABLE + "ce n'est pas du XML.") from None
    if root is None:
        raise UserError(_UNREADABLE + "le fichier est vide.")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise UserError(_DOCTYPE_REFUSED)
    if next(root.iter(etree.Entity), None) is not None:
        raise UserError(_UNREADABLE + "il contient des entités XML, refusées par sécurité.")
    return root


def _syntax_detail(error: etree.XMLSyntaxError) -> str:
    line = error.lineno
    where = f" (ligne {line})" if isinstance(line, int) and line > 0 else ""
    return f"XML invalide ou tronqué{where}."


def _camt054_namespace(root: etree._Element) -> str:
    """The camt.054 namespace of ``root``, or a UserError naming what the file is."""
    tag = root.tag
    if not isinstance(tag, str):  # pragma: no cover - comments and PIs are removed
        raise UserError(_UNREADABLE + "aucun élément racine.")
    qname = etree.QName(tag)
    ns = qname.namespace or ""
    if ns.startswith(CAMT054_NS_PREFIX) and qname.localname == "Document":
        return ns
    if ns.startswith(_ISO_NS_PREFIX):
        message = ns[len(_ISO_NS_PREFIX) :]
        label = _KNOWN_MESSAGES.get(message[:8])
        what = f"un message {message} ({label})" if label else f"un message ISO 20022 {message}"
        raise UserError(
            f"Ce fichier est {what}, pas une notification camt.054 des prélèvements rejetés."
        )
    raise UserError(
        "Ce fichier XML n'est pas une notification camt.054 "
        f"(élément racine « {qname.localname} »)."
    )


class _Reader:
    """Reads entries of one camt.054 version (its namespace)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{step}" for step in path.split("/"))

    def find(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self.path(path))

    def text(self, element: etree._Element, path: str) -> str | None:
        """The stripped text at ``path`` below ``element``; None when absent or blank."""
        found = element.find(self.path(path))
        if found is None:
            return None
        text = "".join(found.itertext()).strip()
        return text or None

    # -- what makes a return -------------------------------------------------

    def _bank_code(self, element: etree._Element) -> tuple[str | None, str | None, str | None]:
        """(Domn/Cd, Fmly/Cd, SubFmlyCd) of the BkTxCd directly below ``element``."""
        domain = self.find(element, "BkTxCd/Domn")
        if domain is None:
            return None, None, None
        return (
            self.text(domain, "Cd"),
            self.text(domain, "Fmly/Cd"),
            self.text(domain, "Fmly/SubFmlyCd"),
        )

    def _is_return_code(self, code: tuple[str | None, str | None, str | None]) -> bool:
        domain, family, subfamily = code
        return (
            domain == "PMNT" and family in DIRECT_DEBIT_FAMILIES and subfamily in RETURN_SUBFAMILIES
        )

    @staticmethod
    def _is_other_payment(code: tuple[str | None, str | None, str | None]) -> bool:
        """True when the ISO code says the entry is something else than a direct debit
        (a returned transfer, a card payment…): its RtrInf or reversal is not ours."""
        domain, family, _ = code
        if domain is None or family is None:
            return False
        return domain != "PMNT" or family not in DIRECT_DEBIT_FAMILIES

    def entry_returns(self, entry: etree._Element, number: int) -> list[ReturnedDebit]:
        entry_code = self._bank_code(entry)
        reversal = (self.text(entry, "RvslInd") or "").lower() in {"true", "1"}
        entry_flag = self._is_return_code(entry_code) or reversal
        transactions = entry.findall(self.path("NtryDtls/TxDtls"))
        # Version .01 batches: NtryDtls/Btch has no TxDtls of its own; nothing else to read.
        returns: list[ReturnedDebit] = []
        if not transactions:
            if entry_flag and not self._is_other_payment(entry_code):
                raise UserError(
                    f"Le rejet de l'écriture {self._entry_name(entry, number)} "
                    "n'indique pas la référence de bout en bout (EndToEndId) du prélèvement : "
                    "impossible de retrouver la facture. Demandez le détail à la banque."
                )
            return returns
        for transaction in transactions:
            tx_code = self._bank_code(transaction)
            code = tx_code if tx_code[0] is not None else entry_code
            has_return_info = self.find(transaction, "RtrInf") is not None
            flagged = entry_flag or self._is_return_code(tx_code) or has_return_info
            if not flagged or self._is_other_payment(code):
                continue
            returns.append(self._returned_debit(entry, transaction, len(transactions), number))
        return returns

    # -- reading one return ----------------------------------------------------

    def _entry_name(self, entry: etree._Element, number: int) -> str:
        for path in ("NtryRef", "AcctSvcrRef"):
            reference = self.text(entry, path)
            if reference:
                return f"« {reference} »"
        for transaction in entry.iterfind(self.path("NtryDtls/TxDtls")):
            for path in ("Refs/AcctSvcrRef", "Refs/TxId", "Refs/InstrId"):
                reference = self.text(transaction, path)
                if reference:
                    return f"« {reference} »"
        return f"n° {number}"

    def _returned_debit(
        self, entry: etree._Element, transaction: etree._Element, count: int, number: int
    ) -> ReturnedDebit:
        name = self._entry_name(entry, number)
        end_to_end = self.text(transaction, "Refs/EndToEndId")
        if end_to_end is None or end_to_end.upper() == NOT_PROVIDED:
            raise UserError(
                f"Un prélèvement rejeté de l'écriture {name} n'indique pas sa référence "
                "de bout en bout (EndToEndId) : impossible de retrouver la facture. "
                "Demandez le détail à la banque."
            )
        amount_element = self.find(transaction, "AmtDtls/TxAmt/Amt")
        if amount_element is None:
            amount_element = self.find(transaction, "Amt")
        if amount_element is None and count == 1:
            amount_element = self.find(entry, "Amt")
        if amount_element is None:
            raise UserError(
                f"Le prélèvement rejeté « {end_to_end} » (écriture {name}) n'a pas de montant."
            )
        code = self.text(transaction, "RtrInf/Rsn/Cd") or self.text(transaction, "RtrInf/Rsn/Prtry")
        return ReturnedDebit(
            end_to_end_id=end_to_end,
            amount=_euros(amount_element, end_to_end),
            reason_code=code,
            reason=reason_text(code),
            booked_on=self._booked_on(entry, end_to_end),
        )

    def _booked_on(self, entry: etree._Element, end_to_end: str) -> date | None:
        for kind in ("BookgDt", "ValDt"):
            text = self.text(entry, f"{kind}/Dt") or self.text(entry, f"{kind}/DtTm")
            if text is None:
                continue
            match = _DATE.fullmatch(text)
            try:
                if match is None:
                    raise ValueError(text)
                return date.fromisoformat(match.group(1))
            except ValueError:
                raise UserError(
                    f"La date « {_short(text)} » du prélèvement rejeté « {end_to_end} » "
                    "n'est pas une date valide."
                ) from None
        return None


def _euros(element: etree._Element, end_to_end: str) -> Decimal:
    """The positive euro amount written in ``element`` (``<Amt Ccy="EUR">12.50</Amt>``)."""
    currency = (element.get("Ccy") or "").strip()
    text = "".join(element.itertext()).strip()
    if currency != "EUR":
        shown = f"« {_short(currency)} »" if currency else "non précisée"
        raise UserError(
            f"Le prélèvement rejeté « {end_to_end} » est en devise {shown} : "
            "seuls les prélèvements en euros (EUR) sont pris en charge."
        )
    try:
        if not _AMOUNT.fullmatch(text):
            raise InvalidOperation(text)
        amount = Decimal(text)
    except InvalidOperation:
        raise UserError(
            f"Le montant « {_short(text)} » du prélèvement rejeté « {end_to_end} » "
            "n'est pas un montant valide."
        ) from None
    if amount <= 0:
        raise UserError(
            f"Le montant du prélèvement rejeté « {end_to_end} » est nul : fichier incohérent."
        )
    return amount


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
