// Range index for lookups and filters on ChangeRequest.status.
CREATE INDEX change_request_status IF NOT EXISTS
FOR (n:ChangeRequest) ON (n.status)
