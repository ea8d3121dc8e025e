"""Personal-data detectors: e-mail addresses, phone numbers, IBANs, card numbers, national ids.

Each detector is one or more probes: a compiled pattern plus, where a pattern alone would
over-match, a validation of the candidate (digit counts for phones, the mod-97 checksum of
an IBAN, the Luhn checksum and an issuer prefix of a card number). A probe also has a cheap
precondition (an `@` for e-mail, enough digits for numbers), checked before its pattern,
so most values never reach a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from pydantic import JsonValue

from governance.policy_rules import Detector

EMAIL = r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
PHONE_INTERNATIONAL = (
    r"(?<![\w+])\+\d{1,3}(?:[ .\-/]?\(?\d{1,5}\)?){2,7}(?![\w.])"  # +49 89 5550 1100
)
PHONE_NATIONAL = r"(?<![\w.,+/:-])0\d{1,4}(?:[ /-]\d{2,8}){1,4}(?![\w.,/:-])"  # 030 5550 1100
PHONE_US = r"(?<![\w)])\(\d{3}\) ?\d{3}-\d{4}(?!\d)"  # (555) 123-4567
IBAN = r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
CARD = r"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d.,-]?\d)"
US_SSN = r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])"
UK_NINO = (
    r"(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])"
)
DIGITS = b"0123456789"
CARD_PREFIXES = ("4", "5", "2", "34", "37", "30", "36", "38", "35", "6")


def digits(text: str) -> str:
    """The digits of `text`, in order."""
    return "".join(c for c in text if c.isdigit())


def luhn_valid(number: str) -> bool:
    """The Luhn checksum of a string of digits (card numbers)."""
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """Length and mod-97 checksum of an IBAN (spaces allowed)."""
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _phone_valid(candidate: str) -> bool:
    count = len(digits(candidate))
    return 8 <= count <= 15 if candidate.startswith("+") else 9 <= count <= 12


def _card_valid(candidate: str) -> bool:
    number = digits(candidate)
    return (
        13 <= len(number) <= 19
        and number.startswith(CARD_PREFIXES)
        and len(set(number)) > 1
        and luhn_valid(number)
    )


Validator = Callable[[str], bool]


@dataclass(frozen=True)
class Probe:
    """One pattern of a detector, with cheap preconditions checked before it runs."""

    pattern: str
    valid: Validator | None = None
    """Checks a match (checksums, digit counts); None accepts every match."""
    min_digits: int = 0
    """Text with fewer digits cannot match."""
    needs: str | None = None
    """Text without this substring cannot match."""
    cased: bool = False
    """Text whose letters are all lowercase cannot match."""


BUILT_IN: dict[Detector, tuple[Probe, ...]] = {
    Detector.EMAIL: (Probe(EMAIL, needs="@"),),
    Detector.PHONE: (
        Probe(PHONE_INTERNATIONAL, _phone_valid, min_digits=8, needs="+"),
        Probe(PHONE_NATIONAL, _phone_valid, min_digits=9, needs="0"),
        Probe(PHONE_US, min_digits=10, needs="("),
    ),
    Detector.IBAN: (Probe(IBAN, iban_valid, min_digits=11, cased=True),),
    Detector.CREDIT_CARD: (Probe(CARD, _card_valid, min_digits=13),),
    Detector.NATIONAL_ID: (
        Probe(US_SSN, min_digits=9, needs="-"),
        Probe(UK_NINO, min_digits=6, cased=True),
    ),
}

_Compiled = tuple[str, re.Pattern[str], Validator | None, int, str | None, bool]


@dataclass(frozen=True)
class PiiScanner:
    """A set of compiled probes, in ascending order of the digits they need."""

    probes: tuple[_Compiled, ...]

    def found(self, text: str) -> bool:
        """True when `text` holds personal data of any detector."""
        return bool(self._scan(text, first=True))

    def kinds(self, text: str) -> set[str]:
        """The names of the detectors that found something in `text`."""
        return set(self._scan(text, first=False))

    def fields(self, values: Mapping[str, JsonValue]) -> set[str]:
        """The names of the fields whose values hold personal data."""
        return {name for name, value in values.items() if self.holds(value)}

    def holds(self, value: JsonValue) -> bool:
        """True when a JSON value (strings inside lists and maps too, at any depth) holds
        personal data."""
        pending = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending += item
            elif isinstance(item, dict):
                pending += item.values()
            elif self._scalar_holds(item):
                return True
        return False

    def _scalar_holds(self, value: JsonValue) -> bool:
        if isinstance(value, str):
            return self.found(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return 10**12 <= value < 10**40 and self.found(str(value))  # an ID, not a huge number

    def _scan(self, text: str, *, first: bool) -> list[str]:
        """The detectors that match (only the first one when `first`)."""
        raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate is not a digit
        count = len(raw) - len(raw.translate(None, DIGITS))
        names: list[str] = []
        for name, pattern, valid, min_digits, needs, cased in self.probes:
            if count < min_digits:
                break
            if (needs is not None and needs not in text) or (cased and text.islower()):
                continue
            if valid is None:
                matched = pattern.search(text) is not None
            else:
                matched = any(valid(match.group()) for match in pattern.finditer(text))
            if matched:
                names.append(name)
                if first:
                    break
        return names


def scanner(
    detect: Iterable[Detector] = tuple(Detector), patterns: Mapping[str, str] | None = None
) -> PiiScanner:
    """A scanner for the chosen built-in detectors plus named custom patterns (cached)."""
    return _scanner(tuple(sorted(set(detect))), tuple(sorted((patterns or {}).items())))


@lru_cache(maxsize=64)
def _scanner(detect: tuple[Detector, ...], patterns: tuple[tuple[str, str], ...]) -> PiiScanner:
    probes = [(d.value, probe) for d in detect for probe in BUILT_IN[d]]
    probes += [(name, Probe(pattern)) for name, pattern in patterns]
    probes.sort(key=lambda item: item[1].min_digits)
    return PiiScanner(
        tuple(
            (name, re.compile(p.pattern), p.valid, p.min_digits, p.needs, p.cased)
            for name, p in probes
        )
    )


DEFAULT_SCANNER = scanner()
"""Every built-in detector."""
