// The approvals inbox: which change requests wait for the caller, how far their votes have
// gone, and what each changes, in words (a table's field-by-field diff, a policy's
// setting-by-setting diff, a file to admit).
import type { Role } from "./abilities";
import { unionById, type Page } from "./paging";

export interface Vote {
  user: string;
  at: string;
  note: string;
  stage: number;
}

export interface Stage {
  name: string | null;
  required: number;
  role: Role;
}

export interface ChangeRequest {
  id: string;
  kind: string;
  title: string;
  status: string;
  requestedBy: string | null;
  workspace: string;
  table: string | null;
  stage: number;
  required: number;
  stages: Stage[];
  approvals: Vote[];
  rejections: Vote[];
  openedAt: string | null;
  expiresAt: string | null;
  applyError: string | null;
  payload: Record<string, unknown>;
}

const RANK: Record<Role, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2 };

export interface Tally {
  /** Approvals of the current stage. */
  approvals: number;
  required: number;
  /** "stage 2 of 3 (review)" when there are several, else null. */
  stage: string | null;
  role: Role;
  /** "1 of 2 approvals", or what became of the request when it is no longer open. */
  words: string;
}

/** How far the request's votes have gone at its current stage. */
export function tally(request: ChangeRequest): Tally {
  const current = request.stages[request.stage] ?? { name: null, required: request.required, role: "EDITOR" as Role };
  const approvals = request.approvals.filter((vote) => vote.stage === request.stage).length;
  const stage = request.stages.length > 1
    ? `stage ${request.stage + 1} of ${request.stages.length}${current.name ? ` (${current.name})` : ""}`
    : null;
  const open = request.status === "OPEN";
  const words = open
    ? `${approvals} of ${request.required} approval${request.required === 1 ? "" : "s"}`
    : request.status.toLowerCase().replace("_", " ");
  return { approvals, required: request.required, stage, role: current.role, words };
}

/** What deciding whether someone may vote reads of a request. */
export interface Votable {
  status: string;
  workspace: string;
  stage: number;
  stages: { role: Role }[];
  approvals: { user: string; stage: number }[];
  rejections: { user: string; stage: number }[];
}

/** Whether `user` (approving with `roles` per workspace) may still vote on the request:
 * it is open, its current stage's role is within theirs, and they have not voted on it. */
export function mayVote(request: Votable, user: string, roles: Record<string, Role>): boolean {
  const held = roles[request.workspace];
  const needed = request.stages[request.stage]?.role ?? "EDITOR";
  const voted = [...request.approvals, ...request.rejections].some((v) => v.user === user && v.stage === request.stage);
  return request.status === "OPEN" && held !== undefined && RANK[held] >= RANK[needed] && !voted;
}

export interface FieldChange {
  field: string;
  change: "added" | "removed" | "changed" | "same";
  before: string | null;
  after: string | null;
}

/** A field's declaration in words: its type then its flags and settings ("string, required, pii"),
 * leaving out what is unset (false, empty). */
export function declared(spec: unknown): string {
  if (spec === null || typeof spec !== "object") return String(spec);
  const { type, ...rest } = spec as Record<string, unknown>;
  const parts = Object.entries(rest)
    .filter(([, value]) => ![null, undefined, false, ""].includes(value as never) && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => (value === true ? key : `${key} ${typeof value === "string" ? value : JSON.stringify(value)}`))
    .sort();
  return [String(type ?? "any"), ...parts].join(", ");
}

/** Field by field, what a table version changes from the one before (`before` null: a new
 * table); changes first (added, changed, removed), then the fields left as they were. */
export function schemaDiff(before: Record<string, unknown> | null, after: Record<string, unknown>): FieldChange[] {
  const words = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, declared(v)]));
  return diffBy(before === null ? null : words(before), words(after));
}

/** Every leaf of a JSON value by its path (`rules.0.max`), shown as JSON (strings bare). */
export function leaves(value: unknown, path = ""): Record<string, string> {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) return { [path || "(all)"]: Array.isArray(value) ? "[]" : "{}" };
    return Object.assign({}, ...entries.map(([key, v]) => leaves(v, path ? `${path}.${key}` : key)));
  }
  return { [path || "(all)"]: typeof value === "string" ? value : JSON.stringify(value) };
}

