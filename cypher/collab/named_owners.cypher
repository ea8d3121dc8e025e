// The people an owner name stands for: each user whose e-mail is one of $owners, and every
// member of each workspace whose id is one of them (a team).
UNWIND $owners AS owner
CALL (owner) {
  OPTIONAL MATCH (person:User {email: owner})
  OPTIONAL MATCH (:Workspace {id: owner})<-[:MEMBER_OF]-(member:User)
  RETURN collect(DISTINCT person.id) + collect(DISTINCT member.id) AS found
}
UNWIND found AS user
RETURN collect(DISTINCT user) AS owners
