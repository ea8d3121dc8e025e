"""A curated lexicon of opposite words: pairs whose two sides cannot both hold of one thing.

Each side lists word forms. A form ending in "~" is a regular verb and also stands for its
"-s", "-ed" and "-ing" forms (love~ -> love, loves, loved, loving); irregular forms and
adjective comparisons are written out. Forms are matched exactly (lower case), so
"presented" is not "present" and "closely" is not "close".

A *qualifier* pair picks which thing is meant rather than saying something about it ("the
first version" vs "the last version", "the new layout" vs "the old layout"): when such a pair
is split between two texts that also carry values, the texts describe two different things.
"""

from __future__ import annotations

from dataclasses import dataclass

_PAIRS: list[tuple[str, str]] = [
    ("love~", "hate~"),
    ("like~", "dislike~"),
    (
        "increase~ rise~ rose risen grow~ grew grown climb~",
        "decrease~ fall~ fell fallen shrink~ shrank shrunk decline~ drop~ dropped dropping",
    ),
    ("improve~", "worsen~ deteriorate~"),
    ("gain~", "lose~ lost losing"),
    ("win~ won winning", "lose~ lost losing"),
    ("open~ reopened", "close~ shut"),
    ("approve~ approval", "reject~ rejection"),
    ("accept~ acceptance", "reject~ rejection"),
    ("alive living", "dead deceased"),
    ("true", "false untrue"),
    ("correct", "incorrect wrong"),
    ("accurate", "inaccurate"),
    (
        "allow~ permit~ permitted permitting",
        "forbid forbids forbidden forbidding prohibit~ ban~ banned banning",
    ),
    ("include~ inclusive", "exclude~ exclusive"),
    ("public", "private confidential restricted"),
    ("online", "offline"),
    ("active", "inactive"),
    ("enable~", "disable~"),
    ("succeed~ success successful successfully", "fail~ failure unsuccessful"),
    ("pass~", "fail~"),
    ("above", "below"),
    ("before", "after"),
    ("present", "absent"),
    ("high higher highest", "low lower lowest"),
    ("long longer longest", "short shorter shortest"),
    ("large larger largest big bigger biggest", "small smaller smallest"),
    ("fast faster fastest", "slow slower slowest"),
    ("strong stronger strongest", "weak weaker weakest"),
    ("cheap cheaper cheapest inexpensive", "expensive costly"),
    ("early earlier earliest", "late later latest"),
    ("hot hotter", "cold colder"),
    ("safe safer", "unsafe dangerous"),
    ("profit profits profitable", "loss losses unprofitable loss-making"),
    ("confirm~", "refute~ disprove~ deny denies denied denying"),
    ("valid", "invalid"),
    ("legal lawful", "illegal unlawful"),
    ("possible", "impossible"),
    ("available", "unavailable"),
    ("agree~", "disagree~"),
    ("support~", "oppose~"),
    ("full", "empty"),
    ("mandatory compulsory required obligatory", "optional voluntary"),
    ("positive", "negative"),
    ("add~ added", "remove~"),
    ("connect~", "disconnect~"),
    ("visible", "invisible hidden"),
    ("lock~", "unlock~"),
    ("encrypted", "unencrypted plaintext"),
    ("paid", "unpaid"),
    ("certified", "uncertified"),
    ("hire~", "dismiss~"),
    ("buy~ bought", "sell~ sold"),
    ("arrive~", "depart~"),
    ("upgrade~", "downgrade~"),
    ("promote~", "demote~"),
    ("majority", "minority"),
]
_QUALIFIERS: list[tuple[str, str]] = [
    ("first", "last final"),
    ("minimum min", "maximum max"),
    ("north northern", "south southern"),
    ("east eastern", "west western"),
    ("new newer newest", "old older oldest"),
    ("internal", "external"),
    ("inbound", "outbound"),
]


@dataclass(frozen=True)
class Opposite:
    """Where a word form sits in the lexicon: which pair, which side (0 or 1)."""

    pair: int
    side: int
    qualifier: bool


def _forms(spec: str, verbs: bool = True) -> set[str]:
    """The word forms of one side; with `verbs=False`, only those written out."""
    forms: set[str] = set()
    for entry in spec.split():
        if not entry.endswith("~"):
            forms.add(entry)
            continue
        if not verbs:
            continue
        base = entry[:-1]
        stem = base[:-1] if base.endswith("e") else base
        third = base + "es" if base.endswith(("s", "x", "sh", "ch")) else base + "s"
        forms |= {base, third, stem + "ed", stem + "ing"}
    return forms


def _index(verbs: bool) -> dict[str, tuple[Opposite, ...]]:
    index: dict[str, list[Opposite]] = {}
    pairs = [(pair, False) for pair in _PAIRS] + [(pair, True) for pair in _QUALIFIERS]
    for number, ((left, right), qualifier) in enumerate(pairs):
        for side, spec in enumerate((left, right)):
            for form in _forms(spec, verbs):
                index.setdefault(form, []).append(Opposite(number, side, qualifier))
    return {form: tuple(entries) for form, entries in index.items()}


OPPOSITES = _index(verbs=True)
_ADJECTIVES = _index(verbs=False)  # bases of "-ly" adverbs: "openly" is not "open"
PAIR_COUNT = len(_PAIRS) + len(_QUALIFIERS)


def opposites(word: str) -> tuple[Opposite, ...]:
    """The lexicon entries of a word form, or of the written-out word behind an "-ly"
    adverb ("positively" -> "positive", but "closely" is not "close"); empty if none."""
    lower = word.lower()
    found = OPPOSITES.get(lower, ())
    if not found and lower.endswith("ly"):
        found = _ADJECTIVES.get(lower[:-3] + "y" if lower.endswith("ily") else lower[:-2], ())
    return found
