// The provenance explorer's logic: which node an address names, the GraphQL query that reads
// its neighbourhood (a source's with its copying partners and their probability), the walk
// from that answer to nodes and edges, and a radial layout of them as SVG coordinates (no
// graph library: a few lines do it).
import { shown } from "./conflicts";
import { EXPLORABLE, type Explorable, type Target } from "./explore";

/** Nodes shown but not explored from: policy versions a row violates, ingestion runs. */
export type Kind = Explorable | "policy" | "run";

/** Whether a node of `kind` can be explored from (policies and runs cannot). */
export function explorable(kind: Kind): kind is Explorable {
  return (EXPLORABLE as readonly string[]).includes(kind);
}

export interface GraphNode {
  id: string;
  kind: Kind;
  label: string;
  /** Trust for rows, documents and sources (explained on click); null otherwise or unscored. */
  trust: number | null;
  /** What else to say: a status, a conflict's attribute, a fact's value. */
  detail: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The relationship as the graph names it (EXTRACTED_FROM, FROM_SOURCE …). */
  label: string;
}

export interface Neighbourhood {
  center: GraphNode;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** What the caller may see less of than there is, in words ("25 of 120 rows"). */
  notes: string[];
}

// --- the answers the queries read ---------------------------------------------------------

interface SourceShape { id: string; location: string; trust: number | null }
interface CopyShape { source: string; probability: number }
interface CopyingShape extends SourceShape { copies: CopyShape[]; copiedBy: CopyShape[] }
interface DocumentShape { id: string; path: string; version: number; status: string; trust: number | null }
interface EntityShape { id: string; table: string | null; key: string | null }
interface RowShape {
  id: string; table: string; key: string; trust: number | null; status: string;
  document?: DocumentShape | null; source?: SourceShape | null; entity?: EntityShape | null;
}
interface ConflictShape { id: string; kind: string; status: string; attribute: string | null; score: number | null }
interface FactShape { id: string; attribute: string; value: unknown; valueRedacted: boolean; confidence: number; status: string }

const SOURCE = "id location trust";
/** A source's copying partners (the `COPIES` edges of the last full trust pass). */
const COPYING = "copies { source probability } copiedBy { source probability }";
const DOCUMENT = "id path version status trust";
const ROW = "id table key trust status";
const CONFLICT = "id kind status attribute score";
const FACT = "id attribute value valueRedacted confidence status";
const ROW_ORIGIN = `${ROW} document { ${DOCUMENT} } source { ${SOURCE} } entity { id table key }`;
/** How many of a document's rows, or a source's documents, the explorer reads. */
export const PAGE = 25;

/** The query reading a node's neighbourhood and its variables; ids travel as variables. */
export function queryOf(target: Target): { query: string; variables: Record<string, string> } {
  const { kind, id } = target;
  switch (kind) {
    case "row":
      return {
        query: `query Row($id: ID!) { row(id: $id) { ${ROW} locator document { ${DOCUMENT}
          versions { ${DOCUMENT} } } source { ${SOURCE} } entity { id table key }
          conflicts { ${CONFLICT} } facts { ${FACT} } violations { policy name rule } } }`,
        variables: { id },
      };
    case "entity": {
      const [table, key] = entityParts(id);
      return {
        query: `query Entity($table: String!, $key: String!) { entity(table: $table, key: $key) {
          id table key rows { ${ROW_ORIGIN} } facts { ${FACT} } conflicts { ${CONFLICT} } } }`,
        variables: { table, key },
      };
    }
    case "document":
      return {
        query: `query Document($id: ID!) { document(id: $id) { ${DOCUMENT} source { ${SOURCE} }
          versions { ${DOCUMENT} } ingestionRuns { id status summary }
          rows(first: ${PAGE}) { nodes { ${ROW} entity { id table key } } totalCount } } }`,
        variables: { id },
      };
    case "source":
      return {
        query: `query Source($id: String, $source: ID!) { source(id: $source) { ${SOURCE} ${COPYING} }
          documents(source: $id, first: ${PAGE}) { nodes { ${DOCUMENT} source { ${SOURCE} } } pageInfo { hasNextPage } } }`,
        variables: { id, source: id },
      };
    case "conflict":
      return {
        query: `query Conflict($id: ID!) { conflict(id: $id) { ${CONFLICT} entity { id table key }
          rows { ${ROW_ORIGIN} } members } }`,
        variables: { id },
      };
    case "fact":
      return {
        query: `query Fact($id: ID!) { fact(id: $id) { ${FACT} table key entity
          evidence { rows { ${ROW_ORIGIN} } } } }`,
        variables: { id },
      };
  }
}

