from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from tests.corpus.semantic_corpus import (
    AGREEMENT_KINDS,
    CONTRADICTION_KINDS,
    describe,
    evaluate,
    load_pairs,
    similarity_baseline,
)
from trust.antonyms import PAIR_COUNT, opposites
from trust.semantic import ContradictionClassifier, Judgement, NliResponseError

CLASSIFIER = ContradictionClassifier()


def judge(a: str, b: str) -> Judgement:
    return CLASSIFIER.judge(a, b)


def assert_clash(a: str, b: str, rule: str, *quoted: str) -> Judgement:
    result = judge(a, b)
    assert result.contradicts, result
    assert result.rule == rule, result
    assert 0.0 < result.score <= 1.0
    for text in quoted:
        assert text in result.reason, result
    return result


def assert_no_clash(a: str, b: str) -> Judgement:
    result = judge(a, b)
    assert not result.contradicts, result
    assert result.rule == "none"
    assert result.score == 0.0
    return result


# ------------------------------------------------------------------------------ negation


@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        ("The Tern cart supports charging.", "The Tern cart does not support charging.", "not"),
        ("The plant is certified to ISO 9001.", "The plant isn't certified to ISO 9001.", "not"),
        ("Acme has a hub in Gdańsk.", "Acme doesn't have a hub in Gdańsk.", "not"),
        ("The gripper can lift bags.", "The gripper cannot lift bags.", "not"),
        ("The gripper can lift bags.", "The gripper can’t lift bags.", "not"),  # noqa: RUF001
        ("Acme will ship the arm.", "Acme won't ship the arm.", "not"),
        ("Graz operates a bike scheme.", "Graz has never operated a bike scheme.", "never"),
        ("Ghent charges a tourist tax.", "Ghent no longer charges a tourist tax.", "no longer"),
        ("The audit found irregularities.", "The audit found no irregularities.", "no"),
        ("Emails are stored with encryption.", "Emails are stored without encryption.", "without"),
        ("The update fixes the bug.", "The update fails to fix the bug.", "fails to"),
        ("The dataset has a licence.", "The dataset lacks a licence.", "lacks"),
        ("The warranty covers batteries.", "Batteries are not covered by the warranty.", "not"),
    ],
)
def test_negation_mismatch_is_a_contradiction(a: str, b: str, cue: str) -> None:
    result = assert_clash(a, b, "negation", f'"{cue} ')
    assert judge(b, a).rule == "negation"  # either order
    assert result.reason.startswith('B says "')


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # both texts negate the predicate
        ("The hub does not open on Sundays.", "The hub is not open on Sundays."),
        # double negation asserts
        ("It is not true that Acme never exported robots.", "Acme exported robots."),
        ("The report is not without errors.", "The report has errors."),
        # "not only X" asserts X
        ("Acme not only builds robots but also sells them.", "Acme builds robots."),
        # negated in one text, but of another object
        ("The report is not available in French.", "The report is available in German."),
        ("Helena Marsh is not the CEO of Northwind.", "Helena Marsh is the CEO of Acme."),
        # different people
        ("Helena Marsh is a board member.", "Tobias Wren is not a board member."),
        # different times
        ("Graz ran a bike scheme in 2019.", "Graz did not run a bike scheme in 2023."),
    ],
)
def test_negation_guards(a: str, b: str) -> None:
    assert_no_clash(a, b)


def test_sentential_negation_without_inner_cue_negates_the_claim() -> None:
    assert_clash("It is not true that Acme exported robots.", "Acme exported robots.", "negation")


# ------------------------------------------------------------------------------- antonym


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bob loves pizza.", "Bob hates pizza."),
        ("Bob loved pizza.", "Bob hated pizza."),
        ("Bob is loving the pizza.", "Bob is hating the pizza."),
        ("Revenue rose in 2025.", "Revenue declined in 2025."),
        ("The board approved the merger.", "The board rejected the merger."),
        ("The dataset is public.", "The dataset is confidential."),
        ("Reviewers rated the paper positively.", "Reviewers rated the paper negatively."),
        ("The backup did not fail.", "The backup did not succeed."),  # both negated
        ("The Tern cart was Acme's first product.", "The Tern cart was Acme's last product."),
    ],
)
def test_opposite_words_are_a_contradiction(a: str, b: str) -> None:
    assert_clash(a, b, "antonym")


