// Range index on Assignment.node: the assignment of one conflict or change request.
CREATE INDEX assignment_node IF NOT EXISTS
FOR (n:Assignment) ON (n.node)
