"""The rules that turn answers into agreement, scores and gap flags, against hand-built answers."""

import pytest

from diagnostics.selectors import AGREEMENT_MIN, WEAK_MAX, Flag, Vote, assess

PM, PMM, LEAD, SALES = "pm", "pmm", "leadership", "sales"


def votes(*rows: tuple[str, str, int | None]) -> list[Vote]:
    return [Vote(seat=seat, owner=owner, score=score) for seat, owner, score in rows]


def test_a_responsibility_everyone_agrees_on_and_does_well_has_no_flag():
    result = assess(
        votes((PM, "pmm", 4), (PMM, "pmm", 5), (PMM, "pmm", 4), (LEAD, "pmm", 3)), intended_owner="pmm"
    )
    assert result.agreement == 1.0
    assert result.modal_owner == "pmm"
    assert result.mean_score == 4.0
    assert result.spread == pytest.approx(0.7071, abs=1e-4)
    assert (result.score_min, result.score_max) == (3, 5)
    assert result.flags == []


def test_agreement_is_the_share_of_the_commonest_answer_and_under_60_percent_is_blurred():
    # 2 of 4 say PM: 50 % agree, under the threshold.
    blurred = assess(
        votes((PM, "pm", 3), (PMM, "pm", 3), (PMM, "pmm", 3), (LEAD, "other", 3)), intended_owner="pm"
    )
    assert blurred.agreement == 0.5
    assert blurred.shares == {"pm": 0.5, "pmm": 0.25, "both": 0.0, "nobody": 0.0, "other": 0.25}
    assert Flag.BLURRED in blurred.flags
    # 3 of 5 say PM: exactly 60 % is agreement enough.
    settled = assess(
        votes((PM, "pm", 3), (PMM, "pm", 3), (PMM, "pm", 3), (LEAD, "other", 3), (SALES, "nobody", 3)),
        intended_owner="pm",
    )
    assert settled.agreement == pytest.approx(AGREEMENT_MIN)
    assert Flag.BLURRED not in settled.flags


def test_most_saying_nobody_is_unowned_even_on_a_tie():
    unowned = assess(votes((PM, "nobody", 2), (PMM, "nobody", 3), (LEAD, "pmm", 3)), intended_owner="pmm")
    assert unowned.modal_owner == "nobody"
    assert Flag.UNOWNED in unowned.flags
    tie = assess(votes((PM, "nobody", 3), (PMM, "pmm", 3)), intended_owner="pmm")
    assert Flag.UNOWNED in tie.flags
    assert Flag.BLURRED in tie.flags  # 50 % agree
    owned = assess(votes((PM, "nobody", 3), (PMM, "pmm", 3), (LEAD, "pmm", 3)), intended_owner="pmm")
    assert Flag.UNOWNED not in owned.flags


def test_both_dominating_a_one_sided_responsibility_is_duplicated():
    result = assess(
        votes((PM, "both", 3), (PMM, "both", 3), (PMM, "pmm", 3), (LEAD, "pm", 3)), intended_owner="pm"
    )
    assert result.shares["both"] == 0.5
    assert Flag.DUPLICATED in result.flags
    # On a shared responsibility "both" is what is meant: nothing to flag.
    shared = assess(votes((PM, "both", 3), (PMM, "both", 3), (LEAD, "both", 3)), intended_owner="shared")
    assert shared.flags == []


def test_each_function_claiming_it_is_duplicated_and_blurred():
    result = assess(
        votes((PM, "pm", 3), (PM, "pm", 3), (PMM, "pmm", 3), (PMM, "both", 3)), intended_owner="pm"
    )
    assert result.agreement == 0.5
    assert result.flags == [Flag.BLURRED, Flag.DUPLICATED]
    # The PMMs do not claim it: one side only, no duplication.
    one_side = assess(votes((PM, "pm", 3), (PMM, "pm", 3), (PMM, "nobody", 3)), intended_owner="pm")
    assert Flag.DUPLICATED not in one_side.flags


def test_a_mean_score_of_2_5_or_less_is_weak():
    weak = assess(votes((PM, "pmm", 2), (PMM, "pmm", 3)), intended_owner="pmm")
    assert weak.mean_score == WEAK_MAX
    assert weak.flags == [Flag.WEAK]
    fine = assess(votes((PM, "pmm", 3), (PMM, "pmm", 3)), intended_owner="pmm")
    assert fine.flags == []


def test_half_answered_rows_count_for_what_they_say_and_no_answer_flags_nothing():
    result = assess(votes((PM, "pmm", None), (PMM, "", 1), (LEAD, "pmm", None)), intended_owner="pmm")
    assert (result.owner_answers, result.score_answers) == (2, 1)
    assert result.agreement == 1.0
    assert result.mean_score == 1.0
    assert result.flags == [Flag.WEAK]
    empty = assess([], intended_owner="pm")
    assert empty.agreement is None
    assert empty.mean_score is None
    assert empty.flags == []


def test_every_flag_has_a_label_a_meaning_and_questions_to_settle():
    for kind in Flag.ORDER:
        assert Flag.LABELS[kind]
        assert Flag.MEANINGS[kind]
        assert all(q.endswith("?") for q in Flag.QUESTIONS[kind])
