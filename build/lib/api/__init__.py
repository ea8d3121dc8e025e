"""The API: FastAPI app, GraphQL schema, health, the local stack and the `grace` CLI."""
