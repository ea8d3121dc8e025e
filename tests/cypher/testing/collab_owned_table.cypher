// A stand-in Schema node owned by $owner (a user's e-mail or a team workspace's id).
CREATE (:Schema {name: $name, owner: $owner, description: 'test table', latest_version: 0})
