// Benchmark: Fact nodes of table $table with their evidence (JSON naming the sources for and
// against each value), as `trust/write_facts` stores them (no rows behind them).
UNWIND $facts AS fact
CREATE (:Fact {id: fact.id, table: $table, entity: fact.entity, attribute: fact.attribute,
               status: fact.status, evidence: fact.evidence, confidence: 0.9})
