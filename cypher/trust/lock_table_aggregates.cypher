// Take the write locks of some tables' stored trust aggregates, in table order, as the first
// thing a transaction that moves them does (a file's activation, a pass's write): a
// transaction then waits for an aggregate holding nothing else, so two of them queue on it
// instead of deadlocking (each used to hold its rows while waiting for the aggregate the other
// held, and one was retried after about a second). A table without an aggregate locks nothing.
UNWIND $tables AS table
WITH DISTINCT table ORDER BY table
MATCH (a:TrustAggregate {table: table})
SET a.locking = true
REMOVE a.locking
RETURN count(a) AS locked
