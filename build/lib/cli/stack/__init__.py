"""The local stack: Neo4j, Redis and the API as child processes, for development and tests."""
