"""The mailbox (account) lifecycle as an explicit state machine (business rules §3).

requested → active ⇄ suspended → non-renewal requested → terminated → deleted,
plus the few side doors the contract allows: a request cancelled before the
service opens, a non-renewal request withdrawn before the period ends, an
account stopped early (termination with its fee, or deletion after unpaid
invoices), and the suspension of every account of a client (dunning, HE §7).
"""

from __future__ import annotations

from desktop.domain.enums import ClientStatus, ContractStatus, MailboxStatus
from desktop.errors import UserError

S = MailboxStatus

TRANSITIONS: dict[MailboxStatus, frozenset[MailboxStatus]] = {
    S.REQUESTED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.NON_RENEWAL_REQUESTED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.NON_RENEWAL_REQUESTED, S.TERMINATED}),
    S.NON_RENEWAL_REQUESTED: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.TERMINATED: frozenset({S.DELETED}),
    S.DELETED: frozenset(),
}
"""Every allowed move; anything else is refused."""

RUNNING = frozenset({S.ACTIVE, S.SUSPENDED, S.NON_RENEWAL_REQUESTED})
CLOSED_CONTRACTS = frozenset({ContractStatus.TERMINATED, ContractStatus.CANCELLED})
"""Contracts that no longer change nor take new accounts."""
CLOSED_CLIENTS = frozenset({ClientStatus.TERMINATED, ClientStatus.ANONYMISED})
"""Clients that take no new contract nor access code."""
"""Accounts under contract: counted for renewals, billed, renewed at the anniversary."""

ACTION_LABELS: dict[MailboxStatus, str] = {
    S.ACTIVE: "Activer",
    S.SUSPENDED: "Suspendre",
    S.NON_RENEWAL_REQUESTED: "Demander le non-renouvellement",
    S.TERMINATED: "Résilier",
    S.DELETED: "Supprimer les données",
}
"""What the user clicks to move an account to each status."""


class TransitionRefused(UserError):
    """A move the lifecycle does not allow; the message says which ones are."""


def allowed_targets(current: MailboxStatus) -> frozenset[MailboxStatus]:
    return TRANSITIONS[current]


def check_transition(current: MailboxStatus, target: MailboxStatus) -> None:
    """Refuse, in French, a move the lifecycle does not allow."""
    if target in TRANSITIONS[current]:
        return
    head = (
        f"Passage impossible de l'état « {current.label} » à l'état « {target.label} »"
        if current is not target
        else f"La boîte aux lettres est déjà à l'état « {current.label} »"
    )
    targets = sorted(TRANSITIONS[current], key=list(S).index)
    if not targets:
        raise TransitionRefused(f"{head} : une boîte supprimée ne change plus d'état.")
    choices = ", ".join(f"« {t.label} »" for t in targets)
    raise TransitionRefused(
        f"{head} ; depuis cet état, seuls ces passages sont possibles : {choices}."
    )
