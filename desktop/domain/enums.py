"""The closed vocabularies of the business, with their French labels.

Values are stored as-is in the database (short English codes); labels are
what users read. Adding a value needs a migration (CHECK constraints).
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a French label."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class ClientKind(LabelledEnum):
    BUSINESS = "business", "Entreprise"
    PUBLIC_BODY = "public_body", "Organisme public"
    CONSUMER = "consumer", "Particulier"


class ClientStatus(LabelledEnum):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Actif"
    SUSPENDED = "suspended", "Suspendu"
    TERMINATED = "terminated", "Résilié"
    ANONYMISED = "anonymised", "Anonymisé"


class ContactRole(LabelledEnum):
    ADMINISTRATOR = "administrator", "Administrateur"
    BILLING = "billing", "Facturation"
    TECHNICAL = "technical", "Technique"


class StaffRole(LabelledEnum):
    ADMIN = "admin", "Administrateur"
    BILLING = "billing", "Facturation"
    SUPPORT = "support", "Support"
    READ_ONLY = "read_only", "Lecture"


class ProductLineCode(LabelledEnum):
    HOSTED_EXCHANGE = "HOSTED_EXCHANGE", "Hosted Exchange"
    OFFICE_365 = "OFFICE_365", "Office 365"


class MailboxKind(LabelledEnum):
    USER = "user", "Utilisateur"
    SHARED = "shared", "Partagée"
    ROOM = "room", "Salle"
    EQUIPMENT = "equipment", "Équipement"


class MailboxStatus(LabelledEnum):
    REQUESTED = "requested", "Demandée"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspendue"
    NON_RENEWAL_REQUESTED = "non_renewal_requested", "Non-renouvellement demandé"
    TERMINATED = "terminated", "Résiliée"
    DELETED = "deleted", "Supprimée"


class ContractStatus(LabelledEnum):
    PENDING = "pending", "En attente d'activation"
    ACTIVE = "active", "Actif"
    SUSPENDED = "suspended", "Suspendu"
    TERMINATED = "terminated", "Résilié"
    CANCELLED = "cancelled", "Annulé"


class PaymentMethod(LabelledEnum):
    TRANSFER = "transfer", "Virement"
    CHEQUE = "cheque", "Chèque"
    ADMINISTRATIVE_MANDATE = "administrative_mandate", "Mandat administratif"
    SEPA_DEBIT = "sepa_debit", "Prélèvement SEPA"


class OptionBilling(LabelledEnum):
    PER_ACT = "per_act", "À l'acte"
    MONTHLY = "monthly", "Mensuelle"
    YEARLY = "yearly", "Annuelle"


class OptionCategory(LabelledEnum):
    OPTION = "option", "Option"
    INITIAL_FEE = "initial_fee", "Frais de mise en service"
    SERVICE = "service", "Prestation"


class DnsStatus(LabelledEnum):
    UNKNOWN = "unknown", "Non vérifié"
    PENDING = "pending", "En attente"
    OK = "ok", "Conforme"
    ERROR = "error", "En erreur"


class QuoteStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyé"
    ACCEPTED = "accepted", "Accepté"
    REFUSED = "refused", "Refusé"
    EXPIRED = "expired", "Expiré"


class InvoiceKind(LabelledEnum):
    INVOICE = "invoice", "Facture"
    CREDIT_NOTE = "credit_note", "Avoir"


class InvoiceStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    ISSUED = "issued", "Émise"
    PARTLY_PAID = "partly_paid", "Partiellement payée"
    PAID = "paid", "Payée"
    CANCELLED = "cancelled", "Annulée"


class InvoiceLineKind(LabelledEnum):
    SUBSCRIPTION = "subscription", "Abonnement"
    USAGE = "usage", "Consommation"
    INITIAL_FEE = "initial_fee", "Frais de mise en service"
    OPTION = "option", "Option"
    SERVICE = "service", "Prestation"
    CREDIT = "credit", "Avoir"


class MandateStatus(LabelledEnum):
    ACTIVE = "active", "Actif"
    REVOKED = "revoked", "Révoqué"
    LAPSED = "lapsed", "Caduc"


class SequenceType(LabelledEnum):
    FRST = "FRST", "Premier prélèvement"
    RCUR = "RCUR", "Prélèvement récurrent"
    FNAL = "FNAL", "Dernier prélèvement"
    OOFF = "OOFF", "Prélèvement ponctuel"


class DebitStatus(LabelledEnum):
    PENDING = "pending", "À envoyer"
    SENT = "sent", "Envoyé"
    COLLECTED = "collected", "Encaissé"
    REJECTED = "rejected", "Rejeté"


class DunningStage(LabelledEnum):
    REMINDER = "reminder", "Relance"
    SUSPENSION = "suspension", "Suspension"
    DELETION = "deletion", "Suppression"
    STOPPED = "stopped", "Arrêtée"


class IncidentChannel(LabelledEnum):
    EMAIL = "email", "E-mail"
    WEBSITE = "website", "Site web"
    PHONE = "phone", "Téléphone"
    DETECTED = "detected", "Détecté par le prestataire"


class IncidentStatus(LabelledEnum):
    OPEN = "open", "Ouvert"
    RESTORED = "restored", "Rétabli"
    CLOSED = "closed", "Clos"


class ExcusableCategory(LabelledEnum):
    """Events that give no SLA credit (O365 §3, i to vi)."""

    THIRD_PARTY = "i", "Équipement ou service non fourni par le prestataire"
    CLIENT_ACT = "ii", "Fait ou omission du client"
    PLANNED_MAINTENANCE = "iii", "Maintenance planifiée"
    EXCESS_TRAFFIC = "iv", "Trafic au-delà de la capacité du service"
    TELECOM_OPERATOR = "v", "Opérateur de télécommunications"
    CLIENT_UNAVAILABLE = "vi", "Indisponibilité ou refus de coopérer du client"


class AccessCodeAction(LabelledEnum):
    ISSUED = "issued", "Émis"
    DEACTIVATED = "deactivated", "Désactivé"
    REPLACED = "replaced", "Remplacé"


class LifecycleKind(LabelledEnum):
    STATUS = "status", "Changement d'état"
    ANTISPAM = "antispam", "Anti-spam"
    ADMIN_CERTIFICATION = "admin_certification", "Certification d'administration du domaine"
    RENEWAL_FLOOR_EXCEPTION = "renewal_floor_exception", "Dérogation au plancher de renouvellement"
    BILLING_OVERRIDE = "billing_override", "Période de facturation raccourcie"
    RENEWAL = "renewal", "Renouvellement"


class RestrictionKind(LabelledEnum):
    """Measures of HE §7, kept apart from dunning suspensions."""

    RATE_LIMIT = "rate_limit", "Limitation du débit"
    MESSAGE_LIMIT = "message_limit", "Limitation du nombre de messages"
    NETWORK_BLOCK = "network_block", "Blocage de réseaux ou d'adresses"
    SUSPENSION = "suspension", "Suspension pour motif"


class RestrictionReason(LabelledEnum):
    ABUSE = "abuse", "Abus"
    SPAM = "spam", "Spam"
    NON_COMPLIANCE = "non_compliance", "Non-respect des conditions"
    AUTHORITY_REQUEST = "authority_request", "Demande d'une autorité"


class AuditAction(LabelledEnum):
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    TRANSITION = "transition", "Changement d'état"


class OutboxStatus(LabelledEnum):
    PENDING = "pending", "À envoyer"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "En échec"
