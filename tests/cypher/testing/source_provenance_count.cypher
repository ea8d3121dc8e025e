// Test read: how many provenance edges the rows of one source's documents have (cheap
// progress of a load, unlike reading the rows).
MATCH (:Source {id: $source})<-[:FROM_SOURCE]-(:Document)<-[e:EXTRACTED_FROM]-(:Row)
RETURN count(e) AS provenance
