// Wait until every index is online (vector and full-text indexes populate in the background).
CALL db.awaitIndexes($timeout_seconds)
