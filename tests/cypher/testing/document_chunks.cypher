// The chunks of one document, joined, for format tests.
MATCH (:Document {id: $document_id})-[:HAS_CHUNK]->(c:Chunk)
WITH c ORDER BY c.ordinal
RETURN count(c) AS count, reduce(text = '', t IN collect(c.text) | text + t) AS text
