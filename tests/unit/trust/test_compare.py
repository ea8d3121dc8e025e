from __future__ import annotations

import pytest
from pydantic import JsonValue

from graph.schemas import FieldSpec
from trust.compare import (
    agrees_with_itself,
    cluster_values,
    name_key,
    person_names,
    value_similarity,
    values_agree,
)


def spec(kind: str, **options: object) -> FieldSpec:
    return FieldSpec.model_validate({"type": kind, **options})


POPULATION = spec("integer", tolerance={"relative": 0.01})
AREA = spec("float", tolerance={"relative": 0.005})
UPDATED = spec("datetime", tolerance={"seconds": 300})
FOUNDED = spec("date", tolerance={"days": 0})
AUTHORS = spec("list", items="string")
PHONES = spec("list", items="string", multi_valued=True)


@pytest.mark.parametrize(
    ("field", "a", "b", "agree"),
    [
        (POPULATION, 100, 99, True),  # exactly 1 % of the larger
        (POPULATION, 1000, 989, False),  # 1.1 %
        (spec("float", tolerance={"absolute": 0.5}), 10.0, 10.5, True),
        (spec("float", tolerance={"absolute": 0.5}), 10.0, 10.51, False),
        (spec("integer"), 2**62 + 1, 2**62, False),  # exact beyond float precision
        (spec("integer", tolerance={"relative": 0.0}), 18520, 18250, False),  # C6
        (UPDATED, "2025-01-01T00:00:00Z", "2025-01-01T00:05:00Z", True),
        (UPDATED, "2025-01-01T00:00:00Z", "2025-01-01T00:05:01Z", False),
        (spec("date", tolerance={"days": 2}), "2024-01-01", "2024-01-03", True),
        (spec("date", tolerance={"days": 2}), "2024-01-01", "2024-01-04", False),
        (FOUNDED, "2009-03-14", "2011-03-14", False),  # C2
        (spec("string"), "  Helena   MARSH ", "helena marsh", True),
        (spec("string"), "Helena Marsh", "Tobias Wren", False),  # C1
        (spec("string"), "Gdańsk", "Gdan\u0301sk", True),  # NFC vs NFD
        (spec("string"), "Gdańsk", "Gdansk", False),
        (spec("boolean"), True, True, True),
        (spec("boolean"), True, 1, False),
        (POPULATION, 100, "100", False),
    ],
)
def test_tolerance_edges(field: FieldSpec, a: JsonValue, b: JsonValue, agree: bool) -> None:
    assert values_agree(field, a, b) is agree
    assert values_agree(field, b, a) is agree


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        (POPULATION, 231800, 232600),  # N1: 0.34 %
        (AREA, 127.58, 127.88),  # N2
        (UPDATED, "2025-06-30T09:12:00Z", "2025-06-30T09:15:00Z"),  # N3
        (spec("float", tolerance={"relative": 0.01}), 412.5, 415.0),  # N5
        (spec("integer", tolerance={"relative": 0.02}), 1840, 1872),  # N6
        (
            AUTHORS,
            ["J. Albrecht", "M. Okafor", "R. Castellanos"],
            ["Okafor, M.", "Castellanos, R.", "Albrecht, J."],
        ),  # N7
        (AUTHORS, ["A. Kowalska", "L. Moreau"], ["Kowalska, A.", "Moreau, L."]),  # N8
    ],
)
def test_examples_near_misses_agree(field: FieldSpec, a: JsonValue, b: JsonValue) -> None:
    assert values_agree(field, a, b)


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        (POPULATION, 522250, 480470),  # C3
        (AREA, 525.03, 689.59),  # C4
        (spec("date"), "1981-04-02", "1981-02-04"),  # C7
        (AUTHORS, ["A. Berg", "K. Tanaka"], ["Berg, A.", "Tanaka, K.", "Novak, D."]),  # C9
        (POPULATION, 374200, 352800),  # S1 values (staleness is not compare's job)
    ],
)
def test_examples_contradictions_disagree(field: FieldSpec, a: JsonValue, b: JsonValue) -> None:
    assert not values_agree(field, a, b)


def test_names() -> None:
    assert name_key("Smith, J.") == name_key("J. Smith") == name_key("j smith") == "j smith"
    assert name_key("Smith, John") == "j smith"
    assert name_key("Smith, J.") != name_key("Smyth, J.")


def test_list_order_matters_only_when_ordered() -> None:
    ordered = spec("list", items="string", ordered=True)
    assert values_agree(AUTHORS, ["A. Berg", "K. Tanaka"], ["K. Tanaka", "A. Berg"])
    assert not values_agree(ordered, ["A. Berg", "K. Tanaka"], ["K. Tanaka", "A. Berg"])
    assert values_agree(ordered, ["A. Berg", "K. Tanaka"], ["Berg, A.", "Tanaka, K."])


def test_numeric_lists_use_item_tolerance() -> None:
    field = spec("list", items="float", tolerance={"absolute": 1.0})
    assert values_agree(field, [10.0, 20.0], [20.5, 9.5])
    assert not values_agree(field, [10.0, 20.0], [10.0, 22.0])


def test_multi_valued_compares_elements() -> None:
    assert values_agree(PHONES, "+49 89 5550 1100", "+49  89 5550 1100")
    assert not values_agree(PHONES, "+48 58 555 0142", "+48 601 555 019")  # N10: both true


