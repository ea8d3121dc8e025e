// Near neighbours of the given chunks through the vector index: for each chunk, up to $k
// chunks of other files, reached through an active document, whose cosine similarity is at
// least $min_score, best first. A chunk's id carries its source and path, so all its
// documents are versions of one file; chunks of any version of that file are left out.
// The index (quantised, so its scores are approximate) only proposes candidates: it is asked
// for $k more than the chunks of the chunk's own file, which are all dropped. `score` is the
// exact cosine; `vector.similarity.cosine` returns it rescaled to (1 + cos) / 2.
UNWIND $chunk_ids AS chunk_id
MATCH (c:Chunk {id: chunk_id})<-[:HAS_CHUNK]-(d:Document)
WHERE c.embedding IS NOT NULL
WITH c, d ORDER BY d.version DESC
WITH c, head(collect(d)) AS home
WITH c, home,
     COUNT {
       MATCH (:Document {source: home.source, path: home.path})-[:HAS_CHUNK]->(own:Chunk)
       RETURN DISTINCT own
     } AS own
CALL db.index.vector.queryNodes('chunk_embedding', $k + own, c.embedding)
YIELD node AS other
WITH c, home, other, 2 * vector.similarity.cosine(c.embedding, other.embedding) - 1 AS cosine
WHERE cosine >= $min_score
MATCH (other)<-[:HAS_CHUNK]-(od:Document {status: 'active'})
WHERE od.source <> home.source OR od.path <> home.path
WITH c, home, other, cosine, od ORDER BY od.version DESC
WITH c, home, other, cosine, head(collect(od)) AS od
ORDER BY cosine DESC
WITH c, home, collect({other: other, document: od, cosine: cosine})[..$k] AS best
UNWIND best AS pair
RETURN c.id AS chunk_id, c.text AS text, home.id AS document_id, home.source AS source_id,
       pair.other.id AS other_chunk_id, pair.other.text AS other_text,
       pair.document.id AS other_document_id, pair.document.source AS other_source_id,
       pair.cosine AS score
ORDER BY chunk_id, score DESC
