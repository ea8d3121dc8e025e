// The element id of the node a change request targets, looked up by id (by name for a
// Schema) among the labels a request can target, each through its uniqueness constraint.
CALL () {
  MATCH (t:Document {id: $id}) RETURN t
  UNION MATCH (t:Row {id: $id}) RETURN t
  UNION MATCH (t:Entity {id: $id}) RETURN t
  UNION MATCH (t:Source {id: $id}) RETURN t
  UNION MATCH (t:Schema {name: $id}) RETURN t
  UNION MATCH (t:SchemaVersion {id: $id}) RETURN t
  UNION MATCH (t:Policy {id: $id}) RETURN t
  UNION MATCH (t:Conflict {id: $id}) RETURN t
  UNION MATCH (t:Fact {id: $id}) RETURN t
  UNION MATCH (t:User {id: $id}) RETURN t
  UNION MATCH (t:Workspace {id: $id}) RETURN t
  UNION MATCH (t:TrustModel {id: $id}) RETURN t
}
RETURN elementId(t) AS element
LIMIT 1