def test_clusters_are_greedy_and_deterministic() -> None:
    values: list[JsonValue] = [100, 99, 98, 101, 50, 98.5]
    labels = cluster_values(POPULATION, values)
    assert labels == [0, 0, 1, 0, 2, 1]  # 98.5 is 1.5 from 100, 0.5 from 98
    assert cluster_values(POPULATION, values) == labels
    assert cluster_values(AUTHORS, [["A. Berg"], ["Berg, A."], ["K. Tanaka"]]) == [0, 0, 1]
    assert cluster_values(POPULATION, []) == []


SPECS = [
    POPULATION,
    AREA,
    UPDATED,
    FOUNDED,
    AUTHORS,
    PHONES,
    spec("string"),
    spec("text"),
    spec("boolean"),
    spec("list", items="float", tolerance={"relative": 0.01}),
]
VALUES: list[JsonValue] = [
    0,
    7,
    -3,
    2.5,
    float("nan"),
    True,
    False,
    None,
    "",
    "x",
    "2026-11-01T00:00:00Z",
    "not a date",
    "2026-11-01",
    ["a", "b"],
    [1.0, float("nan")],
    [],
    {"k": 1},
]


@pytest.mark.parametrize("field", SPECS)
def test_agreeing_with_itself_is_comparing_with_itself(field: FieldSpec) -> None:
    for value in VALUES:
        assert agrees_with_itself(field, value) == values_agree(field, value, value), value


AUTHORS = FieldSpec.model_validate({"type": "list", "items": "string"})


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Robert Sedgewick, Philippe Flajolet", ["Robert Sedgewick", "Philippe Flajolet"]),
        ("Knuth, Donald E.", ["Knuth, Donald E."]),
        ("Bohl, Marilyn/ Rynn, Maria", ["Bohl, Marilyn", "Rynn, Maria"]),
        ("Jack Park and Sam Hunting", ["Jack Park", "Sam Hunting"]),
        ("Lientz,Bennet", ["Lientz,Bennet"]),
    ],
)
def test_person_names_splits_an_item_naming_several_people(text: str, names: list[str]) -> None:
    assert person_names(text) == names


def test_an_author_list_written_in_one_item_agrees_with_the_list() -> None:
    assert values_agree(
        AUTHORS, ["Robert Sedgewick, Philippe Flajolet"], ["Flajolet, P.", "R Sedgewick"]
    )
    assert not values_agree(AUTHORS, ["Robert Sedgewick"], ["Sedgewick, R.", "Flajolet, P."])


def test_author_lists_are_as_similar_as_the_names_they_share() -> None:
    assert value_similarity(AUTHORS, ["Aiken, Peter"], ["Peter Aiken; M. David Allen"]) == 0.5
    assert value_similarity(AUTHORS, ["Aiken, Peter"], ["Celko, Joe"]) == 0.0


@pytest.mark.parametrize(
    ("spec", "a", "b", "similarity"),
    [
        ({"type": "float", "tolerance": {"absolute": 1.0}}, 100.0, 101.0, 1.0),
        ({"type": "float", "tolerance": {"absolute": 1.0}}, 100.0, 101.25, 0.5),
        ({"type": "float", "tolerance": {"absolute": 1.0}}, 100.0, 101.6, 0.0),
        ({"type": "integer", "tolerance": {"absolute": 10}}, 100, 112, 0.6),
        ({"type": "integer"}, 100, 101, 0.0),
        (
            {"type": "datetime", "tolerance": {"seconds": 60}},
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:01:15Z",
            0.5,
        ),
        ({"type": "date", "tolerance": {"days": 2}}, "2026-01-01", "2026-01-04", 0.0),
        ({"type": "string"}, "Lyon", "Lyons", 0.0),
    ],
)
def test_numbers_and_moments_are_similar_up_to_a_reach_past_their_tolerance(
    spec: dict[str, object], a: JsonValue, b: JsonValue, similarity: float
) -> None:
    field = FieldSpec.model_validate(spec)
    assert value_similarity(field, a, b) == pytest.approx(similarity)


CLOCK = FieldSpec.model_validate({"type": "time", "tolerance": {"seconds": 120}})


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("23:59:00", "00:01:00", True),  # two minutes apart across midnight
        ("00:00:30", "23:58:00", False),  # two and a half minutes
        ("12:00:00", "12:02:00", True),
        ("12:00:00", "00:00:00", False),
        ("12:00:00", "noon", False),
    ],
)
def test_times_of_day_agree_within_the_tolerance_around_midnight(
    a: str, b: str, agree: bool
) -> None:
    assert values_agree(CLOCK, a, b) is agree


def test_times_of_day_are_similar_past_the_tolerance_around_midnight() -> None:
    assert value_similarity(CLOCK, "23:58:30", "00:01:00") == pytest.approx(0.5)
    assert value_similarity(CLOCK, "23:00:00", "00:01:00") == 0.0


def test_a_time_without_a_tolerance_must_be_exact() -> None:
    exact = FieldSpec.model_validate({"type": "time"})
    assert values_agree(exact, "08:00:00", "08:00:00")
    assert not values_agree(exact, "08:00:00", "08:00:01")
