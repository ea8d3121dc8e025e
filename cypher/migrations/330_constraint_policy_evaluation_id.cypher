// Uniqueness of PolicyEvaluation.id: each evaluation is recorded once.
CREATE CONSTRAINT policy_evaluation_id_unique IF NOT EXISTS
FOR (n:PolicyEvaluation) REQUIRE n.id IS UNIQUE
