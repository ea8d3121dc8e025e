// Test set-up: a policy with an active version 1 and a proposed version 2.
CREATE (:Policy {id: $name + '@1', name: $name, version: 1, status: 'active'})
CREATE (:Policy {id: $name + '@2', name: $name, version: 2, status: 'proposed'})
