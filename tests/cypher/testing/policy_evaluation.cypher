// One recorded policy evaluation.
MATCH (e:PolicyEvaluation {id: $id})
RETURN e {.*} AS evaluation
