// Comment threads as the API keeps them (`comments(targetId)`): comments oldest first, each
// with one level of replies, both paged; what the caller writes, and what others write, edit
// or delete (`commentEvents`), joins the thread without a reload, and a page read later that
// holds it again does not list it twice. Mentions are found as the API finds them (`@user`),
// so the text shows whom a comment notified.
import { PAGE_INFO, unionById, type Page } from "./paging";

/** A comment as the API answers it (`FIELDS`), with its first page of replies when asked. */
export interface ApiComment {
  id: string;
  author: string | null;
  /** Markdown as written; null once deleted. */
  text: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  mentions: string[];
  replyTo: string | null;
  replyCount: number;
  /** Whether the caller may change its text now (their own, within the edit window). */
  mayEdit: boolean;
  /** Whether the caller may delete it (their own, or anyone's for an admin of its node). */
  mayDelete: boolean;
  replies?: Page<ApiComment>;
}

/** A comment as the thread keeps it: its replies read so far and where to read on. */
export interface ThreadComment extends Omit<ApiComment, "replies"> {
  replies: ThreadComment[];
  /** Where the next page of replies starts (null: all are listed). */
  repliesCursor: string | null;
  /** The cursor the page of the thread holding this comment was read after (null: the first). */
  pageAfter: string | null;
}

export interface Thread {
  comments: ThreadComment[];
  /** Where the next page of the thread starts (null: all are listed). */
  cursor: string | null;
  /** The cursor the last page read was read after (a comment written now is on that page
   * or a later one). */
  last: string | null;
}

/** How many comments a page of the thread holds, and replies under each. */
export const THREAD_PAGE = 25;
export const REPLIES_PAGE = 10;

const FIELDS = "id author text createdAt editedAt deleted mentions replyTo replyCount mayEdit mayDelete";

export const THREAD_QUERY = `query Thread($target: ID!, $after: String) {
  comments(targetId: $target, first: ${THREAD_PAGE}, after: $after) {
    nodes { ${FIELDS} replies(first: ${REPLIES_PAGE}) { nodes { ${FIELDS} } ${PAGE_INFO} } } ${PAGE_INFO} } }`;

export const WRITE = `mutation Write($target: String!, $text: String!, $replyTo: String) {
  comment(targetId: $target, text: $text, replyTo: $replyTo) { comment { ${FIELDS} } } }`;

export const EDIT = `mutation Edit($id: ID!, $text: String!) { editComment(id: $id, text: $text) { ${FIELDS} } }`;

export const DELETE = `mutation Delete($id: ID!) { deleteComment(id: $id) { ${FIELDS} } }`;

/** The thread's comments added, edited and deleted by anyone, as the caller may see them. */
export const LIVE = `subscription Thread($target: ID!) {
  commentEvents(targetId: $target) { type comment { ${FIELDS} } } }`;

export type CommentEventType = "COMMENT_ADDED" | "COMMENT_EDITED" | "COMMENT_DELETED";

export interface CommentEvent {
  type: CommentEventType;
  comment: ApiComment;
}

/** More replies are read on `Comment.replies(after:)`, reached by reading again the page of
 * the thread that holds their comment (`ThreadComment.pageAfter`). */
export const MORE_REPLIES_QUERY = `query MoreReplies($target: ID!, $page: String, $after: String) {
  comments(targetId: $target, first: ${THREAD_PAGE}, after: $page) {
    nodes { id replies(first: ${REPLIES_PAGE}, after: $after) { nodes { ${FIELDS} } ${PAGE_INFO} } } } }`;

/** A comment of the API as the thread keeps it (read on a page after `pageAfter`). */
export function fromApi(comment: ApiComment, pageAfter: string | null = null): ThreadComment {
  const { replies, ...rest } = comment;
  return {
    ...rest,
    replies: (replies?.nodes ?? []).map((reply) => fromApi(reply)),
    repliesCursor: replies?.pageInfo.hasNextPage ? replies.pageInfo.endCursor : null,
    pageAfter,
  };
}

const order = (a: ThreadComment, b: ThreadComment): number =>
  Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id);

/** Two views of one comment: the fresh one's words, counts and page, the replies of both. */
function joined(old: ThreadComment, fresh: ThreadComment): ThreadComment {
  return {
    ...fresh,
    replies: unionById(old.replies, fresh.replies, joined).sort(order),
    repliesCursor: fresh.replies.length ? fresh.repliesCursor : old.repliesCursor,
  };
}

/** The thread with a page of it, read after `after` (null: the first page), merged in,
 * oldest first; the thread reads on where this page ends. */
export function withPage(thread: Thread | null, page: Page<ApiComment>, after: string | null): Thread {
  const read = page.nodes.map((c) => fromApi(c, after));
  const comments = unionById(thread?.comments ?? [], read, joined).sort(order);
  return { comments, cursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null, last: after };
}

