// The caller's notifications and the unread badge: loaded once (the newest page and the
// counts in one request), then kept up to date by the `notifications` subscription, each
// notification counted once however often it is heard, and by marking read.
import { EXPLORABLE } from "./explore";
import type { Route } from "./router";
import { unionById, type Page } from "./paging";

export type NotificationKind = "MENTION" | "ASSIGNMENT" | "VOTE_NEEDED" | "CONFLICT" | "INGESTION_FAILED" | "LOW_TRUST";

export interface Notice {
  id: string;
  kind: NotificationKind;
  subjectId: string;
  subjectKind: string;
  table: string | null;
  message: string;
  actor: string;
  createdAt: string;
  read: boolean;
}

/** The fields read of a notification, by the list and by the subscription alike. */
export const NOTICE_FIELDS = "id kind subjectId subjectKind table message actor createdAt read";

export interface InboxState {
  /** Newest first: the pages read, with live arrivals in front. */
  notices: Notice[];
  unread: number;
  total: number;
  /** Where the next older page starts (null: no more). */
  cursor: string | null;
}

export const UNLOADED: InboxState = { notices: [], unread: 0, total: 0, cursor: null };

/** The state a load gives: the server's counts and newest page, then the notifications heard
 * live while it was under way (`heard`, oldest first), those the page already holds not
 * counted again. */
export function loaded(counts: { total: number; unread: number }, page: Page<Notice>, heard: readonly Notice[] = []): InboxState {
  const state: InboxState = {
    notices: page.nodes,
    unread: counts.unread,
    total: counts.total,
    cursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
  return heard.reduce(arrived, state);
}

/** A notification heard live: in front and counted, unless it is already listed. */
export function arrived(state: InboxState, notice: Notice): InboxState {
  if (state.notices.some((n) => n.id === notice.id)) return state;
  return {
    ...state,
    notices: [notice, ...state.notices],
    total: state.total + 1,
    unread: state.unread + (notice.read ? 0 : 1),
  };
}

/** An older page read on, after the ones listed. */
export function olderPage(state: InboxState, page: Page<Notice>): InboxState {
  return {
    ...state,
    notices: unionById(state.notices, page.nodes),
    cursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
  };
}

/** After `markNotificationsRead(ids)` (all when null) answered that `changed` became read. */
export function markedRead(state: InboxState, ids: readonly string[] | null, changed: number): InboxState {
  const chosen = ids === null ? null : new Set(ids);
  return {
    ...state,
    notices: state.notices.map((n) => (chosen === null || chosen.has(n.id) ? { ...n, read: true } : n)),
    unread: chosen === null ? 0 : Math.max(0, state.unread - changed),
  };
}

/** The badge's text: the unread count, "99+" past 99, nothing at 0. */
export function badgeText(unread: number): string {
  return unread <= 0 ? "" : unread > 99 ? "99+" : String(unread);
}

/** The screen a notification's subject opens: its conflict, its change request, the
 * ingestion feed for a failed file, the provenance explorer for a row, document or fact;
 * null for a subject no screen shows (a schema version). */
export function subjectRoute(kind: string, id: string): Route | null {
  switch (kind) {
    case "conflict":
      return { screen: "conflict", id };
    case "change_request":
      return { screen: "request", id };
    case "ingestion_run":
      return { screen: "ingestion" };
    default:
      return (EXPLORABLE as readonly string[]).includes(kind) ? { screen: "provenance", id: `${kind}/${id}` } : null;
  }
}

const WHY: Record<NotificationKind, string> = {
  MENTION: "mentioned you",
  ASSIGNMENT: "assigned to you",
  VOTE_NEEDED: "your vote is needed",
  CONFLICT: "new conflict",
  INGESTION_FAILED: "a file failed",
  LOW_TRUST: "low trust",
};

/** Why a notification came, in words. */
export function why(kind: NotificationKind): string {
  return WHY[kind] ?? kind.toLowerCase();
}

/** Who caused it, as people read it: a user's id, or the component ("user:ann" -> "ann",
 * "system:router" -> "Grace (router)"). */
export function actorWords(actor: string): string {
  if (actor.startsWith("user:")) return actor.slice("user:".length);
  if (actor.startsWith("system:")) return `Grace (${actor.slice("system:".length)})`;
  return actor || "Grace";
}

/** Every kind, in the order the preferences list them. */
export const KINDS: readonly NotificationKind[] = ["MENTION", "ASSIGNMENT", "VOTE_NEEDED", "CONFLICT", "INGESTION_FAILED", "LOW_TRUST"];

const CHOICE: Record<NotificationKind, string> = {
  MENTION: "someone mentions me",
  ASSIGNMENT: "a review is assigned to me",
  VOTE_NEEDED: "a change request needs my vote",
  CONFLICT: "a conflict appears on a table I own",
  INGESTION_FAILED: "a file from a folder I own fails",
  LOW_TRUST: "a document of a table I own falls to low trust",
};

/** A kind as the preferences offer it ("Notify me when …"). */
export function choice(kind: NotificationKind): string {
  return CHOICE[kind];
}

/** How e-mail is delivered: each at once, or gathered in the scheduled digest. */
export type Delivery = "IMMEDIATE" | "DIGEST";

/** The caller's choices (`notificationPreferences`). */
export interface Preferences {
  muted: NotificationKind[];
  delivery: Delivery;
  email: boolean;
}

export const PREFERENCES_QUERY = `{ notificationPreferences { muted delivery email } }`;

export const SET_PREFERENCES = `mutation Preferences($muted: [NotificationKind!]!, $delivery: NotificationDelivery!, $email: Boolean!) {
  setNotificationPreferences(muted: $muted, delivery: $delivery, email: $email) { muted delivery email } }`;

/** The preferences to store when the caller wants to hear of `heard` only: every other kind
 * muted, in `KINDS` order. */
export function muting(heard: ReadonlySet<NotificationKind>, delivery: Delivery, email: boolean): Preferences {
  return { muted: KINDS.filter((kind) => !heard.has(kind)), delivery, email };
}
