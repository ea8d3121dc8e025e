// The people who own a table: the user whose e-mail is the schema's `owner`, or every member
// of the workspace whose id it is (a team), with the workspace the table belongs to.
MATCH (s:Schema {name: $table})
OPTIONAL MATCH (s)-[:IN_WORKSPACE]->(home:Workspace)
CALL (s) {
  OPTIONAL MATCH (person:User {email: s.owner})
  OPTIONAL MATCH (:Workspace {id: s.owner})<-[:MEMBER_OF]-(member:User)
  WITH collect(DISTINCT person.id) + collect(DISTINCT member.id) AS owners
  RETURN [o IN owners WHERE o IS NOT NULL] AS owners
}
RETURN owners, home.id AS workspace
