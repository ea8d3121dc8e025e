// Test-only: forget the kept least trusted rows of $tables (rows tests wrote straight into the
// graph bypass them), as a store written before they were kept has none.
UNWIND $tables AS name
MATCH (a:TrustAggregate {table: name})
REMOVE a.lowest, a.lowest_trust, a.lowest_all
