"""Labelled, seeded scenarios for truth discovery: raw typed claims with a known answer.

Every item is one attribute with a `FieldSpec` and a true value. Each source covers an item
with probability `coverage`; it then states a *correct variant* of the truth with its
accuracy, or else one of the item's few wrong values (so mistakes can coincide, as they do).
Correct variants are what `trust.compare` must see through: numbers and datetimes moved by
noise inside the tolerance, strings in other case and spacing, author lists reordered and
written "Last, F.". Wrong values lie beyond the tolerance. A *copier* repeats its original's
claim (errors included, written the same way) with probability `copy_rate`, on every kind
of attribute or only on `copied_kinds`; a source's accuracy may differ by kind of attribute
(`by_kind`: exact on times, wrong on names), and each kind is an attribute of the encoded
claims; a *stale* source's mistakes are always
the item's old value. `encode` clusters the claims with `cluster_values` into a `ClaimSet`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from pydantic import JsonValue

from graph.schemas import FieldSpec
from trust.claims import similar_values, similarity_matrix, written_forms
from trust.compare import cluster_values, values_agree
from trust.truth import ClaimSet, Floats, Ints

_SPECS = {
    "float": FieldSpec.model_validate({"type": "float", "tolerance": {"relative": 0.01}}),
    "integer": FieldSpec.model_validate({"type": "integer", "tolerance": {"relative": 0.02}}),
    "datetime": FieldSpec.model_validate({"type": "datetime", "tolerance": {"seconds": 300}}),
    "date": FieldSpec.model_validate({"type": "date", "tolerance": {"days": 0}}),
    "string": FieldSpec.model_validate({"type": "string"}),
    "authors": FieldSpec.model_validate({"type": "list", "items": "string"}),
}
_KINDS = list(_SPECS)
_GIVEN = ["Anna", "Jonas", "Maria", "Kenji", "Lea", "Omar", "Sofia", "Tomas", "Ines", "Pavel"]
_LAST = ["Berg", "Tanaka", "Novak", "Okafor", "Moreau", "Albrecht", "Virtanen", "Costa", "Ruiz"]
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Config:
    """How a scenario's sources behave."""

    accuracy: tuple[float, ...]
    kinds: tuple[str, ...] = tuple(_SPECS)
    copies: dict[int, int] = field(default_factory=dict)  # copier -> original
    stale: frozenset[int] = frozenset()
    copy_rate: float = 0.9
    copied_kinds: tuple[str, ...] | None = None  # copiers copy only these kinds (None: all)
    by_kind: dict[int, dict[str, float]] = field(default_factory=dict)  # source -> kind -> acc
    coverage: float = 0.8
    wrong_values: int = 3
    noise: float = 0.45  # of the tolerance, for correct variants
    wrong_gap: tuple[float, float] = (3.0, 30.0)  # in tolerances (numbers, datetimes)


SCENARIOS: dict[str, Config] = {
    "uniform": Config(accuracy=(0.7,) * 8),
    "one_expert_many_noisy": Config(
        accuracy=(0.95, 0.9, 0.5, 0.45, 0.45, 0.4, 0.4, 0.4), wrong_values=2
    ),
    "copiers": Config(accuracy=(0.9, 0.85, 0.8, 0.55, 0.6, 0.6, 0.6), copies={4: 3, 5: 3, 6: 3}),
    "tolerance_noise": Config(
        accuracy=(0.9, 0.8, 0.7, 0.6, 0.5, 0.5),
        kinds=("float", "integer", "datetime"),
        wrong_gap=(1.5, 4.0),
    ),
    "lists": Config(accuracy=(0.9, 0.8, 0.7, 0.6, 0.5, 0.5), kinds=("authors",)),
    "copier_majority": Config(
        accuracy=(0.9, 0.85, 0.85, 0.5, 0.55, 0.55, 0.55, 0.55), copies={4: 3, 5: 3, 6: 3, 7: 3}
    ),
    "honest_agree": Config(accuracy=(0.97, 0.96, 0.95, 0.6, 0.55, 0.5)),
    "partial_copiers": Config(
        accuracy=(0.9, 0.85, 0.8, 0.5, 0.55, 0.55, 0.55),
        copies={4: 3, 5: 3, 6: 3},
        copied_kinds=("float", "string", "authors"),
    ),
    "stale": Config(accuracy=(0.9, 0.85, 0.8, 0.7, 0.5, 0.5), stale=frozenset({4, 5})),
    "exact_on_one_attribute": Config(
        accuracy=(0.65,) * 7,
        kinds=("datetime", "string", "integer"),
        by_kind={s: {"datetime": 0.97, "string": 0.3} for s in range(4)},
        wrong_values=2,
    ),
}


