// Range index on Notification.user: a person's notifications, newest first, and their counts.
CREATE INDEX notification_user IF NOT EXISTS
FOR (n:Notification) ON (n.user, n.created_at)
