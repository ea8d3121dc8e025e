// For each row, the newest Document version it was extracted from, and where in it.
UNWIND $ids AS id
MATCH (:Row {id: id})-[e:EXTRACTED_FROM]->(d:Document)
WHERE d.status <> 'loading'
WITH id, d, e ORDER BY d.version DESC
WITH id, collect({document: d {.*}, locator: e.locator})[0] AS newest
RETURN id, newest.document AS document, newest.locator AS locator
