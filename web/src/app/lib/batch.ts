// One request for a field asked of every table: aliases t0, t1 … with one variable each
// (table names travel as variables, never spliced into the query).

export interface Batched {
  query: string;
  variables: Record<string, string>;
  tableOf: (alias: string) => string;
}

/** `{ t0: field(table: $t0, arguments) { selection } … }` for each of `tables`; `arguments`
 * are the app's own constants, never input. */
export function perTable(field: string, tables: readonly string[], selection: string, args = ""): Batched {
  const names = tables.map((_, i) => `t${i}`);
  const declared = names.map((n) => `$${n}: String!`).join(", ");
  const rest = args ? `, ${args}` : "";
  const body = names.map((n) => `${n}: ${field}(table: $${n}${rest}) { ${selection} }`).join("\n");
  return {
    query: tables.length ? `query PerTable(${declared}) {\n${body}\n}` : "{ __typename }",
    variables: Object.fromEntries(names.map((n, i) => [n, tables[i] as string])),
    tableOf: (alias) => tables[Number(alias.slice(1))] as string,
  };
}
