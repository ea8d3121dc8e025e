"""Truth discovery: which value of each item is true, and how accurate each source is.

The model is ACCU (Dong, Berti-Equille, Srivastava, "Integrating conflicting data: the role
of source dependence", VLDB 2009), vectorised with numpy and scipy.sparse. Sources claim
values; a value is one cluster of agreeing claims (`trust.compare.cluster_values`) for one
item (an entity's attribute). Starting from `A(s) = 0.8` (or `prior_trust`), repeat:

    vote     tau(s) = ln(N * A(s) / (1 - A(s)))               N = FALSE_VALUES
    score    C(v)   = sum of w(s, v) * tau(s) over the sources s claiming v
    similar  C*(v)  = C(v) + RHO * sum of sim(v, v') * C(v') over v's item's other values
    conf     P(v)   = exp C*(v) / sum of exp C*(v') over the values v' of v's item
    trust    A(s)   = mean of P(v) over the values s claims, clamped to [EPS, 1 - EPS]

until no `A(s)` moves by `tolerance` or more. `sim` is `trust.compare.value_similarity` (0
when unknown): close values support each other (AccuSim, Dong et al. 2009), so a time two
minutes past the tolerance or an author list naming the same first author adds a little.
The log-odds vote lets a few accurate sources outvote many weak ones, and a source worse
than chance (A < 1 / (N + 1)) votes against.

What the scores mean: `P(v)` is the probability that `v` is its item's true value, given the
source accuracies, if sources err independently and uniformly over N false values, and if
one of the claimed values is true; it sums to 1 over an item, so an item only one source
speaks for is certain. `A(s)` is the expected fraction of a source's claims that are true.

Copying (Dong et al. 2009, `trust.dependence`): after a first run, every pair of sources that
share items gets a probability of being dependent from the values they share (false ones
weigh much more than true ones) and from their accuracy on the rest; the votes of dependent
sources are discounted (`trust.dependence.discount`) and the iteration runs again from the
trust reached. Detection and discount are repeated with the new confidences (a bloc of
copiers that first outvoted the truth is weighed again once its votes count less) until
the winners and the reported pairs (which source copies which, not their probabilities,
which move a little every round) no longer change, at most COPY_ROUNDS times. Only pairs
the shared values alone show dependent are kept then (`detect` without forms, one more run
if any is dropped): written forms find a bloc early, but a shared house style is no copying.

Accuracy by attribute (`trust.attribute_trust`): when the claims name their items'
attributes, a last run from the trust reached lets each claim vote with its source's
accuracy on that attribute, measured on the other half of the attribute's items
(discounted claims counting their kept share) and used only where it differs from `A(s)`
with statistical support. It comes after dependence detection, so a bloc that copies some
attributes cannot first look accurate there and hide its shared errors.

Calibration (`trust.calibration`): `P(v)` above is what the iteration runs on; what facts and
policy thresholds read is `fact_confidence`, the same votes recomputed with accuracies
shrunk by their evidence, the measured coincidence of wrong values and an open world, fitted
at the end of each `discover` and given to `resolve` as a full pass stored it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats, Ints
from trust.attribute_trust import AttributeTrust, Cells
from trust.calibration import Calibration, fit
from trust.dependence import Dependence, detect, discount, wrong_coincidence
from trust.overlap import Overlap
from trust.tie_break import TIE, even, even_ties, evidence

FALSE_VALUES = 10
EPS = 1e-3
INITIAL_TRUST = 0.8
COPY_ROUNDS = 5
RHO = 0.5
"""How much a similar value's score counts toward a value's (Dong et al. use 0.5 and up)."""

__all__ = [
    "ClaimSet",
    "Floats",
    "Ints",
    "TruthResult",
    "discover",
    "majority_vote",
    "resolve",
]


@dataclass(frozen=True)
class TruthResult:
    """The outcome of `discover` (see the module docstring for what the scores mean)."""

    source_trust: Floats
    value_confidence: Floats
    winner: Ints  # per item, the most confident value (lowest id on a tie); -1 if none
    iterations: int
    converged: bool
    dependence: Dependence
    attribute_trust: AttributeTrust
    """Each source's accuracy per attribute it claims (`trust.attribute_trust`)."""
    calibration: Calibration
    """What the calibrated confidence was computed with (`trust.calibration`)."""
    fact_confidence: Floats
    """Per value, its calibrated confidence: what a fact and the policy thresholds read."""
    evidence: Floats
    """Per source, the claims its accuracy rests on (`trust.tie_break.evidence`)."""

    @property
    def copying(self) -> list[tuple[int, int, float]]:
        """(original, copier, probability) of the dependent pairs, sorted."""
        return [(a, b, p) for a, b, p, _, _ in self.dependence.pairs()]


