// Uniqueness of Delivery.id (one delivery per happening and channel).
CREATE CONSTRAINT delivery_id IF NOT EXISTS
FOR (n:Delivery) REQUIRE n.id IS UNIQUE
