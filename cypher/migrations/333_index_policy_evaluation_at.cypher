// Range index for the latest policy evaluations (PolicyEvaluation.at).
CREATE INDEX policy_evaluation_at IF NOT EXISTS
FOR (n:PolicyEvaluation) ON (n.at)