class _State(NamedTuple):
    trust: Floats
    cells: Floats  # per (source, attribute) cell of `trust.attribute_trust.Cells`
    confidence: Floats
    iterations: int
    converged: bool


def discover(
    claims: ClaimSet,
    *,
    prior_trust: Floats | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
    detect_copying: bool = True,
) -> TruthResult:
    """Resolve every item and estimate every source's accuracy (ACCU, see the module)."""
    incidence = _incidence(claims)
    trust = (
        np.full(claims.n_sources, INITIAL_TRUST)
        if prior_trust is None
        else np.clip(np.asarray(prior_trust, dtype=np.float64), EPS, 1 - EPS)
    )
    groups = _Groups(claims.item_of_value, claims.n_items)
    flat = Cells(claims, incidence, by_attribute=False)
    start = _State(trust, flat.held(trust, None), np.zeros(0), 0, False)
    weights = _with_similar(claims, incidence)
    state = _iterate(weights, incidence, groups, flat, start, max_iterations, tolerance)
    winner = groups.winners(state.confidence)
    dependence = Dependence.none()
    if detect_copying:
        state, winner, dependence = _with_dependence(
            claims, incidence, groups, flat, state, winner, max_iterations, tolerance
        )
    cells = Cells(claims, incidence)
    if cells.split:
        votes = discount(incidence, state.trust, dependence)
        again = _iterate(
            _with_similar(claims, votes),
            incidence,
            groups,
            cells,
            state._replace(cells=cells.held(state.trust, None)),
            max_iterations,
            tolerance,
            votes,
        )
        state = again._replace(iterations=state.iterations + again.iterations)
    coincide = wrong_coincidence(claims, incidence, state.confidence, FALSE_VALUES)
    calibration = fit(claims, state.confidence, coincide)
    claimed = evidence(claims, cells)
    confidence, evened = _decided(
        claims,
        incidence,
        groups,
        cells,
        state.cells,
        claimed,
        state.trust,
        dependence,
        state.confidence,
    )
    calibrated = _calibrated(claims, incidence, state.trust, dependence, calibration, confidence)
    return TruthResult(
        state.trust,
        confidence,
        groups.winners(confidence),
        state.iterations,
        state.converged,
        dependence,
        cells.result(state.cells),
        calibration,
        even(calibrated, evened, claims.item_of_value),
        claimed,
    )


def _decided(
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    groups: _Groups,
    cells: Cells,
    cell_trust: Floats,
    claimed: Floats,
    trust: Floats,
    dependence: Dependence,
    confidence: Floats,
) -> tuple[Floats, Ints]:
    """The value confidences with the ties of the count that the weighted vote may not
    break evened (`trust.tie_break`), and the values evened."""
    weights = _with_similar(claims, discount(incidence, trust, dependence))
    evened = even_ties(
        claims,
        incidence,
        weights,
        groups.winners(confidence),
        cell_trust[cells.cell_of_claim],
        claimed[cells.source_of_claim],
        cells,
    )
    return even(confidence, evened, claims.item_of_value), evened


def _calibrated(
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    trust: Floats,
    dependence: Dependence,
    calibration: Calibration,
    confidence: Floats,
) -> Floats:
    """Per value, its calibrated confidence (`trust.calibration`): the votes of the shrunk
    accuracies, discounted and with similar values' support as the engine's, never above the
    posterior `confidence` (calibration corrects overconfidence: a weak source shrunk toward
    the common prior is no new evidence for what it claims); the posterior itself where
    nothing was calibrated."""
    if not calibration.fitted:
        return confidence
    weights = _with_similar(claims, discount(incidence, trust, dependence))
    scores = np.asarray(weights @ calibration.votes(), dtype=np.float64).ravel()
    calibrated = calibration.confidence(scores, claims.item_of_value, claims.n_items)
    return np.minimum(calibrated, confidence)


