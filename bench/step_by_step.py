"""The after-ingest pass as it ran before issue 18, step by step, each step reading again what
it needs (the document's rows three times, the entities' rows after every healing action),
with its services built afresh for every document: the baseline of `bench/after_ingest.py`
and the reference the one pass is compared with (tests/integration/test_document_pass.py).
"""

from __future__ import annotations

from governance.services import GovernanceServices
from trust.rows import document_entities
from trust.services import TrustTools


async def step_by_step(tools: TrustTools, governance: GovernanceServices, document_id: str) -> None:
    """detect contradictions -> update trust -> heal -> sync facts, as the steps ran them."""
    await tools.detector.scan_document(document_id)
    await tools.semantic.scan_document(document_id)
    await governance.check_policies(document_id)
    await tools.engine.update_document(document_id, facts=False)
    entities = await document_entities(tools.engine.graph, document_id)
    await tools.healer.heal_entities(entities)
    await tools.engine.update_document(document_id, facts=True)
