// One evaluation of the policies over the stored rows.
MERGE (e:PolicyEvaluation {id: $evaluation.id})
  ON CREATE SET e += $evaluation
RETURN e {.*} AS evaluation
