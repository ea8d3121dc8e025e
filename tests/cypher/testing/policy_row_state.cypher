// The values, erasure and violations of the rows of one table.
MATCH (r:Row {table: $table})
OPTIONAL MATCH (r)-[e:VIOLATES]->(p:Policy)
WITH r, e, p ORDER BY e.rule
RETURN r.id AS id, r.values AS values, r.erased_at IS NOT NULL AS erased,
       r.erased_fields AS erased_fields,
       [x IN collect({rule: e.rule, policy: p.id, detail: e.detail, at: e.at}) WHERE x.rule IS NOT NULL]
         AS violations
ORDER BY id