@dataclass(frozen=True)
class Claim:
    """One source stating one raw value for one item."""

    source: int
    item: int
    value: JsonValue


@dataclass(frozen=True)
class Scenario:
    """Claims with their answer: the truth per item and each source's realised accuracy."""

    name: str
    kinds: list[str]  # per item: its attribute
    specs: list[FieldSpec]
    truth: list[JsonValue]
    claims: list[Claim]
    accuracy: Floats  # per source: the share of its claims that agree with the truth
    copies: dict[int, int]


def generate(name: str, *, seed: int = 0, n_items: int = 300) -> Scenario:
    """The named scenario (see SCENARIOS), the same for the same seed."""
    config = SCENARIOS[name]
    rng = random.Random(f"{name}/{seed}")  # noqa: S311  # simulation, not secrets
    kinds = [config.kinds[item % len(config.kinds)] for item in range(n_items)]
    truth = [_true_value(rng, kind) for kind in kinds]
    wrong = [
        [_wrong_value(rng, kind, value, config) for _ in range(config.wrong_values)]
        for kind, value in zip(kinds, truth, strict=True)
    ]
    claims: list[Claim] = []
    for item, kind in enumerate(kinds):
        stated: dict[int, JsonValue] = {}
        for source, overall in enumerate(config.accuracy):
            accuracy = config.by_kind.get(source, {}).get(kind, overall)
            original = config.copies.get(source)
            copied = config.copied_kinds is None or kind in config.copied_kinds
            if copied and original in stated and rng.random() < config.copy_rate:
                stated[source] = stated[original]
            elif rng.random() < config.coverage:
                if rng.random() < accuracy:
                    stated[source] = _variant(rng, kind, truth[item], config)
                else:
                    pool = wrong[item][:1] if source in config.stale else wrong[item]
                    stated[source] = _variant(rng, kind, rng.choice(pool), config)
        claims += [Claim(source, item, value) for source, value in stated.items()]
    specs = [_SPECS[kind] for kind in kinds]
    right = np.zeros(len(config.accuracy))
    total = np.zeros(len(config.accuracy))
    for claim in claims:
        total[claim.source] += 1
        right[claim.source] += values_agree(specs[claim.item], truth[claim.item], claim.value)
    realised = right / np.maximum(total, 1)
    return Scenario(name, kinds, specs, truth, claims, realised, dict(config.copies))


