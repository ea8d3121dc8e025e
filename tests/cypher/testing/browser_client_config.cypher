// What Neo4j Browser reads of the server's settings when it connects.
CALL dbms.clientConfig() YIELD name, value
WHERE name STARTS WITH 'browser.'
RETURN name, value
