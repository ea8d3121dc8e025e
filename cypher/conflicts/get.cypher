// One conflict with the rows it involves (their values, trust, status and source).
MATCH (k:Conflict {id: $id})
OPTIONAL MATCH (k)-[:INVOLVES]->(r:Row)
OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d:Document)-[:FROM_SOURCE]->(s:Source)
WITH k, r, d, s ORDER BY r.id
RETURN k {.*, created_at: toString(k.created_at), updated_at: toString(k.updated_at),
          resolved_at: toString(k.resolved_at), seen_at: null, reopened_at: toString(k.reopened_at)} AS conflict,
       [row IN collect(CASE WHEN r IS NULL THEN null ELSE
          {id: r.id, values: r.values, trust: r.trust, status: r.status,
           rejected: coalesce(r.rejected_attributes, []), document: d.path, source: s.id} END)
        WHERE row IS NOT NULL] AS rows
