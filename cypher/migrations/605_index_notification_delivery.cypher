// Range index on Notification.delivery: the digest job finds the digest notifications without
// scanning every notification (`digested_at` stays out: a node lacking a key is not indexed).
CREATE INDEX notification_delivery IF NOT EXISTS
FOR (n:Notification) ON (n.delivery)
