// Drop the restore's lookup index.
DROP INDEX grace_restore_id IF EXISTS