def encode(scenario: Scenario) -> tuple[ClaimSet, Ints]:
    """The claims as a ClaimSet (values clustered per item), and the true value id per item.

    The true value id is the first cluster whose representative agrees with the truth, or
    -1 when no source stated the truth.
    """
    by_item: list[list[Claim]] = [[] for _ in scenario.truth]
    for claim in scenario.claims:
        by_item[claim.item].append(claim)
    sources: list[int] = []
    values: list[int] = []
    item_of_value: list[int] = []
    true_ids: list[int] = []
    forms: list[int] = []
    n_forms = 0
    similar: list[tuple[int, int, float]] = []
    for item, claims in enumerate(by_item):
        spec = scenario.specs[item]
        labels = cluster_values(spec, [claim.value for claim in claims])
        offset = len(item_of_value)
        item_forms = written_forms([claim.value for claim in claims], n_forms)
        forms += item_forms
        n_forms = max(item_forms, default=n_forms - 1) + 1
        representatives: dict[int, JsonValue] = {}
        for claim, label in zip(claims, labels, strict=True):
            representatives.setdefault(label, claim.value)
            sources.append(claim.source)
            values.append(offset + label)
        shown = [representatives[label] for label in range(len(representatives))]
        similar += similar_values(spec, shown, offset)
        item_of_value += [item] * len(representatives)
        true_ids.append(
            next(
                (
                    offset + label
                    for label, value in sorted(representatives.items())
                    if values_agree(spec, scenario.truth[item], value)
                ),
                -1,
            )
        )
    claim_set = ClaimSet(
        np.array(sources, dtype=np.int64),
        np.array(values, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        len(scenario.accuracy),
        np.array(forms, dtype=np.int64),
        similarity_matrix(similar, len(item_of_value)),
        np.array(  # two halves per kind (`trust.attribute_trust`)
            [2 * _KINDS.index(kind) + item % 2 for item, kind in enumerate(scenario.kinds)],
            dtype=np.int64,
        ),
    )
    return claim_set, np.array(true_ids, dtype=np.int64)


def _true_value(rng: random.Random, kind: str) -> JsonValue:
    if kind == "float":
        return round(rng.uniform(100, 1e6), 2)
    if kind == "integer":
        return rng.randrange(1_000, 1_000_000)
    if kind == "datetime":
        return _moment(_EPOCH + timedelta(seconds=rng.randrange(0, 5 * 365 * 86_400)))
    if kind == "date":
        return (date(2000, 1, 1) + timedelta(days=rng.randrange(0, 9_000))).isoformat()
    if kind == "string":
        return f"{rng.choice(_GIVEN)} {rng.choice(_LAST)}"
    return [f"{rng.choice(_GIVEN)} {last}" for last in rng.sample(_LAST, rng.randint(2, 4))]


def _wrong_value(rng: random.Random, kind: str, truth: JsonValue, config: Config) -> JsonValue:
    sign = rng.choice((-1, 1))
    gap = rng.uniform(*config.wrong_gap)
    if kind == "float" and isinstance(truth, float):
        return round(truth * (1 + sign * gap * 0.01), 2)
    if kind == "integer" and isinstance(truth, int):
        return round(truth * (1 + sign * gap * 0.02))
    if kind == "datetime" and isinstance(truth, str):
        return _moment(datetime.fromisoformat(truth) + timedelta(seconds=sign * gap * 300))
    if kind == "date" and isinstance(truth, str):
        return (date.fromisoformat(truth) + timedelta(days=sign * rng.randint(1, 400))).isoformat()
    if kind == "string" and isinstance(truth, str):
        return f"{rng.choice(_GIVEN)} {rng.choice(_LAST)}x"
    if isinstance(truth, list):
        if len(truth) > 2 and rng.random() < 0.5:
            return truth[:-1]
        return [*truth, f"{rng.choice(_GIVEN)} Extra{rng.randint(0, 9)}"]
    raise ValueError(f"no wrong value for a {kind}")


def _variant(rng: random.Random, kind: str, value: JsonValue, config: Config) -> JsonValue:
    """The same fact as another source might write it (inside the tolerance)."""
    jitter = rng.uniform(-config.noise, config.noise)
    if kind == "float" and isinstance(value, float):
        return round(value * (1 + jitter * 0.01), 2)
    if kind == "integer" and isinstance(value, int):
        return round(value * (1 + jitter * 0.02))
    if kind == "datetime" and isinstance(value, str):
        return _moment(datetime.fromisoformat(value) + timedelta(seconds=round(jitter * 300)))
    if kind == "string" and isinstance(value, str):
        return rng.choice((value.upper(), f"  {value.lower()} ", value.replace(" ", "  ")))
    if isinstance(value, list):
        names = [_author_style(rng, str(name)) for name in value]
        rng.shuffle(names)
        return list[JsonValue](names)
    return value


def _author_style(rng: random.Random, name: str) -> str:
    given, last = name.split(" ", 1)
    return rng.choice((name, f"{given[0]}. {last}", f"{last}, {given[0]}.", f"{last}, {given}"))


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
