from __future__ import annotations

import pytest

from trust.text_features import features
from trust.text_values import DateValue, Kind, Quantity, expand_contractions, lex
from trust.text_words import stem


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("a population of 522,250", Quantity(522_250, None)),
        ("1,200,000 euros", Quantity(1_200_000, "EUR")),
        ("an area of 525.03 km2", Quantity(525.03, "km2")),
        ("it costs $40", Quantity(40, "USD")),
        ("it costs $ 40", Quantity(40, "USD")),
        ("raised €1.2 million", Quantity(1_200_000, "EUR")),
        ("raised €12m", Quantity(12_000_000, "EUR")),
        ("revenue of 412.5 million USD", Quantity(412_500_000, "USD")),
        ("revenue of USD 412.5 million", Quantity(412_500_000, "USD")),
        ("2.1 thousand robots", Quantity(2_100, None)),
        ("42 % of users", Quantity(42, "%")),
        ("12 percent more", Quantity(12, "%")),
        ("a top speed of 2 m/s", Quantity(2, "m/s")),
        ("lasts 8 hours", Quantity(8, "h")),
        ("ISO 9001", Quantity(9001, None)),  # outside the year range
    ],
)
def test_quantities_are_parsed_with_unit_and_multiplier(text: str, quantity: Quantity) -> None:
    [found] = [x.quantity for x in lex(text) if x.quantity is not None]
    assert found.unit == quantity.unit
    assert found.value == pytest.approx(quantity.value)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("on 12 March 2021", DateValue(2021, 3, 12)),
        ("on 1st of May 2020", DateValue(2020, 5, 1)),
        ("on March 12, 2021", DateValue(2021, 3, 12)),
        ("on Sept. 3, 2021", DateValue(2021, 9, 3)),
        ("on 2021-03-12", DateValue(2021, 3, 12)),
        ("in March 2015", DateValue(2015, 3)),
        ("in 2019", DateValue(2019)),
    ],
)
def test_dates_are_parsed_in_common_formats(text: str, date: DateValue) -> None:
    assert [x.date for x in lex(text) if x.date is not None] == [date]


def test_times_and_years_are_not_amounts() -> None:
    kinds = [x.kind for x in lex("At 8:00 in 2025 the hub opened.")]
    assert Kind.TIME in kinds
    assert Kind.DATE in kinds
    assert Kind.QUANTITY not in kinds


def test_year_compatibility_follows_precision() -> None:
    assert DateValue(2024).compatible(DateValue(2024, 2, 12))
    assert DateValue(2024, 2).compatible(DateValue(2024, 2, 12))
    assert not DateValue(2024, 2, 12).compatible(DateValue(2024, 2, 13))
    assert not DateValue(2023).compatible(DateValue(2024, 2, 12))


def test_quantities_agree_within_one_percent_of_the_larger() -> None:
    assert Quantity(1000, None).agrees(Quantity(1010, None))
    assert not Quantity(1000, None).agrees(Quantity(1011, None))
    assert not Quantity(40, "USD").agrees(Quantity(40, "EUR"))


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("It isn't open", "It is not open"),
        ("Bob doesn't care", "Bob does not care"),
        ("Acme won't ship", "Acme will not ship"),
        ("The arm can't lift it", "The arm can not lift it"),
        ("The arm cannot lift it", "The arm can not lift it"),
        ("Acme's hub wasn’t open", "Acme hub was not open"),  # noqa: RUF001
    ],
)
def test_contractions_are_expanded(text: str, expanded: str) -> None:
    assert expand_contractions(text) == expanded


@pytest.mark.parametrize(
    "forms",
    [
        ("love", "loves", "loved", "loving"),
        ("cover", "covers", "covered", "covering"),
        ("stop", "stops", "stopped", "stopping"),
        ("certify", "certifies", "certified"),
        ("meet", "met"),
        ("sell", "sold"),
    ],
)
def test_inflections_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


def negated(text: str) -> dict[str, str]:
    return {w.lower: w.negated_by for w in features(text).negated}


def test_a_cue_negates_the_first_content_word_after_it() -> None:
    assert negated("The cart does not support charging.") == {"support": "not"}
    assert negated("Ghent no longer charges a tax.") == {"charges": "no longer"}
    assert negated("The update fails to fix the bug.") == {"fix": "fails to"}


def test_negation_stops_at_a_clause_break() -> None:
    assert negated("Nobody knows, but the hub is open.") == {"knows": "Nobody"}
    assert negated("It is not, the hub is open.") == {}


def test_stacked_cues_cancel() -> None:
    assert negated("The report is not without errors.") == {}
    assert negated("It is not true that Acme never exported robots.") == {}


def test_sentential_negation_negates_the_whole_claim() -> None:
    assert set(negated("It is not true that Acme exported robots.")) == {
        "acme",
        "exported",
        "robots",
    }


def test_quantities_keep_their_neighbours() -> None:
    [mention] = features("Lyon has a population of 522,250.").quantities
    assert mention.neighbours == {"population"}


def test_a_date_is_attached_to_its_event() -> None:
    [founded] = features("Acme was founded on 14 March 2009 in Munich.").dates
    assert (founded.event, founded.event_text) == ("found", "founded")
    [leading] = features("In 2025 Acme grew.").dates
    assert leading.event_text == "Acme"
    [modifier] = features("The 2024 report was approved.").dates
    assert modifier.event is None


def test_numbers_after_identifier_nouns_are_names() -> None:
    text = features("Version 2 of the API is deprecated.")
    assert text.quantities == ()
    assert "version 2" in {w.stem for w in text.words if w.content}
