"""The kernel: settings, errors, domain types, the `Graph` that owns the Neo4j driver,
the Cypher registry, migrations, the schema registry and domain events.

Nothing here knows a policy, a trust score or an HTTP request.
"""
