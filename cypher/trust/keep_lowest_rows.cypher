// Keep each table's least trusted rows (`trust.lowest_rows`) after a change to its rows, in the
// transaction that made it, once `trust/shift_table_trust` has locked its aggregate. Each of
// $tables is {table, candidates: row ids that may join, cut: whether more could have, refill:
// whether to refill it whatever it holds (after a full pass, which keeps no list)}. The
// listed rows and the candidates are looked up: those active, scored and not past the list's
// old last (any, when the list held the whole table) are kept in (trust, id) order, at most
// $kept. A table without a list, or left with fewer than $refill_below rows of a larger table,
// is refilled by one sort of its rows, counted in `lowest_refills`. Returns the tables refilled.
UNWIND $tables AS t
MATCH (a:TrustAggregate {table: t.table})
WITH a, t, a.lowest IS NOT NULL AND NOT t.refill AS known, coalesce(a.lowest_all, false) AS whole,
     coalesce(a.lowest, []) AS listed, coalesce(a.lowest_trust, []) AS trusts
CALL (a, t, known, whole, listed, trusts) {
  UNWIND CASE WHEN known THEN listed + t.candidates ELSE [] END AS id
  WITH DISTINCT id
  MATCH (r:Row {id: id})
  WHERE r.table = a.table AND r.status = 'active' AND r.trust_mode IS NOT NULL
    AND r.trust IS NOT NULL
    AND (whole OR r.trust < trusts[-1] OR (r.trust = trusts[-1] AND r.id <= listed[-1]))
  WITH r ORDER BY r.trust, r.id
  RETURN collect(r.id) AS ids, collect(r.trust) AS trust
}
WITH a, t, known, whole AND NOT t.cut AND size(ids) <= $kept AS whole, ids, trust
WITH a, whole, ids[..$kept] AS ids, trust[..$kept] AS trust,
     NOT known OR (NOT whole AND size(ids) < $refill_below) AS refill
CALL (a, refill) {
  UNWIND CASE WHEN refill THEN [a.table] ELSE [] END AS table  // no seek unless refilled
  MATCH (r:Row {table: table})
  USING INDEX r:Row(table)
  WHERE r.status = 'active' AND r.trust_mode IS NOT NULL AND r.trust IS NOT NULL
  WITH r ORDER BY r.trust, r.id LIMIT $kept + 1
  RETURN collect(r.id) AS sorted_ids, collect(r.trust) AS sorted_trust
}
SET a.lowest = CASE WHEN refill THEN sorted_ids[..$kept] ELSE ids END,
    a.lowest_trust = CASE WHEN refill THEN sorted_trust[..$kept] ELSE trust END,
    a.lowest_all = CASE WHEN refill THEN size(sorted_ids) <= $kept ELSE whole END,
    a.lowest_refills = coalesce(a.lowest_refills, 0) + CASE WHEN refill THEN 1 ELSE 0 END
RETURN collect(CASE WHEN refill THEN a.table END) AS refilled