/** An entity id's table and key (`cities:lyon-fr`: the key may hold more colons). */
export function entityParts(id: string): [string, string] {
  const colon = id.indexOf(":");
  return colon < 0 ? [id, ""] : [id.slice(0, colon), id.slice(colon + 1)];
}

// --- the walk -----------------------------------------------------------------------------

/** Nodes and edges gathered once each, whatever order the answer names them in. */
class Walk {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  readonly notes: string[] = [];

  add(node: GraphNode): string {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
    return node.id;
  }

  link(from: string, to: string, label: string): void {
    if (from !== to) this.edges.set(`${from}|${label}|${to}`, { from, to, label });
  }

  row(row: RowShape): string {
    const id = this.add({ id: row.id, kind: "row", label: `${row.table} ${row.key}`, trust: row.trust, detail: row.status.toLowerCase() });
    if (row.document) this.link(id, this.document(row.document), "EXTRACTED_FROM");
    if (row.document && row.source) this.link(row.document.id, this.source(row.source), "FROM_SOURCE");
    if (row.entity) this.link(id, this.entity(row.entity), "DESCRIBES");
    return id;
  }

  document(d: DocumentShape): string {
    return this.add({ id: d.id, kind: "document", label: `${d.path} v${d.version}`, trust: d.trust, detail: d.status.toLowerCase() });
  }

  source(s: SourceShape): string {
    return this.add({ id: s.id, kind: "source", label: s.id, trust: s.trust, detail: s.location });
  }

  /** A source that copies, or is copied by, the one explored (its trust read on its own page). */
  partner(c: CopyShape, role: string): string {
    return this.add({ id: c.source, kind: "source", label: c.source, trust: null, detail: `${role}, probability ${c.probability.toFixed(2)}` });
  }

  entity(e: EntityShape): string {
    return this.add({ id: e.id, kind: "entity", label: e.id, trust: null, detail: e.table ?? "" });
  }

  conflict(c: ConflictShape): string {
    const about = c.attribute ?? c.kind.toLowerCase();
    return this.add({ id: c.id, kind: "conflict", label: `on ${about}`, trust: null, detail: `${c.status.toLowerCase()}, score ${c.score?.toFixed(2) ?? "—"}` });
  }

  fact(f: FactShape): string {
    const value = f.valueRedacted ? "(redacted)" : shown(f.value);
    return this.add({ id: f.id, kind: "fact", label: `${f.attribute} = ${value}`, trust: null, detail: `${f.status.toLowerCase()}, confidence ${f.confidence.toFixed(2)}` });
  }

  finish(centerId: string): Neighbourhood {
    const center = this.nodes.get(centerId);
    if (!center) throw new Error(`the walk has no node ${centerId}`);
    return { center, nodes: [...this.nodes.values()], edges: [...this.edges.values()], notes: this.notes };
  }
}

/** The neighbourhood the answer to `queryOf(target)` holds; null when the caller may see no
 * such node (the API answers null, or an empty list of a source's documents). */