def test_antonym_reason_quotes_both_words() -> None:
    assert_clash("Bob loves pizza.", "Bob hates pizza.", "antonym", '"loves"', '"hates"')


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a negated antonym is a paraphrase
        ("The backup did not fail.", "The backup succeeded."),
        ("Contractors are not excluded.", "Contractors are included."),
        ("The hub is not closed on Saturdays.", "The hub is open on Saturdays."),
        # different subjects with opposite opinions or states
        ("Bob loves pizza.", "Alice hates pizza."),
        ("The API is enabled for admins.", "The API is disabled for guests."),
        # the contrast is inside one text
        ("Sales in Lyon rose while sales in Porto fell.", "Sales in Lyon rose."),
        # different periods, different times of day
        ("Revenue rose in 2024.", "Revenue fell in 2025."),
        ("The hub opens at 8:00.", "The hub closes at 18:00."),
        ("The hub was closed in August 2024.", "The hub is open today."),
        # a qualifier antonym with values names two things
        ("The first version shipped in 2012.", "The last version shipped in 2019."),
        ("42% preferred the new layout.", "17% preferred the old layout."),
    ],
)
def test_antonym_guards(a: str, b: str) -> None:
    assert_no_clash(a, b)


REQUIRED_PAIRS = [
    ("loves", "hates"), ("likes", "dislikes"), ("increased", "decreased"), ("rose", "fell"),
    ("open", "closed"), ("approved", "rejected"), ("accepted", "rejected"), ("alive", "dead"),
    ("true", "false"), ("allowed", "forbidden"), ("included", "excluded"),
    ("public", "private"), ("online", "offline"), ("active", "inactive"),
    ("enabled", "disabled"), ("succeeded", "failed"), ("won", "lost"), ("above", "below"),
    ("before", "after"), ("minimum", "maximum"), ("first", "last"), ("north", "south"),
]  # fmt: skip


@pytest.mark.parametrize(("x", "y"), REQUIRED_PAIRS)
def test_lexicon_holds_the_required_pairs(x: str, y: str) -> None:
    sides_x = {(o.pair, o.side) for o in opposites(x)}
    assert any(
        (pair, 1 - side) in sides_x for pair, side in ((o.pair, o.side) for o in opposites(y))
    )


def test_lexicon_has_at_least_forty_pairs() -> None:
    assert PAIR_COUNT >= 40


def test_lexicon_inflects_regular_verbs_and_matches_forms_exactly() -> None:
    assert {o.pair for o in opposites("loving")} == {o.pair for o in opposites("hated")}
    assert not opposites("presented")  # "present" is an adjective here
    assert not opposites("closely")


# -------------------------------------------------------------------------------- number


@pytest.mark.parametrize(
    ("a", "b", "quoted"),
    [
        ("Lyon has a population of 513,000.", "Lyon has a population of 522,000.", "513,000"),
        ("The add-on costs $40 per seat.", "The add-on costs $55 per seat.", "$55"),
        ("42 % of users chose it.", "17 % of users chose it.", "42 %"),
        ("Northwind raised €1.2 million.", "Northwind raised €12 million.", "€12 million"),
        ("The study enrolled 64 workers.", "The study enrolled 46 workers.", "46"),
        ("Tampere covers 525.03 km2.", "Tampere covers 689.59 km2.", "525.03 km2"),
        ("Porto has 1,000 beds.", "Porto has 1,011 beds.", "1.1% apart"),  # beyond 1 %
        ("Lyon has a population of 522,250.", "Lyon's population stands at 480,470.", "480,470"),
    ],
)
def test_same_quantity_with_other_value_is_a_contradiction(a: str, b: str, quoted: str) -> None:
    assert_clash(a, b, "number", quoted)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Porto has 1,000 beds.", "Porto has 1,010 beds."),  # exactly 1 %
        ("Porto has a population of 231,800.", "Porto has a population of 232,600."),
        ("Northwind raised €1.2 million.", "Northwind raised €1,200,000."),
        ("Revenue rose 12% in 2025.", "In 2025 revenue grew by 12 percent."),
        ("The route is 12 km long.", "The route takes 40 minutes."),  # other units
        ("The study enrolled 64 workers.", "The study enrolled 64 workers from 5 sites."),
        ("Acme employed 1,840 people in 2024.", "Acme employed 1,900 people in 2025."),
        ("Version 2 of the API is deprecated.", "Version 3 of the API is not deprecated."),
        ("Lyon has a population of 522,250.", "Porto has a population of 231,800."),
        ("registry/cities.csv: `522250` |", "registry/cities.csv: `525.03` |"),  # bare cells
    ],
)
def test_number_guards(a: str, b: str) -> None:
    assert_no_clash(a, b)