/** Setting by setting (each leaf's path), what a policy version changes from the one in
 * force (`before` null: a new policy); ordered as `schemaDiff`. */
export function definitionDiff(before: unknown, after: unknown): FieldChange[] {
  return diffBy(before === null || before === undefined ? null : leaves(before), leaves(after));
}

/** Two name-to-words maps compared: added, changed, removed, then the same, each by name. */
function diffBy(before: Record<string, string> | null, after: Record<string, string>): FieldChange[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  const order = { added: 0, changed: 1, removed: 2, same: 3 };
  return names
    .map((field): FieldChange => {
      const was = before?.[field] ?? null;
      const now = after[field] ?? null;
      const change = was === null ? "added" : now === null ? "removed" : was === now ? "same" : "changed";
      return { field, change, before: was, after: now };
    })
    .sort((a, b) => order[a.change] - order[b.change] || a.field.localeCompare(b.field));
}

/** A size in bytes as people read it ("812 B", "4.2 KB", "1.5 MB"). */
export function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** The payload of a request that is not a table version, as labelled lines: a file to admit
 * says where it is, how big, why it needs approval; any other kind lists its keys. */
export function payloadLines(kind: string, payload: Record<string, unknown>): [string, string][] {
  const text = (value: unknown): string =>
    Array.isArray(value) ? value.map(text).join("; ") : typeof value === "string" ? value : JSON.stringify(value);
  if (kind === "ingestion") {
    const lines: [string, unknown][] = [
      ["file", payload.path],
      ["source", payload.source],
      ["size", typeof payload.size === "number" ? bytes(payload.size) : payload.size],
      ["why it needs approval", payload.reasons],
      ["sha256", payload.sha256],
    ];
    return lines.filter(([, value]) => value !== undefined && value !== null).map(([label, value]) => [label, text(value)]);
  }
  return Object.entries(payload)
    .filter(([key]) => key !== "definition" && key !== "previous")
    .map(([key, value]) => [key, text(value)]);
}

/** The fields the inbox reads of a change request (`ChangeRequest` above). */
export const REQUEST_FIELDS = `id kind title status requestedBy workspace table stage required openedAt expiresAt
  applyError payload stages { name required role } approvals { user at note stage }
  rejections { user at note stage }`;

/** The listed requests, then those the caller acted on in this visit that the list no longer
 * holds (a request they approved stays in view, with its new votes). */
export function withKept(listed: readonly ChangeRequest[], kept: readonly ChangeRequest[]): ChangeRequest[] {
  const ids = new Set(listed.map((r) => r.id));
  return [...listed, ...kept.filter((r) => !ids.has(r.id))];
}

/** The requests read so far, newest first, and where the next page starts (null: none). */
export interface Listing {
  requests: ChangeRequest[];
  cursor: string | null;
}

/** A listing of one page. */
export function firstPage(page: Page<ChangeRequest>): Listing {
  return { requests: page.nodes, cursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null };
}

/** The listing read on by one older page. */
export function nextPage(listing: Listing, page: Page<ChangeRequest>): Listing {
  return { requests: unionById(listing.requests, page.nodes), cursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null };
}

/** Whether `a` comes after `b` in the API's order (newest first: opened, then id, descending). */
const after = (a: ChangeRequest, b: ChangeRequest): boolean =>
  (Date.parse(b.openedAt ?? "0000") - Date.parse(a.openedAt ?? "0000") || b.id.localeCompare(a.id)) > 0;

/** The listing after the first page was read again (`fresh`): that page's span is as it says
 * now (new requests in, those that left the status out), the older pages already read are
 * kept, and reading on continues where it did. When `fresh` is the whole list, it is all. */
export function refreshed(listing: Listing, fresh: Page<ChangeRequest>): Listing {
  const last = fresh.nodes[fresh.nodes.length - 1];
  if (!fresh.pageInfo.hasNextPage || last === undefined) return firstPage(fresh);
  const ids = new Set(fresh.nodes.map((r) => r.id));
  const older = listing.requests.filter((r) => !ids.has(r.id) && after(r, last));
  const cursor = older.length ? listing.cursor : fresh.pageInfo.endCursor;
  return { requests: [...fresh.nodes, ...older], cursor };
}
