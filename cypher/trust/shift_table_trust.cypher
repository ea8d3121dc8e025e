// Move the stored trust aggregates (`trust/refresh_table_trust`) by what a change to rows did:
// each shift is {table, rows, scored, total, top, buckets} (`trust.aggregate_shift`), the
// difference of the rows that entered the active set (or took a new trust) and those that
// left it (or gave up their old trust), bucketed by the same rule. Reading and setting the
// aggregate in one SET locks it first, so concurrent shifts add up. Returns the tables that
// have an aggregate, each with where its least trusted rows end ([table, listed, whole, last
// trust, last id], `trust.lowest_rows`); the caller refreshes the others from their rows.
UNWIND $shifts AS shift
MATCH (a:TrustAggregate {table: shift.table})
SET a.rows = a.rows + shift.rows, a.scored = a.scored + shift.scored,
    a.total = a.total + shift.total, a.top = a.top + shift.top,
    a.buckets = [b IN range(0, 99) | a.buckets[b] + shift.buckets[b]], a.at = datetime()
RETURN collect([a.table, a.lowest IS NOT NULL, coalesce(a.lowest_all, false),
                a.lowest_trust[-1], a.lowest[-1]]) AS shifted
