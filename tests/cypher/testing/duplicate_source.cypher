// Creates a Source with a given id twice in one transaction: breaks its uniqueness constraint.
CREATE (:Source {id: $id, kind: 'test', location: 'test'})
CREATE (:Source {id: $id, kind: 'test', location: 'test'})
