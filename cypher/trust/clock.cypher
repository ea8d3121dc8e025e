// The time of the last full pass (epoch seconds; null before the first): the rows it scored
// read their freshness at it (trust/features.py).
OPTIONAL MATCH (c:TrustClock {id: 'full'})
RETURN c.at AS at
