// Uniqueness of TrustModel.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT trust_model_id_unique IF NOT EXISTS
FOR (n:TrustModel) REQUIRE n.id IS UNIQUE