# ---------------------------------------------------------------------------------- date


@pytest.mark.parametrize(
    ("a", "b", "quoted"),
    [
        ("Acme was founded on 14 March 2009.", "Acme was founded on 14 March 2011.", "2011"),
        ("Acme was founded on March 12, 2021.", "Acme was founded on 2021-03-13.", "2021-03-13"),
        ("The cart first shipped in 2012.", "The cart first shipped in 2014.", '"2012"'),
        ("The plant opened in March 2015.", "The plant opened in June 2015.", "June 2015"),
    ],
)
def test_same_event_on_another_date_is_a_contradiction(a: str, b: str, quoted: str) -> None:
    assert_clash(a, b, "date", quoted)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme was founded on March 12, 2021.", "Acme was founded on 12 March 2021."),
        ("Acme was founded in 2021.", "Acme was founded on 2021-03-12."),  # year fits
        (
            "The paper was accepted in 2023 and published in 2024.",
            "The paper was published in 2024.",
        ),
        ("Graz opened a tram line in 2019.", "Graz did not open a tram line in 2023."),
        (
            "The 2024 report was approved by the board.",
            "The 2025 report was rejected by the board.",
        ),
        ("Acme was founded on 14 March 2009.", "Kestrel Labs was founded on 2 June 2011."),
    ],
)
def test_date_guards(a: str, b: str) -> None:
    assert_no_clash(a, b)


# ------------------------------------------------------------------------------- subject


def test_different_subjects_are_explained() -> None:
    result = assert_no_clash("Bob loves pizza.", "Alice hates pizza.")
    assert "different subjects" in result.reason
    assert "bob" in result.reason
    assert "alice" in result.reason


def test_texts_without_common_words_never_contradict() -> None:
    result = assert_no_clash("Revenue rose in 2025.", "Operating costs fell in 2025.")
    assert "no content word in common" in result.reason


def test_extra_detail_on_one_side_keeps_the_subject() -> None:
    assert_clash(
        "The gripper can handle bags of produce.", "The gripper cannot handle bags.", "negation"
    )


# ------------------------------------------------------------------------------------ NLI


