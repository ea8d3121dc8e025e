// Versions of the DBMS and its procedure plugins, for `grace status`.
CALL dbms.components() YIELD name, versions, edition
WHERE name = 'Neo4j Kernel'
RETURN versions[0] AS neo4j, edition, apoc.version() AS apoc, gds.version() AS gds