export function walk(target: Target, data: Record<string, unknown>): Neighbourhood | null {
  const w = new Walk();
  switch (target.kind) {
    case "row": {
      const row = data.row as (RowShape & { document: (DocumentShape & { versions: DocumentShape[] }) | null; conflicts: ConflictShape[]; facts: FactShape[]; violations: { policy: string; name: string; rule: string }[] }) | null;
      if (!row) return null;
      const id = w.row(row);
      for (const version of row.document?.versions ?? []) {
        if (row.document && version.id !== row.document.id) w.link(row.document.id, w.document(version), "VERSION_OF");
      }
      for (const c of row.conflicts) w.link(w.conflict(c), id, "INVOLVES");
      for (const f of row.facts) w.link(w.fact(f), id, "RESOLVED_FROM");
      for (const v of row.violations) {
        w.link(id, w.add({ id: `policy:${v.policy}`, kind: "policy", label: v.policy, trust: null, detail: `rule ${v.rule}` }), "VIOLATES");
      }
      return w.finish(id);
    }
    case "entity": {
      const entity = data.entity as (EntityShape & { rows: RowShape[]; facts: FactShape[]; conflicts: ConflictShape[] }) | null;
      if (!entity) return null;
      const id = w.entity(entity);
      for (const row of entity.rows) w.link(w.row(row), id, "DESCRIBES");
      for (const c of entity.conflicts) w.link(w.conflict(c), id, "ABOUT");
      for (const f of entity.facts) w.link(w.fact(f), id, "FACT_OF");
      return w.finish(id);
    }
    case "document": {
      const doc = data.document as (DocumentShape & { source: SourceShape | null; versions: DocumentShape[]; ingestionRuns: { id: string; status: string; summary: string }[]; rows: { nodes: RowShape[]; totalCount: number | null } }) | null;
      if (!doc) return null;
      const id = w.document(doc);
      if (doc.source) w.link(id, w.source(doc.source), "FROM_SOURCE");
      for (const v of doc.versions) if (v.id !== id) w.link(id, w.document(v), "VERSION_OF");
      for (const run of doc.ingestionRuns) {
        w.link(id, w.add({ id: run.id, kind: "run", label: `run ${run.status.toLowerCase()}`, trust: null, detail: run.summary }), "INGESTED_BY");
      }
      for (const row of doc.rows.nodes) w.link(w.row(row), id, "EXTRACTED_FROM");
      const total = doc.rows.totalCount ?? doc.rows.nodes.length;
      if (total > doc.rows.nodes.length) w.notes.push(`${doc.rows.nodes.length} of the ${total} rows you may read are shown.`);
      return w.finish(id);
    }
    case "source": {
      const page = data.documents as { nodes: (DocumentShape & { source: SourceShape | null })[]; pageInfo: { hasNextPage: boolean } };
      const copying = data.source as CopyingShape | null;
      const source = copying ?? page.nodes.find((d) => d.source)?.source;
      if (!source) return null;
      const id = w.source(source);
      for (const d of page.nodes) w.link(w.document(d), id, "FROM_SOURCE");
      for (const c of copying?.copies ?? []) w.link(id, w.partner(c, "its original"), copies(c));
      for (const c of copying?.copiedBy ?? []) w.link(w.partner(c, "copies it"), id, copies(c));
      if (page.pageInfo.hasNextPage) w.notes.push(`The first ${page.nodes.length} documents you may read are shown.`);
      return w.finish(id);
    }
    case "conflict": {
      const c = data.conflict as (ConflictShape & { entity: EntityShape | null; rows: RowShape[]; members: string[] }) | null;
      if (!c) return null;
      const id = w.conflict(c);
      if (c.entity?.table) w.link(id, w.entity(c.entity), "ABOUT");
      for (const row of c.rows) w.link(id, w.row(row), "INVOLVES");
      return w.finish(id);
    }
    case "fact": {
      const f = data.fact as (FactShape & { table: string; key: string; entity: string; evidence: { rows: RowShape[] } }) | null;
      if (!f) return null;
      const id = w.fact(f);
      w.link(id, w.entity({ id: f.entity, table: f.table, key: f.key }), "FACT_OF");
      for (const row of f.evidence.rows) w.link(id, w.row(row), "RESOLVED_FROM");
      return w.finish(id);
    }
  }
}

/** A `COPIES` edge's label, with how probable the copying is ("COPIES p 0.97"). */
function copies(c: CopyShape): string {
  return `COPIES p ${c.probability.toFixed(2)}`;
}

// --- the layout ---------------------------------------------------------------------------

export interface Placed extends GraphNode {
  x: number;
  y: number;
  depth: number;
  /** Where the node's label sits: beside it, away from the center. */
  lx: number;
  ly: number;
  anchor: "start" | "middle" | "end";
}

