// A stand-in Schema node owned by $owner (a team workspace's id), for the fan-out bench.
CREATE (:Schema {name: $name, owner: $owner, description: 'bench table', latest_version: 0})
