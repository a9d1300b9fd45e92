"""Every mapped table; importing this package registers them all on ``Base``."""

from desktop.db.models.base import Base
from desktop.db.models.billing import Counter, Invoice, InvoiceLine, Payment
from desktop.db.models.catalogue import CatalogueOption, Plan, Price, ProductLine
from desktop.db.models.collection import DunningEvent, SepaBatch, SepaDebit, SepaMandate
from desktop.db.models.parties import Client, Contact, Provider, StaffUser
from desktop.db.models.quality import Incident, IncidentMailbox, SlaCredit
from desktop.db.models.sales import ContractPrice, Quote, QuoteLine
from desktop.db.models.service import (
    AccessCodeEvent,
    ClientRestriction,
    Contract,
    Domain,
    LifecycleEvent,
    Mailbox,
    SubscribedOption,
)
from desktop.db.models.tracking import AuditLog, OutboxAttachment, OutboxMessage

__all__ = [
    "AccessCodeEvent",
    "AuditLog",
    "Base",
    "CatalogueOption",
    "Client",
    "ClientRestriction",
    "Contact",
    "Contract",
    "ContractPrice",
    "Counter",
    "Domain",
    "DunningEvent",
    "Incident",
    "IncidentMailbox",
    "Invoice",
    "InvoiceLine",
    "LifecycleEvent",
    "Mailbox",
    "OutboxAttachment",
    "OutboxMessage",
    "Payment",
    "Plan",
    "Price",
    "ProductLine",
    "Provider",
    "Quote",
    "QuoteLine",
    "SepaBatch",
    "SepaDebit",
    "SepaMandate",
    "SlaCredit",
    "StaffUser",
    "SubscribedOption",
]
