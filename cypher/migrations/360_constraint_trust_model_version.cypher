// Uniqueness of TrustModel.version: two trainings at once cannot both take the next version.
CREATE CONSTRAINT trust_model_version_unique IF NOT EXISTS
FOR (n:TrustModel) REQUIRE n.version IS UNIQUE
