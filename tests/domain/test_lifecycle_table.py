"""The mailbox lifecycle: every allowed move, every other refused in French."""

from __future__ import annotations

import itertools

import pytest

from desktop.domain.enums import MailboxStatus
from desktop.domain.lifecycle import TRANSITIONS, TransitionRefused, check_transition

S = MailboxStatus

ALLOWED = {
    (S.REQUESTED, S.ACTIVE),
    (S.REQUESTED, S.TERMINATED),
    (S.ACTIVE, S.SUSPENDED),
    (S.ACTIVE, S.NON_RENEWAL_REQUESTED),
    (S.ACTIVE, S.TERMINATED),
    (S.SUSPENDED, S.ACTIVE),
    (S.SUSPENDED, S.NON_RENEWAL_REQUESTED),
    (S.SUSPENDED, S.TERMINATED),
    (S.NON_RENEWAL_REQUESTED, S.ACTIVE),
    (S.NON_RENEWAL_REQUESTED, S.SUSPENDED),
    (S.NON_RENEWAL_REQUESTED, S.TERMINATED),
    (S.TERMINATED, S.DELETED),
}


def test_the_table_is_exactly_the_documented_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_moves_pass(current: MailboxStatus, target: MailboxStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in itertools.product(S, S) if pair not in ALLOWED],
)
def test_every_other_move_is_refused(current: MailboxStatus, target: MailboxStatus) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(current, target)
    assert f"« {current.label} »" in refused.value.message


def test_the_message_names_the_possible_moves() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(S.ACTIVE, S.DELETED)
    assert refused.value.message == (
        "Passage impossible de l'état « Active » à l'état « Supprimée » ; depuis cet état, "
        "seuls ces passages sont possibles : « Suspendue », « Non-renouvellement demandé », "
        "« Résiliée »."
    )
    with pytest.raises(TransitionRefused, match="une boîte supprimée ne change plus"):
        check_transition(S.DELETED, S.ACTIVE)
    with pytest.raises(TransitionRefused, match="déjà à l'état « Suspendue »"):
        check_transition(S.SUSPENDED, S.SUSPENDED)
