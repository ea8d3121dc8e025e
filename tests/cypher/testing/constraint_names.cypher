// Names of every constraint, for comparing schema snapshots.
SHOW CONSTRAINTS YIELD name
RETURN name
ORDER BY name
