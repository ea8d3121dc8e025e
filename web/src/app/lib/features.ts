// What this server offers beyond the core API (the co-pilot's `ask`), found by
// introspection so the app works before and after it exists.

export const FEATURES_QUERY = `{ __schema { queryType { fields { name } } } }`;

export interface SchemaFields {
  __schema: {
    queryType: { fields: { name: string }[] } | null;
  };
}

export interface Features {
  ask: boolean;
}

export const NONE: Features = { ask: false };

/** The optional features the schema's root fields reveal. */
export function featuresOf(schema: SchemaFields): Features {
  const query = new Set(schema.__schema.queryType?.fields.map((f) => f.name) ?? []);
  return { ask: query.has("ask") };
}