def _with_dependence(
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    groups: _Groups,
    cells: Cells,
    state: _State,
    winner: Ints,
    max_iterations: int,
    tolerance: float,
) -> tuple[_State, Ints, Dependence]:
    """Detect dependence, discount and iterate again, until the winners and the dependent
    pairs settle (at most COPY_ROUNDS times; see the module docstring)."""
    overlap = Overlap.of(claims, incidence)
    dependence = Dependence.none()
    for _ in range(COPY_ROUNDS):
        found = detect(overlap, claims, incidence, state.confidence, FALSE_VALUES, EPS)
        if not len(found.probability) and not len(dependence.probability):
            break  # independent sources: nothing to discount
        weights = _with_similar(claims, discount(incidence, state.trust, found))
        again = _iterate(weights, incidence, groups, cells, state, max_iterations, tolerance)
        state = again._replace(iterations=state.iterations + again.iterations)
        settled = found.links() == dependence.links()
        dependence, before, winner = found, winner, groups.winners(state.confidence)
        if settled and np.array_equal(before, winner):
            break
    confirmed = _confirmed(dependence, overlap, claims, incidence, state.confidence)
    if len(confirmed.probability) < len(dependence.probability):
        weights = _with_similar(claims, discount(incidence, state.trust, confirmed))
        again = _iterate(weights, incidence, groups, cells, state, max_iterations, tolerance)
        state = again._replace(iterations=state.iterations + again.iterations)
        dependence, winner = confirmed, groups.winners(state.confidence)
    return state, winner, dependence


