// The conflicts queue and a conflict's competing values: filters, ages as people say them,
// and the rows grouped by the value they give the disputed attribute.

export interface QueueItem {
  id: string;
  kind: string;
  status: string;
  attribute: string | null;
  score: number | null;
  createdAt: string | null;
  entity: { table: string | null; key: string | null } | null;
}

export interface Filter {
  table: string;
  kind: string;
}

/** The items that pass the filter ("" lets everything through), oldest first. */
export function filtered(items: readonly QueueItem[], filter: Filter): QueueItem[] {
  return items
    .filter((c) => (filter.table === "" || c.entity?.table === filter.table) && (filter.kind === "" || c.kind === filter.kind))
    .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? ""));
}

/** How long ago `at` was, in the largest whole unit ("45 s", "3 min", "2 h", "4 d"). */
export function age(at: string | null, now: Date): string {
  if (at === null) return "—";
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(at).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** A JSON value as shown ("—" for none, strings bare, the rest as JSON). */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export interface Competitor<R> {
  value: string;
  rows: R[];
}

/** Rows grouped by the value they give `attribute`, the group with most rows first. */
export function competing<R extends { values: Record<string, unknown> }>(rows: readonly R[], attribute: string | null): Competitor<R>[] {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const value = shown(attribute === null ? null : row.values[attribute]);
    groups.set(value, [...(groups.get(value) ?? []), row]);
  }
  return [...groups].map(([value, members]) => ({ value, rows: members })).sort((a, b) => b.rows.length - a.rows.length);
}
