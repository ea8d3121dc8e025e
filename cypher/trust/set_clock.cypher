// A full pass's time (epoch seconds), set once its rows are written: the rows it scored read
// their freshness at it (trust/features.py).
MERGE (c:TrustClock {id: 'full'})
SET c.at = $at
