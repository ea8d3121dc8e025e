// Benchmark tear-down: the API benchmarks' users whose ids start with $prefix, with their
// API keys and personal workspaces.
MATCH (u:User) WHERE u.id STARTS WITH $prefix
OPTIONAL MATCH (u)-[:OWNS]->(k:ApiKey)
OPTIONAL MATCH (w:Workspace {id: 'personal:' + u.id})
DETACH DELETE k, w, u
