"""The co-pilot: graph questions answered with read-only Cypher the asker may run, trust
explained in words, and the same through MCP (issue 17). Below `api/`, above `trust/` and
`governance/`."""
