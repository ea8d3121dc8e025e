import { describe, expect, it } from "vitest";
import {
  actorWords, arrived, badgeText, choice, KINDS, loaded, markedRead, muting, olderPage, subjectRoute, UNLOADED, type Notice,
} from "./notifications";
import type { Page } from "./paging";

const notice = (id: string, over: Partial<Notice> = {}): Notice => ({
  id, kind: "MENTION", subjectId: "conflict:value:cities:lyon", subjectKind: "conflict", table: "cities",
  message: "ann mentioned you on conflict:value:cities:lyon", actor: "user:ann", createdAt: "2026-12-07T10:00:00Z", read: false, ...over,
});
const page = (nodes: Notice[], endCursor: string | null = null): Page<Notice> => ({ nodes, pageInfo: { hasNextPage: endCursor !== null, endCursor } });

describe("the unread badge", () => {
  it("starts from the server's counts and the newest page", () => {
    const state = loaded({ total: 5, unread: 2 }, page([notice("n2"), notice("n1", { read: true })], "c1"));
    expect(state).toMatchObject({ unread: 2, total: 5, cursor: "c1" });
    expect(state.notices.map((n) => n.id)).toEqual(["n2", "n1"]);
  });
  it("rises with each notification heard live, in front of the list", () => {
    let state = loaded({ total: 1, unread: 1 }, page([notice("n1")]));
    state = arrived(state, notice("n2"));
    state = arrived(state, notice("n3"));
    expect(state.unread).toBe(3);
    expect(state.total).toBe(3);
    expect(state.notices.map((n) => n.id)).toEqual(["n3", "n2", "n1"]);
  });
  it("counts a notification heard twice once", () => {
    const once = arrived(loaded({ total: 0, unread: 0 }, page([])), notice("n1"));
    expect(arrived(once, notice("n1"))).toBe(once);
    expect(once.unread).toBe(1);
  });
  it("does not count again what a load already counted, heard while it ran", () => {
    // n2 was written before the load read the counts (so counted there), n3 after it
    const state = loaded({ total: 2, unread: 2 }, page([notice("n2"), notice("n1")]), [notice("n2"), notice("n3")]);
    expect(state.unread).toBe(3);
    expect(state.notices.map((n) => n.id)).toEqual(["n3", "n2", "n1"]);
  });
  it("does not count a notification that arrives already read", () => {
    expect(arrived(UNLOADED, notice("n1", { read: true })).unread).toBe(0);
  });
  it("falls by what the server marked read, and to nothing when all are", () => {
    let state = loaded({ total: 4, unread: 3 }, page([notice("n3"), notice("n2"), notice("n1")]));
    state = markedRead(state, ["n2"], 1);
    expect(state.unread).toBe(2);
    expect(state.notices.find((n) => n.id === "n2")?.read).toBe(true);
    expect(state.notices.find((n) => n.id === "n3")?.read).toBe(false);
    // an id already read changes nothing on the server: the count stays
    expect(markedRead(state, ["n2"], 0).unread).toBe(2);
    const all = markedRead(state, null, 2);
    expect(all.unread).toBe(0);
    expect(all.notices.every((n) => n.read)).toBe(true);
  });
  it("never shows a negative count, and caps what it shows", () => {
    expect(markedRead(loaded({ total: 1, unread: 1 }, page([])), ["x", "y"], 5).unread).toBe(0);
    expect([0, 1, 99, 100].map(badgeText)).toEqual(["", "1", "99", "99+"]);
  });
  it("reads on older pages without repeating what live events put in front", () => {
    let state = loaded({ total: 3, unread: 0 }, page([notice("n3")], "c3"));
    state = arrived(state, notice("n4"));
    state = olderPage(state, page([notice("n2"), notice("n1")]));
    expect(state.notices.map((n) => n.id)).toEqual(["n4", "n3", "n2", "n1"]);
    expect(state.cursor).toBeNull();
  });
});

describe("a notification's subject", () => {
  it("opens its conflict, its change request, the ingestion feed or the provenance explorer, if any", () => {
    expect(subjectRoute("conflict", "c1")).toEqual({ screen: "conflict", id: "c1" });
    expect(subjectRoute("change_request", "cr1")).toEqual({ screen: "request", id: "cr1" });
    expect(subjectRoute("ingestion_run", "run1")).toEqual({ screen: "ingestion" });
    expect(subjectRoute("row", "row:1")).toEqual({ screen: "provenance", id: "row/row:1" });
    expect(subjectRoute("document", "doc:1")).toEqual({ screen: "provenance", id: "document/doc:1" });
    expect(subjectRoute("schema_version", "schema:cities:2")).toBeNull();
  });
  it("names who caused it", () => {
    expect(actorWords("user:ann")).toBe("ann");
    expect(actorWords("system:router")).toBe("Grace (router)");
  });
});

describe("notification preferences", () => {
  it("mutes every kind not chosen, in the order they are offered", () => {
    expect(muting(new Set(["CONFLICT", "MENTION"]), "DIGEST", true)).toEqual({
      muted: ["ASSIGNMENT", "VOTE_NEEDED", "INGESTION_FAILED", "LOW_TRUST"], delivery: "DIGEST", email: true,
    });
    expect(muting(new Set(KINDS), "IMMEDIATE", false).muted).toEqual([]);
    expect(muting(new Set(), "IMMEDIATE", false).muted).toEqual([...KINDS]);
  });
  it("offers every kind in words", () => {
    expect(new Set(KINDS.map(choice)).size).toBe(KINDS.length);
    expect(choice("VOTE_NEEDED")).toBe("a change request needs my vote");
  });
});
