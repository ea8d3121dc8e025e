// Test data: the rows of a table as a trust pass leaves them scored (`trust_mode` set), all
// but those of the keys in $unscored.
MATCH (r:Row {table: $table})
WHERE NOT r.key IN $unscored
SET r.trust_mode = 'propagated'
