// Sources an incremental pass met that no full pass has scored yet (no parts): their trust is
// the starting trust the pass held fixed, stored with its parts by table (split by the
// source's claims there) so that it is explained at once. A source named by a row's own
// column is created on first use. Parts a full pass wrote are kept.
UNWIND $sources AS source
MERGE (s:Source {id: source.id})
  ON CREATE SET s.kind = source.kind, s.location = source.location, s.created_at = datetime()
WITH s, source
WHERE s.trust_parts IS NULL
SET s.trust = coalesce(s.trust, source.trust), s.trust_parts = source.parts
