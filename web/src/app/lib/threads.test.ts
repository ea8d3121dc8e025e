import { describe, expect, it } from "vitest";
import type { Page } from "./paging";
import {
  completed, listed, mentioned, segments, suggestions, typing, withEvent, withPage, withReplies, withWritten, type ApiComment,
} from "./threads";

const at = (minute: number): string => `2026-12-07T10:${String(minute).padStart(2, "0")}:00+00:00`;
const comment = (id: string, minute: number, over: Partial<ApiComment> = {}): ApiComment => ({
  id, author: "ann", text: `text ${id}`, createdAt: at(minute), editedAt: null, deleted: false, mentions: [],
  replyTo: null, replyCount: 0, mayEdit: false, mayDelete: false, ...over,
});
const page = <T>(nodes: T[], endCursor: string | null = null): Page<T> => ({ nodes, pageInfo: { hasNextPage: endCursor !== null, endCursor } });
const ids = (items: { id: string }[]): string[] => items.map((c) => c.id);

describe("a comment thread", () => {
  it("keeps the first page oldest first with each comment's replies", () => {
    const reply = comment("r1", 3, { replyTo: "c1" });
    const thread = withPage(null, page([comment("c1", 1, { replyCount: 1, replies: page([reply]) }), comment("c2", 2)], "k2"), null);
    expect(ids(thread.comments)).toEqual(["c1", "c2"]);
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1"]);
    expect(thread.cursor).toBe("k2");
    expect(listed(thread)).toBe(3);
  });
  it("puts a comment the caller wrote at its place, once, even when a later page holds it", () => {
    let thread = withPage(null, page([comment("c1", 1)], "k1"), null);
    thread = withWritten(thread, comment("c9", 9));
    expect(ids(thread.comments)).toEqual(["c1", "c9"]);
    thread = withPage(thread, page([comment("c5", 5), comment("c9", 9)]), "k1");
    expect(ids(thread.comments)).toEqual(["c1", "c5", "c9"]);
    expect(thread.cursor).toBeNull();
  });
  it("puts a reply under its thread's first comment and counts it once", () => {
    let thread = withPage(null, page([comment("c1", 1), comment("c2", 2)]), null);
    const reply = comment("r1", 4, { replyTo: "c1" });
    thread = withWritten(withWritten(thread, reply), reply);
    expect(thread.comments[0]?.replyCount).toBe(1);
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1"]);
    expect(thread.comments[1]?.replies).toEqual([]);
  });
  it("shows a deleted comment as a tombstone in its place, its replies kept", () => {
    const reply = comment("r1", 3, { replyTo: "c1" });
    let thread = withPage(null, page([comment("c1", 1, { replyCount: 1, replies: page([reply], "rk") })]), null);
    thread = withWritten(thread, comment("c1", 1, { text: null, deleted: true, replyCount: 1 }));
    expect(thread.comments[0]).toMatchObject({ deleted: true, text: null, repliesCursor: "rk" });
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1"]);
  });
  it("reads on a comment's replies where its first page ended", () => {
    const first = comment("c1", 1, { replyCount: 3, replies: page([comment("r1", 2, { replyTo: "c1" })], "rk") });
    let thread = withPage(null, page([first]), null);
    expect(thread.comments[0]?.repliesCursor).toBe("rk");
    thread = withReplies(thread, "c1", page([comment("r2", 3, { replyTo: "c1" }), comment("r3", 4, { replyTo: "c1" })]));
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1", "r2", "r3"]);
    expect(thread.comments[0]?.repliesCursor).toBeNull();
  });
  it("remembers which page each comment was read on (to read its replies on)", () => {
    let thread = withPage(null, page([comment("c1", 1)], "k1"), null);
    thread = withPage(thread, page([comment("c2", 2)]), "k1");
    expect(thread.comments.map((c) => c.pageAfter)).toEqual([null, "k1"]);
    expect(withWritten(thread, comment("c3", 3)).comments[2]?.pageAfter).toBe("k1");
  });
});