/** The thread with a comment the caller just wrote (or deleted): in its place among the
 * comments, or among its thread's replies (counted) when it is a reply. */
export function withWritten(thread: Thread, written: ApiComment): Thread {
  const before = thread.comments.find((c) => c.id === written.id);
  const comment = fromApi(written, before ? before.pageAfter : thread.last);
  if (comment.replyTo === null) {
    return { ...thread, comments: unionById(thread.comments, [comment], joined).sort(order) };
  }
  const comments = thread.comments.map((parent) => {
    if (parent.id !== comment.replyTo) return parent;
    const known = parent.replies.some((r) => r.id === comment.id);
    return {
      ...parent,
      replyCount: parent.replyCount + (known ? 0 : 1),
      replies: unionById(parent.replies, [comment], joined).sort(order),
    };
  });
  return { ...thread, comments };
}

/** Whether `thread` lists `id`, as a comment or a reply. */
function lists(thread: Thread, id: string): boolean {
  return thread.comments.some((c) => c.id === id || c.replies.some((r) => r.id === id));
}

/** The thread after a live event: a comment added joins it (as one the caller wrote); one
 * edited or deleted changes in place if it is listed (a page not read yet will bring it). */
export function withEvent(thread: Thread, event: CommentEvent): Thread {
  if (event.type !== "COMMENT_ADDED" && !lists(thread, event.comment.id)) return thread;
  return withWritten(thread, event.comment);
}

/** The thread with the next page of one comment's replies merged in. */
export function withReplies(thread: Thread, parent: string, page: Page<ApiComment>): Thread {
  const comments = thread.comments.map((c) =>
    c.id === parent
      ? {
          ...c,
          replies: unionById(c.replies, page.nodes.map((reply) => fromApi(reply)), joined).sort(order),
          repliesCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
        }
      : c,
  );
  return { ...thread, comments };
}

/** How many comments the thread holds that are listed, replies included. */
export function listed(thread: Thread): number {
  return thread.comments.reduce((sum, c) => sum + 1 + c.replies.length, 0);
}

// The API's mention: `@` not after a word character, a dot or another `@`, then a user id
// (`governance.comments.MENTION`); trailing dots and dashes end the sentence, not the id.
const MENTION = /(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.-]*)/g;

export interface Segment {
  text: string;
  /** The user mentioned, when this segment is a mention the API resolved. */
  mention: string | null;
}

/** A comment's text cut into plain runs and the mentions the API resolved (`mentions`), so
 * they can be shown apart without any markup from the text itself. */
export function segments(text: string, mentions: readonly string[]): Segment[] {
  const known = new Set(mentions);
  const out: Segment[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION)) {
    const user = (match[1] ?? "").replace(/[.-]+$/, "");
    if (!known.has(user)) continue;
    const start = match.index ?? 0;
    if (start > at) out.push({ text: text.slice(at, start), mention: null });
    out.push({ text: `@${user}`, mention: user });
    at = start + 1 + user.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), mention: null });
  return out;
}

/** The user ids `text` mentions, once each, in order (as the API will read them). */
export function mentioned(text: string): string[] {
  const found = [...text.matchAll(MENTION)].map((m) => (m[1] ?? "").replace(/[.-]+$/, ""));
  return [...new Set(found.filter((name) => name !== ""))];
}

/** The mention being typed just before `caret` (`@ma|`): where its `@` is and what follows. */
export function typing(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(?<![\w.@])@([A-Za-z0-9_.-]*)$/.exec(before);
  return match ? { start: match.index, query: match[1] ?? "" } : null;
}

export interface Member {
  userId: string;
  name: string;
}

/** Up to `limit` members whose id or name begins with (then holds) `query`, any case. */
export function suggestions(members: readonly Member[], query: string, limit = 6): Member[] {
  const q = query.toLowerCase();
  const rank = (m: Member): number => {
    const id = m.userId.toLowerCase();
    const name = m.name.toLowerCase();
    if (id.startsWith(q) || name.startsWith(q)) return 0;
    if (id.includes(q) || name.includes(q)) return 1;
    return 2;
  };
  return members
    .map((m) => ({ m, r: rank(m) }))
    .filter(({ r }) => r < 2)
    .sort((a, b) => a.r - b.r || a.m.userId.localeCompare(b.m.userId))
    .slice(0, limit)
    .map(({ m }) => m);
}

/** `text` with the mention typed at `start` completed to `@user ` and the caret after it. */
export function completed(text: string, caret: number, start: number, user: string): { text: string; caret: number } {
  const inserted = `@${user} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret).replace(/^\s+/, ""), caret: start + inserted.length };
}
