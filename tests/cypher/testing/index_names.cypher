// Names of every index, for comparing schema snapshots.
SHOW INDEXES YIELD name
RETURN name
ORDER BY name