/** Hops from the center along edges either way (unreached nodes: none, they are left out). */
export function depths(hood: Neighbourhood): Map<string, number> {
  const around = new Map<string, string[]>();
  for (const e of hood.edges) {
    around.set(e.from, [...(around.get(e.from) ?? []), e.to]);
    around.set(e.to, [...(around.get(e.to) ?? []), e.from]);
  }
  const found = new Map([[hood.center.id, 0]]);
  const queue = [hood.center.id];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const next of around.get(at) ?? []) {
      if (!found.has(next)) {
        found.set(next, (found.get(at) ?? 0) + 1);
        queue.push(next);
      }
    }
  }
  return found;
}

/** The center in the middle, each ring of nodes one hop further out, spread evenly around
 * it; a node sits near the angle of the node that reached it, so edges cross little. The
 * rings share the space: every node stays inside `width` x `height` with `margin` to spare
 * (labels go beside their node, away from the center, into the room the margin leaves). */
export function radialLayout(hood: Neighbourhood, width: number, height: number, margin: number): Placed[] {
  const hops = depths(hood);
  const deepest = Math.max(1, ...hops.values());
  const ring = (Math.min(width, height) / 2 - margin) / deepest;
  const [cx, cy] = [width / 2, height / 2];
  const angle = new Map<string, number>([[hood.center.id, 0]]);
  const parent = new Map<string, string>();
  for (const e of hood.edges) {
    const [a, b] = [hops.get(e.from), hops.get(e.to)];
    if (a === undefined || b === undefined) continue;
    if (b === a + 1 && !parent.has(e.to)) parent.set(e.to, e.from);
    if (a === b + 1 && !parent.has(e.from)) parent.set(e.from, e.to);
  }
  const placed: Placed[] = [{ ...hood.center, x: cx, y: cy, depth: 0, ...labelAt(cx, cy, -Math.PI / 2, 0) }];
  for (let depth = 1; depth <= deepest; depth++) {
    const members = hood.nodes
      .filter((n) => hops.get(n.id) === depth)
      .sort((a, b) => (angle.get(parent.get(a.id) ?? "") ?? 0) - (angle.get(parent.get(b.id) ?? "") ?? 0) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
    members.forEach((node, i) => {
      const theta = (2 * Math.PI * i) / members.length - Math.PI / 2;
      angle.set(node.id, theta);
      const [x, y] = [round(cx + ring * depth * Math.cos(theta)), round(cy + ring * depth * Math.sin(theta))];
      placed.push({ ...node, x, y, depth, ...labelAt(x, y, theta, depth) });
    });
  }
  return placed;
}

/** A label beside a node at angle `theta` from the center: to its right on the right half,
 * to its left on the left half, above or below it near the top and the bottom (and above
 * the center itself). */
function labelAt(x: number, y: number, theta: number, depth: number): Pick<Placed, "lx" | "ly" | "anchor"> {
  const gap = 16;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  if (depth === 0 || Math.abs(cos) < 0.3) {
    const below = depth > 0 && sin > 0;
    return { lx: x, ly: round(below ? y + gap + 8 : y - gap), anchor: "middle" };
  }
  return { lx: round(x + (cos > 0 ? gap : -gap)), ly: round(y + 4), anchor: cos > 0 ? "start" : "end" };
}

/** The nodes of each kind, in the order the tables list them. */
export function byKind(hood: Neighbourhood): [Kind, GraphNode[]][] {
  const order: Kind[] = ["row", "entity", "document", "source", "conflict", "fact", "policy", "run"];
  return order
    .map((kind): [Kind, GraphNode[]] => [kind, hood.nodes.filter((n) => n.kind === kind && n.id !== hood.center.id)])
    .filter(([, nodes]) => nodes.length > 0);
}

/** How each node is tied to others, in words ("EXTRACTED_FROM document …"), for its table row. */
export function ties(hood: Neighbourhood, id: string): string[] {
  const name = (other: string) => hood.nodes.find((n) => n.id === other)?.label ?? other;
  return hood.edges
    .filter((e) => e.from === id || e.to === id)
    .map((e) => (e.from === id ? `${e.label} → ${name(e.to)}` : `← ${e.label} ${name(e.from)}`));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