describe("a live thread", () => {
  const start = () => withPage(null, page([comment("c1", 1, { replyCount: 1, replies: page([comment("r1", 2, { replyTo: "c1" })]) })]), null);
  it("adds a comment or a reply someone else wrote, once, however often it is heard", () => {
    let thread = start();
    thread = withEvent(thread, { type: "COMMENT_ADDED", comment: comment("c2", 3) });
    thread = withEvent(thread, { type: "COMMENT_ADDED", comment: comment("r2", 4, { replyTo: "c1" }) });
    thread = withEvent(thread, { type: "COMMENT_ADDED", comment: comment("r2", 4, { replyTo: "c1" }) });
    expect(ids(thread.comments)).toEqual(["c1", "c2"]);
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1", "r2"]);
    expect(thread.comments[0]?.replyCount).toBe(2);
  });
  it("changes a listed comment in place when it is edited or deleted, its replies kept", () => {
    let thread = start();
    thread = withEvent(thread, { type: "COMMENT_EDITED", comment: comment("c1", 1, { text: "new", editedAt: at(5), replyCount: 1 }) });
    expect(thread.comments[0]?.text).toBe("new");
    expect(thread.comments[0]?.editedAt).toBe(at(5));
    expect(ids(thread.comments[0]?.replies ?? [])).toEqual(["r1"]);
    thread = withEvent(thread, { type: "COMMENT_DELETED", comment: comment("r1", 2, { replyTo: "c1", text: null, deleted: true }) });
    expect(thread.comments[0]?.replies[0]).toMatchObject({ id: "r1", text: null, deleted: true });
    expect(thread.comments[0]?.replyCount).toBe(1);
  });
  it("leaves alone an edit of a comment on a page not read yet", () => {
    const thread = start();
    expect(withEvent(thread, { type: "COMMENT_EDITED", comment: comment("c0", 0) })).toBe(thread);
    expect(withEvent(thread, { type: "COMMENT_DELETED", comment: comment("r0", 0, { replyTo: "c0" }) })).toBe(thread);
  });
  it("takes what the caller may do from the event", () => {
    const thread = withEvent(start(), { type: "COMMENT_EDITED", comment: comment("c1", 1, { mayEdit: true, mayDelete: true }) });
    expect(thread.comments[0]).toMatchObject({ mayEdit: true, mayDelete: true });
  });
});

describe("mentions", () => {
  it("finds the users a text mentions as the API does", () => {
    expect(mentioned("@bo and @cy-1, see @bo. mail a@b.org")).toEqual(["bo", "cy-1"]);
  });
  it("cuts a text into runs and the mentions the API resolved", () => {
    expect(segments("hi @bo, ask @nobody", ["bo"])).toEqual([
      { text: "hi ", mention: null },
      { text: "@bo", mention: "bo" },
      { text: ", ask @nobody", mention: null },
    ]);
    expect(segments("see @bo.", ["bo"])).toEqual([
      { text: "see ", mention: null },
      { text: "@bo", mention: "bo" },
      { text: ".", mention: null },
    ]);
  });
  it("knows the mention being typed and completes it", () => {
    expect(typing("ask @b", 6)).toEqual({ start: 4, query: "b" });
    expect(typing("mail a@b", 8)).toBeNull();
    expect(typing("done", 4)).toBeNull();
    expect(completed("ask @b now", 6, 4, "bo-x")).toEqual({ text: "ask @bo-x now", caret: 10 });
  });
  it("suggests members by id or name, those beginning with it first", () => {
    const members = [{ userId: "ann", name: "Ann Lee" }, { userId: "bo", name: "Bo Chan" }, { userId: "zed", name: "Annie Z" }];
    expect(suggestions(members, "an").map((m) => m.userId)).toEqual(["ann", "zed", "bo"]);
    expect(suggestions(members, "chan").map((m) => m.userId)).toEqual(["bo"]);
    expect(suggestions(members, "").length).toBe(3);
  });
});
