"""The trust part of the schema: a table's trust dashboard and one row's explanation.

The dashboard is answered from the one the API process holds for the table
(`api.gql.dashboard_cache`, read by `api.gql.trust_dashboard`), after the caller's right to
read the table is checked, as for every field. A row's explanation is derived from the
signals and propagated score stored with its trust, and the model that scored it if any
(`trust.scoring.stored_parts`), ranked by `trust.score.explain` with the evidence around the
row.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import strawberry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from strawberry.dataloader import DataLoader

from api.gql.arguments import InvalidArgumentError, checked_id
from api.gql.context import GraceContext, GraceInfo
from api.gql.least_trusted import TrustWindow, least_trusted
from api.gql.loaders import by_id
from api.gql.permissions import ResourceOf, Target, requires, table_arg
from api.gql.review import FactRecord, fact_loader, known_table
from api.gql.trust_dashboard import TrustDashboard, TrustScoringMode
from governance.errors import NotFoundError
from governance.rbac import Action
from graph.errors import GraceError
from trust.dependence import COPY_RATE
from trust.features import read_features
from trust.learning import ScoringMode, TrainedModel
from trust.model_store import models_by_version
from trust.score import (
    CONTRIBUTIONS,
    EvidencePath,
    Explanation,
    TrustScore,
    combine_array,
    explain,
)
from trust.scoring import stored_parts
from trust.votes import Vote, item_votes

MAX_EVIDENCE_PATHS = 20
LEARNED_PART = "learned_model"
"""A document's part from rows a learned model scored (their mean trust share)."""


@strawberry.enum(description="What an explanation's contributions add up to.")
class ContributionScale(StrEnum):
    """The combined score's parts add up to the score; a learned model's to its log-odds."""

    SCORE = "score"
    LOG_ODDS = "log_odds"
    VOTES = "votes"
    """A fact's parts: each source's vote (log-odds, after the dependence discount), for
    the fact's value (positive) or against it (negative)."""


class NotScoredError(GraceError):
    """The row, document, source or fact has no trust score yet (no trust pass reached it; a
    source's parts come with the full pass)."""

    code = "not_scored"

    def __init__(self, row_id: str) -> None:
        self.row_id = row_id
        super().__init__(f"{row_id!r} has not been scored yet")


@strawberry.type(description="One additive part of a score.")
class TrustContribution:
    """A signal (or the propagated score, or a model's intercept) and its part."""

    name: str
    value: float


@strawberry.type(description="A path through the graph that bears on a score.")
class TrustEvidencePath:
    """What the path shows, how much it weighs, and the nodes along it."""

    description: str
    weight: float
    node_ids: list[str]


@strawberry.type(description="Why a row has its trust score.")
class TrustExplanation:
    """The score, its additive contributions by magnitude, and the heaviest evidence."""

    node_id: strawberry.ID
    table: str
    score: float
    mode: TrustScoringMode  # type: ignore[valid-type]
    model_version: int | None
    sums_to: ContributionScale
    contributions: list[TrustContribution]
    evidence: list[TrustEvidencePath]
    summary: str

    @classmethod
    def of(
        cls,
        node_id: str,
        table: str,
        ranked: Explanation,
        *,
        mode: ScoringMode = ScoringMode.PROPAGATED,
        model_version: int | None = None,
        sums_to: ContributionScale = ContributionScale.SCORE,
        summary: str,
    ) -> TrustExplanation:
        """The GraphQL view of a ranked explanation of one node's score."""
        return cls(
            node_id=strawberry.ID(node_id),
            table=table,
            score=ranked.value,
            mode=mode,
            model_version=model_version,
            sums_to=sums_to,
            contributions=[TrustContribution(name=n, value=v) for n, v in ranked.contributions],
            evidence=[
                TrustEvidencePath(
                    description=path.description, weight=path.weight, node_ids=list(path.node_ids)
                )
                for path in ranked.evidence
            ],
            summary=summary,
        )


