"""Generated sources over the demo's tables, for benches that need a larger graph than the
demo's: a seeded world of cities, organizations and people, told by four folders that each
know part of it and get a known share of it wrong (a copying folder among them), so the
graph holds agreement, value conflicts, copying and trust of every shade."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

COUNTRIES = ("DE", "FR", "PT", "PL", "AT", "FI", "NL", "ES", "IT", "SE")
FIRST = ("Ana", "Ben", "Chloé", "Dawid", "Eero", "Fatima", "Gustav", "Hana", "Ivo", "Jana")
LAST = ("Almeida", "Berger", "Costa", "Dąbrowski", "Eklund", "Fischer", "Gomes", "Huber")


@dataclass(frozen=True)
class Teller:
    """One generated source: the share of the world it knows, the share it gets wrong, and
    the folder it copies its values from (when it copies)."""

    folder: str
    coverage: float
    error_rate: float
    copies: str | None = None


TELLERS = (
    Teller("gen-census", coverage=0.9, error_rate=0.02),
    Teller("gen-atlas", coverage=0.7, error_rate=0.08),
    Teller("gen-press", coverage=0.6, error_rate=0.30),
    Teller("gen-mirror", coverage=0.5, error_rate=0.05, copies="gen-press"),
)

Record = dict[str, str]


def _cities(rng: random.Random, count: int) -> list[Record]:
    return [
        {
            "city_id": f"gen{i:05d}-{country.lower()}",
            "name": f"Genstadt {i}",
            "country": country,
            "population": str(rng.randint(20_000, 2_000_000)),
            "area_km2": f"{rng.uniform(20, 900):.2f}",
            "mayor": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "updated_at": f"2026-{rng.randint(1, 9):02d}-01T08:00:00Z",
        }
        for i in range(count)
        for country in [rng.choice(COUNTRIES)]
    ]


def _organizations(rng: random.Random, count: int) -> list[Record]:
    return [
        {
            "org_id": f"genorg{i:04d}",
            "name": f"Generated Works {i}",
            "country": rng.choice(COUNTRIES),
            "founded": f"{rng.randint(1950, 2020)}-{rng.randint(1, 12):02d}-01",
            "employees": str(rng.randint(5, 20_000)),
            "revenue_musd": f"{rng.uniform(0.5, 900):.1f}",
            "ceo": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "website": f"https://www.genorg{i:04d}.example",
        }
        for i in range(count)
    ]


def _people(rng: random.Random, count: int, organizations: int) -> list[Record]:
    people = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            {
                "person_id": f"genp{i:05d}",
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{i}@generated.example",
                "phones": f"+49 30 555 {i:05d}",
                "title": rng.choice(("Analyst", "Engineer", "Director", "Data Steward")),
                "employer": f"genorg{rng.randrange(organizations):04d}",
                "born": f"{rng.randint(1955, 2000)}-{rng.randint(1, 12):02d}-15",
            }
        )
    return people


def _wrong(field: str, value: str, rng: random.Random) -> str:
    """A plausible wrong value for `field` (numbers off by far more than any tolerance)."""
    if field in ("population", "employees"):
        return str(int(int(value) * rng.choice((0.7, 1.3))))
    if field in ("area_km2", "revenue_musd"):
        return f"{float(value) * rng.choice((0.6, 1.5)):.2f}"
    if field in ("mayor", "ceo", "name"):
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if field == "title":
        return rng.choice(("Intern", "Consultant"))
    return value


WRONGABLE = {"population", "area_km2", "mayor", "employees", "revenue_musd", "ceo", "title"}


KEYS = {"cities": "city_id", "organizations": "org_id", "people": "person_id"}


def _told(
    teller: Teller, table: str, truth: list[Record], told: dict[str, list[Record]], seed: int
) -> list[Record]:
    """What `teller` says about `truth`: its share of the records, some values wrong; a
    copier repeats its original's record where both know the entity."""
    rng = random.Random(f"{seed}:{teller.folder}:{table}")
    key = KEYS[table]
    original = {r[key]: r for r in told.get(teller.copies or "", [])}
    records = []
    for record in truth:
        if rng.random() >= teller.coverage:
            continue
        if record[key] in original:
            records.append(dict(original[record[key]]))
            continue
        said = dict(record)
        for field in WRONGABLE & said.keys():
            if rng.random() < teller.error_rate:
                said[field] = _wrong(field, said[field], rng)
        records.append(said)
    return records


def write_generated_sources(root: Path, *, cities: int, seed: int = 7) -> dict[str, int]:
    """Write the generated folders under `root` (one per teller, a CSV per table), with
    `cities` cities (at least 10), a fifth as many organizations and two fifths as many
    people; the number of rows written per table."""
    if cities < 10:
        raise ValueError("at least 10 cities, so every folder knows some of each table")
    rng = random.Random(seed)
    organizations = max(1, cities // 5)
    world: dict[str, list[Record]] = {
        "cities": _cities(rng, cities),
        "organizations": _organizations(rng, organizations),
        "people": _people(rng, 2 * cities // 5, organizations),
    }
    written = dict.fromkeys(world, 0)
    told: dict[str, dict[str, list[Record]]] = {table: {} for table in world}
    for teller in sorted(TELLERS, key=_originals_first):
        folder = root / teller.folder
        folder.mkdir(parents=True, exist_ok=True)
        for table, truth in world.items():
            records = _told(teller, table, truth, told[table], seed)
            told[table][teller.folder] = records
            _write_csv(folder / f"{table}.csv", records)
            written[table] += len(records)
    return written


def _originals_first(teller: Teller) -> int:
    return 1 if teller.copies else 0


def _write_csv(path: Path, records: list[Record]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
