// Uniqueness of Notification.id (one notification per person and event).
CREATE CONSTRAINT notification_id IF NOT EXISTS
FOR (n:Notification) REQUIRE n.id IS UNIQUE
