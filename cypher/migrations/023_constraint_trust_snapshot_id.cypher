// Uniqueness of TrustSnapshot.id: one point of a table's trust trend.
CREATE CONSTRAINT trust_snapshot_id_unique IF NOT EXISTS
FOR (n:TrustSnapshot) REQUIRE n.id IS UNIQUE
