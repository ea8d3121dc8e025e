// The index restore matches relationship ends by (dropped when the restore ends).
CREATE INDEX grace_restore_id IF NOT EXISTS FOR (n:GraceRestore) ON (n.grace_restore_id)