def _confirmed(
    found: Dependence,
    overlap: Overlap,
    claims: ClaimSet,
    incidence: sp.csr_matrix,
    confidence: Floats,
) -> Dependence:
    """The pairs of `found` that their values alone show dependent at the confidences
    reached (`trust.dependence.detect` without forms): writing values alike finds a copying
    bloc before the truth is known, but two sources sharing a house style and only true
    values are not copiers."""
    alone = detect(overlap, claims, incidence, confidence, FALSE_VALUES, EPS, forms=False)
    keep = {(a, b) for a, b in zip(alone.original.tolist(), alone.copier.tolist(), strict=True)}
    keep |= {(b, a) for a, b in keep}
    mask = np.array(
        [
            (a, b) in keep
            for a, b in zip(found.original.tolist(), found.copier.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return Dependence(
        found.original[mask],
        found.copier[mask],
        found.probability[mask],
        found.shared_true[mask],
        found.shared_false[mask],
    )


def majority_vote(claims: ClaimSet) -> Ints:
    """The value most sources claim, per item; ties go to the lowest value id."""
    counts = np.asarray(_incidence(claims).sum(axis=1), dtype=np.float64).ravel()
    return _Groups(claims.item_of_value, claims.n_items).winners(counts)


class _Groups:
    """Values grouped by item, for per-item max, sum and argmax without Python loops."""

    def __init__(self, item_of_value: Ints, n_items: int) -> None:
        self.item = item_of_value
        self.n_items = n_items
        self.order = np.argsort(item_of_value, kind="stable")
        sorted_items = item_of_value[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_items[1:] != sorted_items[:-1]])
        self.present = sorted_items[self.starts] if len(sorted_items) else sorted_items

    def maximum(self, values: Floats) -> Floats:
        out = np.zeros(self.n_items)
        if len(values):
            out[self.present] = np.maximum.reduceat(values[self.order], self.starts)
        return out

    def softmax(self, scores: Floats) -> Floats:
        exp = np.exp(scores - self.maximum(scores)[self.item])
        return exp / np.bincount(self.item, weights=exp, minlength=self.n_items)[self.item]

    def winners(self, scores: Floats) -> Ints:
        ids = np.arange(len(scores), dtype=np.int64)
        best = scores >= self.maximum(scores)[self.item] - TIE
        candidates = np.where(best, ids, len(scores))
        out = np.full(self.n_items, -1, dtype=np.int64)
        if len(scores):
            out[self.present] = np.minimum.reduceat(candidates[self.order], self.starts)
        return out


def _incidence(claims: ClaimSet) -> sp.csr_matrix:
    """The values x sources 0/1 matrix of claims (duplicates count once)."""
    shape = (len(claims.item_of_value), claims.n_sources)
    ones = np.ones(len(claims.source))
    matrix = sp.csr_matrix((ones, (claims.value, claims.source)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _with_similar(claims: ClaimSet, weights: sp.csr_matrix) -> sp.csr_matrix:
    """Vote weights with similar values' support: `C*` = (W + RHO * S W) tau (module)."""
    if claims.similar is None or not claims.similar.nnz:
        return weights
    return sp.csr_matrix(weights + RHO * (claims.similar @ weights))


def _iterate(
    weights: sp.csr_matrix,
    incidence: sp.csr_matrix,
    groups: _Groups,
    cells: Cells,
    start: _State,
    max_iterations: int,
    tolerance: float,
    votes: sp.csr_matrix | None = None,
) -> _State:
    """Vote and re-estimate from `start`'s trust until it moves by less than `tolerance`;
    `votes` (values x sources, the discounted claims) weighs each claim's evidence of its
    source's accuracy by attribute (undiscounted when not given)."""
    counts = np.asarray(incidence.sum(axis=0), dtype=np.float64).ravel()
    active = counts > 0
    by_source = incidence.T.tocsr()
    kept = cells.kept(incidence if votes is None else votes) if cells.split else np.zeros(0)
    trust, cell_trust = start.trust, start.cells
    confidence = np.zeros(incidence.shape[0])
    for iteration in range(1, max_iterations + 1):
        confidence = groups.softmax(
            cells.scores(weights, _votes(cell_trust[cells.cell_of_claim]))
            if cells.split
            else np.asarray(weights @ _votes(trust))
        )
        updated = trust.copy()
        updated[active] = np.clip((by_source @ confidence)[active] / counts[active], EPS, 1 - EPS)
        change = float(np.max(np.abs(updated - trust), initial=0.0))
        trust = updated
        if cells.split:
            moved = cells.accuracy(trust, confidence, EPS, kept)
            change = max(change, float(np.max(np.abs(moved - cell_trust), initial=0.0)))
            cell_trust = moved
        else:
            cell_trust = trust[cells.source]
        if change < tolerance:
            return _State(trust, cell_trust, confidence, iteration, True)
    return _State(trust, cell_trust, confidence, max_iterations, False)


def resolve(
    claims: ClaimSet,
    source_trust: Floats,
    dependence: Dependence | None = None,
    attribute_trust: AttributeTrust | None = None,
    calibration: Calibration | None = None,
    claimed: Floats | None = None,
) -> TruthResult:
    """Value confidences and winners for a fixed source trust: one vote, nothing re-estimated.

    This is what an incremental update computes for the items a new document touched; with
    the trust (overall and by attribute, a cell not given voting with its source's) and the
    `dependence` a full `discover` reached it gives that pass's confidences to within its
    convergence tolerance; with the `calibration` it stored (`trust.calibration.stored`), its
    calibrated confidences too; with the `claimed` evidence it stored (`TruthResult.evidence`,
    none: no evidence), its decisions of the count's ties (`trust.tie_break`).
    """
    trust = np.clip(np.asarray(source_trust, dtype=np.float64), EPS, 1 - EPS)
    groups = _Groups(claims.item_of_value, claims.n_items)
    found = dependence or Dependence.none()
    incidence = _incidence(claims)
    cells = Cells(claims, incidence)
    cell_trust = np.clip(cells.held(trust, attribute_trust), EPS, 1 - EPS)
    weights = _with_similar(claims, discount(incidence, trust, found))
    posterior = groups.softmax(cells.scores(weights, _votes(cell_trust[cells.cell_of_claim])))
    held = calibration or Calibration.none()
    evidence_held = np.zeros(claims.n_sources) if claimed is None else claimed
    confidence, evened = _decided(
        claims, incidence, groups, cells, cell_trust, evidence_held, trust, found, posterior
    )
    calibrated = _calibrated(claims, incidence, trust, found, held, confidence)
    return TruthResult(
        trust,
        confidence,
        groups.winners(confidence),
        0,
        True,
        found,
        cells.result(cell_trust),
        held,
        even(calibrated, evened, claims.item_of_value),
        evidence_held,
    )


def _votes(trust: Floats) -> Floats:
    """tau(s) = ln(N A(s) / (1 - A(s))) (module docstring)."""
    return np.asarray(np.log(FALSE_VALUES * trust / (1 - trust)))
