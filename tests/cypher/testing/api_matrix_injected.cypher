// What the matrix's injection payloads would leave if one ran as Cypher: nodes they label
// or mark.
MATCH (n)
WHERE n:Injected OR n.pwned IS NOT NULL
RETURN count(n) AS injected
