"""What an incremental trust pass works on, read in one round trip (`trust/pass_inputs`): the
entities of some documents (or named entities), their active rows, the stored trust, accuracy by
attribute, calibration and evidence of those rows' sources and the `COPIES` edges among them, the
entities' stored facts and the items of theirs with an open value conflict, and the version
of the trust model in force. The after-ingest pass (`trust.document_pass`) also takes the
documents' own rows as the policy check reads them; the engine's incremental passes
(`TrustEngine.update_document`, `update_entities`) do not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.graph import Graph
from trust.claims import RowRecord
from trust.facts import StoredFact
from trust.rows import ScoredBy, parse_rows


@dataclass(frozen=True)
class PassInputs:
    """One read of what an incremental pass works on."""

    entities: list[str]
    rows: list[RowRecord]
    """The active rows of the entities, with their stored trust as `ScoredBy` sees it."""
    exempt: frozenset[str]
    """Rows a person released: never quarantined automatically."""
    source_trust: dict[str, float]
    attribute_trust: dict[str, dict[str, float]]
    """Source -> `table.field#half` -> trust, as the last full pass stored it."""
    calibrations: dict[str, str]
    """Source -> its `trust_calibration` JSON, as the last full pass stored it."""
    evidence: dict[str, float]
    """Source -> the claims its accuracy rests on (`trust_evidence`), as the last full pass
    stored it."""
    copying: list[dict[str, Any]]
    """The `COPIES` edges among those sources, as the last full pass found them."""
    facts: dict[str, StoredFact]
    disputed: set[tuple[str, str]]
    """The (entity, attribute) items with an open value conflict."""
    model: int
    """The version of the trust model in force (0: none)."""
    own: list[list[Any]]
    """The documents' own rows as the policy check reads them (only when asked for)."""
    files: list[tuple[str, str]]
    """The (source, path) of each file the documents are versions of."""


async def read_pass_inputs(
    graph: Graph,
    scored_by: ScoredBy,
    *,
    documents: Sequence[str] = (),
    entities: Sequence[str] = (),
    own: bool = False,
) -> PassInputs:
    """What a pass over the entities of `documents` and `entities` works on, in one round
    trip; with `own`, the documents' own rows too."""
    [record] = await graph.read_plain(
        "trust/pass_inputs",
        {
            "document_ids": list(documents),
            "entities": list(entities),
            "own": own,
            "mode": scored_by.mode,
            "model": scored_by.model,
            "full": scored_by.full,
        },
    )
    sources = [
        {"id": s, "attributes": a, "calibration": c, "evidence": e}
        for s, _, a, c, e in record["sources"]
    ]
    return PassInputs(
        entities=list(record["entities"]),
        rows=parse_rows(record["rows"]),
        exempt=frozenset(record["exempt"]),
        source_trust={s: float(t) for s, t, _, _, _ in record["sources"] if t is not None},
        attribute_trust=attribute_priors(sources),
        calibrations=calibration_records(sources),
        evidence=evidence_records(sources),
        copying=list(record["copying"]),
        facts={f: StoredFact(digest, confidence) for f, digest, confidence in record["facts"]},
        disputed={(entity, attribute) for entity, attribute in record["disputed"]},
        model=int(record["model"]),
        own=list(record["own"]),
        files=[(source, path) for source, path in record["files"]],
    )


def attribute_priors(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Source -> `table.field#half` -> trust, from the `trust_attributes` JSON a full pass stored
    (records: `id`, `attributes`, as `trust/source_attribute_trust` reads them; sources
    without any are left out)."""
    return {
        record["id"]: {name: float(t) for name, t in json.loads(record["attributes"]).items()}
        for record in records
        if record["attributes"]
    }


def calibration_records(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Source -> its stored `trust_calibration` JSON (records: `id`, `calibration`, as
    `trust/source_attribute_trust` reads them; sources without one are left out)."""
    return {record["id"]: record["calibration"] for record in records if record["calibration"]}


def evidence_records(records: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Source -> the claims its accuracy rests on, as a full pass stored it (records: `id`,
    `evidence`, as `trust/source_attribute_trust` reads them; sources without it are left
    out)."""
    return {r["id"]: float(r["evidence"]) for r in records if r["evidence"] is not None}
