// "My queue": what waits on the caller, from the API's `myQueue` (open conflicts and change
// requests assigned to them or to a role they hold) and the open change requests waiting for
// their vote; one entry per conflict or request, the soonest due first.
import type { Role } from "./abilities";
import { mayVote, type Votable } from "./approvals";
import type { Route } from "./router";

export interface Assignment {
  id: string;
  nodeId: string;
  nodeKind: string;
  table: string | null;
  workspace: string;
  user: string | null;
  role: Role | null;
  assignedBy: string;
  assignedAt: string;
  dueAt: string | null;
  note: string;
}

export const ASSIGNMENT_FIELDS = "id nodeId nodeKind table workspace user role assignedBy assignedAt dueAt note";

/** What the queue reads of an open change request: enough to know whether the caller's vote
 * is needed (a page of 100 with every field of the inbox costs more than the API allows). */
export interface WaitingRequest extends Votable {
  id: string;
  title: string;
  table: string | null;
  openedAt: string | null;
  expiresAt: string | null;
}

export const WAITING_FIELDS = "id title status workspace table stage openedAt expiresAt stages { role } approvals { user stage } rejections { user stage }";

export interface QueueEntry {
  nodeId: string;
  kind: "conflict" | "change_request";
  /** The request's title, or the conflict's id. */
  title: string;
  table: string | null;
  route: Route;
  /** The assignment that put it here (null: only a vote waits). */
  assignment: Assignment | null;
  /** Whether the caller's vote is needed now. */
  vote: boolean;
  dueAt: string | null;
  /** Since when it waits: assigned, or opened. */
  since: string | null;
}

const routeOf = (kind: string, id: string): Route => (kind === "conflict" ? { screen: "conflict", id } : { screen: "request", id });

/** The caller's queue: each assigned node, then each request waiting for their vote not
 * already there (an assigned request they may vote on says both), the soonest due first,
 * those without a due date last, then the longest waiting. */
export function queueEntries(
  assignments: readonly Assignment[],
  requests: readonly WaitingRequest[],
  user: string,
  roles: Record<string, Role>,
): QueueEntry[] {
  const waiting = new Map(requests.filter((r) => mayVote(r, user, roles)).map((r) => [r.id, r]));
  const assigned = assignments.map((a): QueueEntry => {
    const request = waiting.get(a.nodeId);
    waiting.delete(a.nodeId);
    const kind = a.nodeKind === "conflict" ? "conflict" : "change_request";
    return {
      nodeId: a.nodeId, kind, title: request?.title ?? a.nodeId, table: a.table, route: routeOf(kind, a.nodeId),
      assignment: a, vote: request !== undefined, dueAt: a.dueAt, since: a.assignedAt,
    };
  });
  const votes = [...waiting.values()].map((r): QueueEntry => ({
    nodeId: r.id, kind: "change_request", title: r.title, table: r.table, route: routeOf("change_request", r.id),
    assignment: null, vote: true, dueAt: r.expiresAt, since: r.openedAt,
  }));
  const time = (at: string | null, none: number): number => (at === null ? none : Date.parse(at));
  return [...assigned, ...votes].sort(
    (a, b) =>
      time(a.dueAt, Infinity) - time(b.dueAt, Infinity) ||
      time(a.since, -Infinity) - time(b.since, -Infinity) ||
      a.nodeId.localeCompare(b.nodeId),
  );
}

/** When an entry is due, as people say it, to the nearest unit ("due in 3 d", "overdue by
 * 2 h", "no due date"). */
export function dueWords(dueAt: string | null, now: Date): string {
  if (dueAt === null) return "no due date";
  const seconds = Math.round((Date.parse(dueAt) - now.getTime()) / 1000);
  const span = Math.abs(seconds);
  const words =
    span < 3600 ? `${Math.max(1, Math.round(span / 60))} min` : span < 86_400 ? `${Math.round(span / 3600)} h` : `${Math.round(span / 86_400)} d`;
  return seconds >= 0 ? `due in ${words}` : `overdue by ${words}`;
}

/** Who an assignment is for, in words ("you", "role editor"). */
export function assigneeWords(assignment: Assignment, user: string): string {
  if (assignment.user !== null) return assignment.user === user ? "you" : assignment.user;
  return `role ${(assignment.role ?? "EDITOR").toLowerCase()}`;
}
