"""Lexing short English texts into words, quantities, dates, times and clause breaks.

Quantities: thousands separators ("522,250"), decimals, multipliers ("1.2 million", "€12m",
"2.1 thousand"), currencies before or after ("$40", "412.5 million USD", "40 euros"),
percentages ("42 %", "12 percent") and common units ("km2", "kg", "ms", "hours"). Dates:
"2021-03-12", "12 March 2021", "March 12, 2021", "March 2021" and a bare year ("in 2019": an
integer 1800-2100 without separator, currency or unit). Times of day ("8:00", "6:30 pm")
are kept apart: they scope a statement in time, they are not compared as amounts.
Contractions are expanded first ("isn't" -> "is not", "won't" -> "will not", "cannot" ->
"can not") and possessive "'s" is dropped, so later steps see plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_UNITS = {
    "%": "%", "percent": "%", "per cent": "%", "pct": "%",
    "usd": "USD", "dollars": "USD", "us$": "USD", "eur": "EUR", "euros": "EUR", "euro": "EUR",
    "gbp": "GBP", "pounds sterling": "GBP", "chf": "CHF", "nok": "NOK", "sek": "SEK",
    "dkk": "DKK", "pln": "PLN",
    "km2": "km2", "km²": "km2", "sq km": "km2", "square kilometres": "km2",
    "square kilometers": "km2", "m2": "m2", "m²": "m2", "square metres": "m2",
    "km": "km", "kilometres": "km", "kilometers": "km", "cm": "cm", "mm": "mm",
    "metres": "m", "meters": "m", "m/s": "m/s", "km/h": "km/h", "mph": "mph",
    "kg": "kg", "kilograms": "kg", "tonnes": "t", "tons": "t", "lb": "lb", "lbs": "lb",
    "ms": "ms", "milliseconds": "ms", "seconds": "s", "sec": "s", "minutes": "min",
    "min": "min", "mins": "min", "hours": "h", "hrs": "h", "hour": "h", "days": "d",
    "weeks": "wk", "months": "mo", "years": "yr",
    "kb": "kB", "mb": "MB", "gb": "GB", "tb": "TB", "kwh": "kWh", "mwh": "MWh",
    "kw": "kW", "mw": "MW", "°c": "°C",
}  # fmt: skip
UNIT_WORDS = frozenset(word for unit in _UNITS for word in unit.split())
_MULTIPLIERS = {
    "thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12,
    "k": 1e3, "m": 1e6,  # only written straight after the digits: "40k", "€12m"
}  # fmt: skip
_WORD_MULTIPLIERS = [word for word in _MULTIPLIERS if len(word) > 1]
_CONTRACTIONS = [
    (re.compile(r"\bcan[\u2019']t\b|\bcannot\b", re.I), "can not"),
    (re.compile(r"\bwon[\u2019']t\b", re.I), "will not"),
    (re.compile(r"\bshan[\u2019']t\b", re.I), "shall not"),
    (re.compile(r"n[\u2019']t\b", re.I), " not"),
    (re.compile(r"[\u2019']s\b", re.I), ""),
    (re.compile(r"[\u2019'](?:re|ve|ll|d|m)\b", re.I), ""),
]


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_LEXER = re.compile(
    rf"""
    (?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}\b)
  | (?P<dmy>\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b)
  | (?P<mdy>\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b)
  | (?P<my>\b{_MONTH}\s+\d{{4}}\b)
  | (?P<time>\b\d{{1,2}}:\d{{2}}(?:\s*[ap]\.?m\b\.?)?)
  | (?P<quantity>
        (?:(?P<pre>[$€£])\s?|\b(?P<precode>usd|eur|gbp|chf)\s?)?
        (?P<number>(?<![\d.,])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?:\s?(?P<mult>{_alternatives(_WORD_MULTIPLIERS)})\b|(?P<short>[km])\b)?
        (?:\s?(?P<unit>{_alternatives(_UNITS)})(?![^\W\d_]))?
    )
  | (?P<word>[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*)
  | (?P<brk>[.;:!?()\[\]\u2013\u2014]|,(?!\d{{3}})|\s-\s)
    """,
    re.VERBOSE | re.IGNORECASE,
)


class Kind(StrEnum):
    """What a lexed token is."""

    WORD = "word"
    QUANTITY = "quantity"
    DATE = "date"
    TIME = "time"
    BREAK = "break"


@dataclass(frozen=True)
class DateValue:
    """A calendar date known to year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None

    def compatible(self, other: DateValue) -> bool:
        """Whether both may name the same day ("2024" fits "2024-02-12")."""
        return (
            self.year == other.year
            and (self.month is None or other.month is None or self.month == other.month)
            and (self.day is None or other.day is None or self.day == other.day)
        )


@dataclass(frozen=True)
class Quantity:
    """An amount with its canonical unit (None: a plain count)."""

    value: float
    unit: str | None

    def agrees(self, other: Quantity, tolerance: float = 0.01) -> bool:
        """Same unit and equal within `tolerance` of the larger magnitude."""
        if self.unit != other.unit:
            return False
        return abs(self.value - other.value) <= tolerance * max(abs(self.value), abs(other.value))


@dataclass(frozen=True)
class Lexeme:
    """One token of a text, with its surface form."""

    kind: Kind
    text: str
    quantity: Quantity | None = None
    date: DateValue | None = None


def expand_contractions(text: str) -> str:
    """Spell out English negative contractions and drop possessive "'s"."""
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def lex(text: str) -> list[Lexeme]:
    """The tokens of `text` in order (contractions already expanded)."""
    lexemes = []
    for match in _LEXER.finditer(expand_contractions(text)):
        kind = match.lastgroup
        surface = match.group(0).strip()
        if kind == "word":
            lexemes.append(Lexeme(Kind.WORD, surface))
        elif kind == "brk":
            lexemes.append(Lexeme(Kind.BREAK, surface))
        elif kind == "time":
            lexemes.append(Lexeme(Kind.TIME, surface))
        elif kind == "quantity":
            lexemes.append(_quantity(match, surface))
        else:
            lexemes.append(Lexeme(Kind.DATE, surface, date=_date(surface)))
    return lexemes


def _quantity(match: re.Match[str], surface: str) -> Lexeme:
    number = match.group("number")
    pre = match.group("pre") or match.group("precode")
    mult, unit = match.group("mult") or match.group("short"), match.group("unit")
    if not (pre or mult or unit) and re.fullmatch(r"\d{4}", number) and 1800 <= int(number) <= 2100:
        return Lexeme(Kind.DATE, surface, date=DateValue(int(number)))
    value = float(number.replace(",", "")) * (_MULTIPLIERS[mult.lower()] if mult else 1.0)
    canonical = _UNITS[unit.lower()] if unit else None
    if pre:
        canonical = _CURRENCY_SYMBOLS.get(pre) or pre.upper()
    return Lexeme(Kind.QUANTITY, surface, quantity=Quantity(value, canonical))


def _date(surface: str) -> DateValue:
    text = surface.lower().replace(",", " ").replace(".", " ")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", surface):
        iso_year, iso_month, iso_day = (int(part) for part in surface.split("-"))
        return DateValue(iso_year, iso_month, iso_day)
    parts = [part for part in text.split() if part != "of"]
    month = next(_MONTHS[p] for p in parts if p in _MONTHS)
    numbers = [int(re.sub(r"\D", "", p)) for p in parts if p[0].isdigit()]
    year = next(n for n in numbers if n > 31)
    day = next((n for n in numbers if n <= 31), None)
    return DateValue(year, month, day)
