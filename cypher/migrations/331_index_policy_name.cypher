// Range index for the versions of one policy (Policy.name).
CREATE INDEX policy_name IF NOT EXISTS
FOR (n:Policy) ON (n.name)
