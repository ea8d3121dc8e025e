// Addresses of the provenance explorer (`#/provenance/<kind>/<id>`), small enough for every
// screen that links into it; the explorer itself is loaded on first visit.
import { href } from "./router";

/** The kinds one can explore from (the API's `ProvenanceKind`, lower case). */
export const EXPLORABLE = ["row", "entity", "document", "source", "conflict", "fact"] as const;
export type Explorable = (typeof EXPLORABLE)[number];

export interface Target {
  kind: Explorable;
  id: string;
}

/** The node an explorer address's tail names (`row/row:0774`), or null. */
export function targetOf(tail: string | null): Target | null {
  if (!tail) return null;
  const slash = tail.indexOf("/");
  const kind = tail.slice(0, slash);
  const id = tail.slice(slash + 1);
  if (slash < 1 || id === "" || !(EXPLORABLE as readonly string[]).includes(kind)) return null;
  return { kind: kind as Explorable, id };
}

/** The address of the explorer at a node. */
export function explorerHref(kind: Explorable, id: string): string {
  return href({ screen: "provenance", id: `${kind}/${id}` });
}

const PREFIXES: [string, Explorable][] = [["row:", "row"], ["doc:", "document"], ["fact:", "fact"], ["conflict:", "conflict"]];

/** The kind of a node id Grace made with a telling prefix (rows, documents, facts and
 * conflicts); null for the rest (a source's or an entity's id says not which it is). */
export function kindOfId(id: string): Explorable | null {
  return PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? null;
}
