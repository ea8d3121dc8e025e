// One batch of rows written before rows carried where they were found: each gains the `path`
// of its file and the `locator` of the newest version it came from (as `upsert_rows` now
// writes them). Returns how many rows changed; 0 when none is left.
MATCH (r:Row)
WHERE r.locator IS NULL AND EXISTS { (r)-[:EXTRACTED_FROM]->(:Document) }
WITH r
LIMIT $limit
CALL (r) {
  MATCH (r)-[e:EXTRACTED_FROM]->(d:Document)
  RETURN d.path AS path, coalesce(e.locator, '') AS locator
  ORDER BY d.version DESC
  LIMIT 1
}
SET r.path = path, r.locator = locator
RETURN count(r) AS updated