class TrustNodeRecord(BaseModel):
    """A row with its stored trust, what explains it and its surrounding evidence
    (`api/trust_nodes`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    table: str
    trust: float | None = None
    mode: str | None = None
    model: int | None = None
    signals: list[float] | None = None
    propagated: float | None = None
    origin: dict[str, Any] | None = None
    contradictions: list[dict[str, Any]] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)
    conflicts: list[dict[str, Any]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _read_features(cls, data: Any) -> Any:
        """`signals` and `propagated` from the row's stored list and the time of the last full
        pass (`features`, `clock`: `trust.features`)."""
        if not isinstance(data, Mapping) or "features" not in data:
            return data
        read = read_features(data["features"], data.get("clock"))
        signals, propagated = read if read is not None else (None, None)
        return {**data, "signals": signals, "propagated": propagated}


async def readable_document(context: GraceContext, record: DocumentTrustRecord) -> bool:
    """Whether the caller may read every table of the document's scored rows (a document
    without any: the whole default workspace, as for text)."""
    if not record.tables:
        return context.access.may_read_workspace()
    return set(record.tables) <= await context.access.tables()


def trust_node_loader(context: GraceContext) -> DataLoader[str, TrustNodeRecord | None]:
    """Rows with their trust and evidence by id (None for an unknown id), one query a batch."""

    async def load(ids: list[str]) -> list[TrustNodeRecord | None]:
        records = await context.services.graph.read("api/trust_nodes", {"ids": ids})
        return by_id(records, ids, TrustNodeRecord.model_validate, None)

    return DataLoader(load_fn=load)


def node_table(name: str) -> ResourceOf:
    """The table of the row or fact the argument `name` names (anything else: the default
    workspace, so a refusal reveals nothing and the resolver says `not_found`)."""

    async def find(context: GraceContext, arguments: Mapping[str, Any]) -> Target:
        node_id = checked_id(name, str(arguments[name]))
        record = await context.loader(trust_node_loader).load(node_id)
        if record is not None:
            return Target(table=record.table, by_node=True)
        fact = await context.loader(fact_loader).load(node_id)
        return Target(table=fact.table if fact is not None else None, by_node=True)

    return find


async def scoring_model(context: GraceContext, record: TrustNodeRecord) -> TrainedModel | None:
    """The learned model that scored a row (None for the combined score, or a model no longer
    stored)."""
    if record.mode != ScoringMode.LEARNED or record.model is None:
        return None
    models = await models_by_version(context.services.graph, [record.model])
    return models.get(record.model)


def evidence_paths(record: TrustNodeRecord) -> list[EvidencePath]:
    """The paths around a row that bear on its trust: its source, the rows it contradicts
    (or that contradict it), the facts resolved from it and the open conflicts on it."""
    paths: list[EvidencePath] = []
    origin = record.origin
    if origin is not None:
        trust = origin.get("source_trust")
        weight = float(trust) if trust is not None else 0.0
        paths.append(
            EvidencePath(
                description=f"extracted from {origin['path']} of source {origin['source']} "
                f"(source trust {weight:.2f})",
                weight=weight,
                node_ids=tuple(str(n) for n in (record.id, origin["document"], origin["source"])),
            )
        )
    for edge in record.contradictions:
        verb = "contradicts" if edge["outgoing"] else "is contradicted by"
        score = float(edge["score"] or 0.0)
        paths.append(
            EvidencePath(
                description=f"{verb} row {edge['row']} on {edge['attribute']} "
                f"(confidence {score:.2f})",
                weight=score,
                node_ids=(record.id, str(edge["row"])),
            )
        )
    for fact in record.facts:
        confidence = float(fact["confidence"] or 0.0)
        paths.append(
            EvidencePath(
                description=f"resolved into the {fact['status']} fact on {fact['attribute']} "
                f"(confidence {confidence:.2f})",
                weight=confidence,
                node_ids=(str(fact["fact"]), record.id),
            )
        )
    for conflict in record.conflicts:
        score = float(conflict["score"] or 0.0)
        paths.append(
            EvidencePath(
                description=f"takes part in the open conflict on {conflict['attribute']} "
                f"(suggestion confidence {score:.2f})",
                weight=score,
                node_ids=(str(conflict["conflict"]), record.id),
            )
        )
    return paths


def explanation_of(
    record: TrustNodeRecord, top: int, model: TrainedModel | None = None
) -> TrustExplanation:
    """A row's explanation, ranked, with its `top` heaviest evidence paths; `model` is the
    learned model that scored it (a row scored by the combined score needs none)."""
    mode = ScoringMode(record.mode or ScoringMode.PROPAGATED)
    learned = mode is ScoringMode.LEARNED
    if (
        record.trust is None
        or record.signals is None
        or record.propagated is None
        or (learned and model is None)
    ):
        raise NotScoredError(record.id)
    ranked = explain(
        TrustScore(
            value=record.trust,
            contributions=stored_parts(record.signals, record.propagated, model),
        ),
        evidence_paths(record),
        top_k=top,
    )
    summary = ranked.summary
    if mode is ScoringMode.LEARNED:
        terms = " + ".join(f"{part:.2f} {name}" for name, part in ranked.contributions)
        summary = f"{record.trust:.2f} = sigmoid({terms})"
    return TrustExplanation.of(
        record.id,
        record.table,
        ranked,
        mode=mode,
        model_version=record.model,
        sums_to=ContributionScale.LOG_ODDS if learned else ContributionScale.SCORE,
        summary=summary,
    )


class MeanTrustRecord(BaseModel):
    """The trust of a set of rows (a document's, a table's), their mean, with the sums that
    explain it (`api/trust_documents`, `api/trust_table`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    trust: float | None = None
    rows: int
    tables: list[str]
    learned_sum: float
    learned_rows: int
    propagated_sum: float
    signal_sums: list[float]
    weakest: list[dict[str, Any]] = Field(default_factory=list)


class DocumentTrustRecord(MeanTrustRecord):
    """A document's trust with the sums that explain it, and its source."""

    path: str
    source: str | None = None
    source_trust: float | None = None


def document_trust_loader(context: GraceContext) -> DataLoader[str, DocumentTrustRecord | None]:
    """Documents with what explains their trust, by id (None for an unknown id)."""

    async def load(ids: list[str]) -> list[DocumentTrustRecord | None]:
        records = await context.services.graph.read(
            "api/trust_documents", {"ids": ids, "top": MAX_EVIDENCE_PATHS}
        )
        return by_id(records, ids, DocumentTrustRecord.model_validate, None)

    return DataLoader(load_fn=load)


def document_explanation(record: DocumentTrustRecord, top: int) -> TrustExplanation:
    """Why a document has its trust, the mean of its active rows' trust (`mean_explanation`),
    with its source among the evidence."""
    source: list[EvidencePath] = []
    if record.source is not None:
        weight = float(record.source_trust or 0.0)
        source.append(
            EvidencePath(
                description=f"from source {record.source} (source trust {weight:.2f})",
                weight=weight,
                node_ids=(record.id, record.source),
            )
        )
    return mean_explanation(record, top, source)


def mean_explanation(
    record: MeanTrustRecord, top: int, more_evidence: Sequence[EvidencePath] = ()
) -> TrustExplanation:
    """Why a set of rows (a document's, a table's) has its trust, the mean of its active
    rows' trust: each part is that part's sum over the rows divided by their number, so the
    parts add up to the mean. Rows scored by the combined score bring their signals and
    propagated score (the combination is linear); rows scored by a learned model bring their
    trust as one part. The least trusted rows are the evidence, with `more_evidence`."""
    if record.trust is None or record.rows == 0:
        raise NotScoredError(record.id)
    combined = record.rows - record.learned_rows
    parts: list[tuple[str, float]] = []
    if combined:
        _, summed = combine_array(
            np.array([record.signal_sums]) / record.rows,
            np.array([record.propagated_sum]) / record.rows,
        )
        parts += list(zip(CONTRIBUTIONS, summed[0].tolist(), strict=True))
    if record.learned_rows:
        parts.append((LEARNED_PART, record.learned_sum / record.rows))
    evidence = [
        EvidencePath(
            description=f"row {row['id']} has trust {float(row['trust']):.2f}",
            weight=1.0 - float(row["trust"]),
            node_ids=(record.id, str(row["id"])),
        )
        for row in record.weakest
    ]
    ranked = explain(
        TrustScore(value=record.trust, contributions=dict(parts)),
        [*evidence, *more_evidence],
        top,
    )
    return TrustExplanation.of(
        record.id,
        ", ".join(sorted(record.tables)),
        ranked,
        mode=ScoringMode.LEARNED if record.learned_rows else ScoringMode.PROPAGATED,
        summary=f"the mean of {record.rows} rows' trust: {ranked.summary}",
    )


class CopyRecord(BaseModel):
    """The other end of a `COPIES` edge, as `api/trust_sources` reads it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    partner: str
    partner_trust: float | None = None
    probability: float
    shared_false: float


class SourceTrustRecord(BaseModel):
    """A source's trust with its parts by table and what it copies (`api/trust_sources`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    trust: float | None = None
    parts: dict[str, float] = Field(default_factory=dict)
    copies: list[CopyRecord] = Field(default_factory=list)
    copied_by: list[CopyRecord] = Field(default_factory=list)
    estimated: bool = True
    """Whether a full pass estimated the trust; else it is the starting trust of a new source."""

    @field_validator("parts", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or {})


def source_trust_loader(context: GraceContext) -> DataLoader[str, SourceTrustRecord | None]:
    """Sources with their trust parts, by id (None for an unknown id)."""

    async def load(ids: list[str]) -> list[SourceTrustRecord | None]:
        records = await context.services.graph.read("api/trust_sources", {"ids": ids})
        return by_id(records, ids, SourceTrustRecord.model_validate, None)

    return DataLoader(load_fn=load)


def _discounted(record: SourceTrustRecord, copy: CopyRecord) -> str:
    """Whose vote the discount takes from: the less trusted of the two, which comes second
    when the claimers of a value are taken in decreasing trust (`trust.dependence.discount`;
    on a tie, the one the engine numbered later, which the API does not know)."""
    mine, theirs = record.trust or 0.0, copy.partner_trust
    if theirs is None or theirs == mine:
        return "one of the two (their trust is equal)"
    return "it" if mine < theirs else copy.partner


def source_explanation(record: SourceTrustRecord, top: int) -> TrustExplanation:
    """Why a source has its trust, the mean confidence of the values it claims (written by
    the last full pass): one part per table, its claims' summed confidence over all its
    claims, so the parts add up to the trust. Before any full pass, its starting trust split
    over its claims by table (written by the incremental pass)."""
    if record.trust is None or not record.parts:
        raise NotScoredError(record.id)
    edges = [("copies", copy) for copy in record.copies]
    edges += [("is copied by", copy) for copy in record.copied_by]
    evidence = [
        EvidencePath(
            description=f"{verb} source {copy.partner} (probability {copy.probability:.2f}, "
            f"{copy.shared_false:.1f} false values shared): on the values both claim, "
            f"{_discounted(record, copy)} keeps x{1 - COPY_RATE * copy.probability:.2f} of its "
            "vote",
            weight=copy.probability,
            node_ids=(record.id, copy.partner),
        )
        for verb, copy in sorted(edges, key=lambda edge: -edge[1].probability)
    ]
    ranked = explain(TrustScore(value=record.trust, contributions=record.parts), evidence, top)
    basis = (
        "the mean confidence of its claims"
        if record.estimated
        else "the starting trust of a source no full pass has estimated yet, split over its claims"
    )
    return TrustExplanation.of(
        record.id,
        ", ".join(sorted(record.parts)),
        ranked,
        summary=f"{basis}, by table: {ranked.summary}",
    )


def fact_explanation(record: FactRecord, votes: Sequence[Vote], top: int) -> TrustExplanation:
    """Why a fact has its confidence: each source's vote on the item (for its value or
    against), as the engine weighs it after the dependence discount (`trust.votes`), with one
    evidence path per discounted vote naming the copying partner, the probability and the
    share of the vote kept. The posterior is the softmax of the values' summed votes (the
    confidence its calibration, `trust.calibration`), so the
    parts are votes, not shares of the confidence."""
    if not votes:
        raise NotScoredError(record.id)
    parts = {
        f"{vote.source} ({'for' if vote.winning else 'against'})": (
            vote.vote * vote.kept * (1 if vote.winning else -1)
        )
        for vote in votes
    }
    evidence = [
        EvidencePath(
            description=(
                f"source {vote.source}'s vote ({'for' if vote.winning else 'against'} the value) "
                f"kept x{vote.kept:.2f}: it and "
                + ", ".join(
                    f"{d.partner} (copying probability {d.probability:.2f})"
                    for d in vote.discounted_by
                )
                + ", more trusted, claim the same value"
            ),
            weight=1.0 - vote.kept,
            node_ids=(record.id, vote.source, *(d.partner for d in vote.discounted_by)),
        )
        for vote in votes
        if vote.discounted_by
    ]
    ranked = explain(TrustScore(value=record.confidence, contributions=parts), evidence, top)
    backing = sum(vote.winning for vote in votes)
    return TrustExplanation.of(
        record.id,
        record.table,
        ranked,
        sums_to=ContributionScale.VOTES,
        summary=f"confidence {record.confidence:.2f} from {backing} source(s) for the value and "
        f"{len(votes) - backing} against, {len(evidence)} vote(s) discounted as copies",
    )


@strawberry.type
class TrustQuery:
    """Reading trust: per-table dashboards and per-row explanations."""

    @strawberry.field(
        description="A table's trust: mean, distribution and low/high counts of its active rows "
        "now (thresholds from policy), its trend, and the scoring mode in force.",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def trust_dashboard(self, info: GraceInfo, table: str) -> TrustDashboard:
        context = info.context
        await known_table(context, table)
        return await context.services.dashboards.get(table)

    @strawberry.field(
        description="Why a row, a document, a source or a fact has its trust: the score, each "
        "part of it (they add up to the score, or to a row's log-odds under a learned model; a "
        "document's parts are its rows' mean parts, a source's its claims' by table; a fact's "
        "are the sources' votes after the dependence discount) and the heaviest evidence "
        "paths (a source's copying, a fact's discounted votes with their partners).",
        extensions=requires(Action.READ, on=node_table("node_id")),
    )
    async def trust_explanation(
        self, info: GraceInfo, node_id: strawberry.ID, top: int = 3
    ) -> TrustExplanation:
        if not 0 <= top <= MAX_EVIDENCE_PATHS:
            raise InvalidArgumentError("top", f"must be between 0 and {MAX_EVIDENCE_PATHS}")
        context, wanted = info.context, str(node_id)
        readable = await context.access.tables()
        row = await context.loader(trust_node_loader).load(wanted)
        if row is not None:
            if row.table in readable:
                return explanation_of(row, top, await scoring_model(context, row))
            raise NotFoundError("row, document or source", wanted)
        document = await context.loader(document_trust_loader).load(wanted)
        if document is not None:
            if await readable_document(context, document):
                return document_explanation(document, top)
            raise NotFoundError("row, document or source", wanted)
        source = await context.loader(source_trust_loader).load(wanted)
        if source is not None and source.parts and set(source.parts) <= readable:
            return source_explanation(source, top)
        fact = await context.loader(fact_loader).load(wanted)
        if fact is not None and fact.table in readable:
            tables = (await context.services.trust.current()).tables
            votes = await item_votes(context.services.graph, tables, fact.entity, fact.attribute)
            return fact_explanation(fact, votes, top)
        raise NotFoundError("row, document, source or fact", wanted)

    @strawberry.field(
        description="Why a table's active rows have their mean trust, now: the mean of each "
        "part over the scored rows (they add up to the mean) and the least trusted rows a "
        "trust pass scored as evidence (kept by the passes). Reads every active row of the "
        "table (the dashboard's mean is stored by the trust passes, so the two may differ "
        "until the next pass).",
        extensions=requires(Action.READ, on=table_arg("table")),
    )
    async def table_trust_explanation(
        self, info: GraceInfo, table: str, top: int = 3
    ) -> TrustExplanation:
        if not 0 <= top <= MAX_EVIDENCE_PATHS:
            raise InvalidArgumentError("top", f"must be between 0 and {MAX_EVIDENCE_PATHS}")
        if table not in await info.context.access.tables():
            raise NotFoundError("table", table)
        graph = info.context.services.graph
        [record], weakest = await asyncio.gather(
            graph.read("api/trust_table", {"table": table}),
            least_trusted(graph, table, TrustWindow(MAX_EVIDENCE_PATHS)),
        )
        weakest_rows = [{"id": r["row"]["id"], "trust": r["row"]["trust"]} for r in weakest]
        return mean_explanation(
            MeanTrustRecord.model_validate({**record, "weakest": weakest_rows}), top
        )
