"""The GraphQL layer: request context, access checks, and one module per area of the schema."""