class FakeNliEndpoint:
    """Stands in for a remote NLI model: canned label probabilities per (premise, hypothesis)."""

    def __init__(self, answers: Mapping[tuple[str, str], Mapping[str, float]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def scores(self, premise: str, hypothesis: str) -> Mapping[str, float]:
        self.calls.append((premise, hypothesis))
        neutral = {"contradiction": 0.05, "entailment": 0.05, "neutral": 0.9}
        return self.answers.get((premise, hypothesis), neutral)


CEO_A = "The CEO of Acme is Helena Marsh."
CEO_B = "Tobias Wren is chief executive of Acme."


def nli_says(
    contradiction: float, premise: str = CEO_A, hypothesis: str = CEO_B
) -> FakeNliEndpoint:
    rest = (1.0 - contradiction) / 2
    answer = {"contradiction": contradiction, "entailment": rest, "neutral": rest}
    return FakeNliEndpoint({(premise, hypothesis): answer})


def test_nli_decides_when_rules_find_nothing() -> None:
    assert not judge(CEO_A, CEO_B).contradicts  # beyond word rules
    result = ContradictionClassifier(nli=nli_says(0.93)).judge(CEO_A, CEO_B)
    assert result == Judgement(True, 0.93, "nli", result.reason)
    assert "0.93" in result.reason


def test_nli_counts_either_direction() -> None:
    endpoint = nli_says(0.91, premise=CEO_B, hypothesis=CEO_A)
    result = ContradictionClassifier(nli=endpoint).judge(CEO_A, CEO_B)
    assert (result.contradicts, result.rule) == (True, "nli")
    assert endpoint.calls == [(CEO_A, CEO_B), (CEO_B, CEO_A)]


def test_nli_at_the_threshold_contradicts_and_below_it_the_rules_decide() -> None:
    at = ContradictionClassifier(nli=nli_says(0.8), nli_threshold=0.8).judge(CEO_A, CEO_B)
    assert (at.contradicts, at.rule) == (True, "nli")
    below = ContradictionClassifier(nli=nli_says(0.79), nli_threshold=0.8).judge(CEO_A, CEO_B)
    assert (below.contradicts, below.rule, below.score) == (False, "none", 0.79)
    assert "NLI contradiction 0.79" in below.reason


def test_a_rule_finding_stands_without_asking_nli() -> None:
    endpoint = nli_says(0.0, "Bob loves pizza.", "Bob hates pizza.")
    result = ContradictionClassifier(nli=endpoint).judge("Bob loves pizza.", "Bob hates pizza.")
    assert (result.contradicts, result.rule) == (True, "antonym")
    assert endpoint.calls == []


@pytest.mark.parametrize(
    "answer",
    [
        {"entailment": 0.5, "neutral": 0.5},
        {"contradiction": 1.5, "entailment": 0.0, "neutral": 0.0},
        {"contradiction": math.nan, "entailment": 0.0, "neutral": 0.0},
        {"contradiction": True, "entailment": 0.0, "neutral": 0.0},
        {"contradiction": 0.2, "entailment": -0.1, "neutral": 0.9},
    ],
)
def test_a_malformed_nli_answer_is_refused(answer: dict[str, float]) -> None:
    classifier = ContradictionClassifier(nli=FakeNliEndpoint({(CEO_A, CEO_B): answer}))
    with pytest.raises(NliResponseError) as raised:
        classifier.judge(CEO_A, CEO_B)
    assert raised.value.code == "nli_response"


def test_threshold_outside_unit_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="nli_threshold"):
        ContradictionClassifier(nli_threshold=1.5)


# --------------------------------------------------------------------------------- corpus

PAIRS = load_pairs()


def test_corpus_is_large_balanced_and_covers_every_kind() -> None:
    assert len(PAIRS) >= 120
    share = sum(p.contradicts for p in PAIRS) / len(PAIRS)
    assert 0.4 <= share <= 0.6
    assert {p.kind for p in PAIRS} == set(CONTRADICTION_KINDS + AGREEMENT_KINDS)


def test_judgements_are_symmetric_on_the_corpus() -> None:
    for pair in PAIRS:
        there, back = judge(pair.a, pair.b), judge(pair.b, pair.a)
        assert (there.contradicts, there.rule) == (back.contradicts, back.rule), pair


def test_corpus_precision_and_recall_reach_their_floors() -> None:
    report = evaluate(lambda a, b: judge(a, b).contradicts, PAIRS)
    figures = "\n".join(report.table("classifier") + describe(report.overall.wrong))
    assert (report.overall.precision or 0.0) >= 0.95, figures
    assert (report.overall.recall or 0.0) >= 0.93, figures
    for kind in CONTRADICTION_KINDS:
        assert (report.by_kind[kind].recall or 0.0) >= 0.9, figures
    for kind in AGREEMENT_KINDS:
        assert report.by_kind[kind].accuracy >= 0.95, figures


def test_classifier_beats_similarity_means_contradiction() -> None:
    ours = evaluate(lambda a, b: judge(a, b).contradicts, PAIRS).overall
    baseline = evaluate(similarity_baseline(0.5), PAIRS).overall
    figures = f"classifier f1 {ours.f1}, baseline f1 {baseline.f1}"
    assert (ours.f1 or 0.0) > (baseline.f1 or 0.0) + 0.15, figures
    assert baseline.fp > 3 * ours.fp, figures
