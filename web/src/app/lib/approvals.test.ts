import { describe, expect, it } from "vitest";
import { bytes, declared, definitionDiff, firstPage, leaves, mayVote, nextPage, payloadLines, refreshed, schemaDiff, tally, withKept, type ChangeRequest, type Vote } from "./approvals";
import type { Page } from "./paging";

const vote = (user: string, stage = 0): Vote => ({ user, at: "2026-12-06T10:00:00Z", note: "", stage });
const request = (over: Partial<ChangeRequest> = {}): ChangeRequest => ({
  id: "cr1", kind: "schema", title: "put table t version 2 in force", status: "OPEN", requestedBy: "system:schemas",
  workspace: "default", table: null, stage: 0, required: 2, stages: [{ name: null, required: 2, role: "EDITOR" }],
  approvals: [], rejections: [], openedAt: null, expiresAt: null, applyError: null, payload: {}, ...over,
});

describe("counting votes", () => {
  it("counts the current stage's approvals against what it needs", () => {
    expect(tally(request({ approvals: [vote("a")] }))).toMatchObject({ approvals: 1, required: 2, stage: null, words: "1 of 2 approvals" });
    expect(tally(request({ required: 1, stages: [{ name: null, required: 1, role: "ADMIN" }] })).words).toBe("0 of 1 approval");
  });
  it("counts only the stage collecting votes now, and names it among several", () => {
    const stages = [{ name: "review", required: 1, role: "EDITOR" as const }, { name: "release", required: 2, role: "ADMIN" as const }];
    const t = tally(request({ stage: 1, required: 2, stages, approvals: [vote("a", 0), vote("b", 1)] }));
    expect(t).toMatchObject({ approvals: 1, stage: "stage 2 of 2 (release)", role: "ADMIN", words: "1 of 2 approvals" });
  });
  it("says what became of a request no longer open", () => {
    expect(tally(request({ status: "APPLIED", approvals: [vote("a"), vote("b")] })).words).toBe("applied");
    expect(tally(request({ status: "APPLY_FAILED" })).words).toBe("apply failed");
  });
});

describe("who may vote", () => {
  const roles = { default: "EDITOR" as const };
  it("lets an approver of the workspace with the stage's role vote once", () => {
    expect(mayVote(request(), "a", roles)).toBe(true);
    expect(mayVote(request({ approvals: [vote("a")] }), "a", roles)).toBe(false);
    expect(mayVote(request({ rejections: [vote("a")] }), "a", roles)).toBe(false);
    expect(mayVote(request({ approvals: [vote("a")] }), "b", roles)).toBe(true);
  });
  it("refuses a role below the stage's, another workspace, and a closed request", () => {
    expect(mayVote(request({ stages: [{ name: null, required: 1, role: "ADMIN" }] }), "a", roles)).toBe(false);
    expect(mayVote(request({ workspace: "team-x" }), "a", roles)).toBe(false);
    expect(mayVote(request({ status: "REJECTED" }), "a", roles)).toBe(false);
    expect(mayVote(request(), "a", {})).toBe(false);
  });
  it("lets a voter of an earlier stage vote again at the next", () => {
    const stages = [{ name: "a", required: 1, role: "EDITOR" as const }, { name: "b", required: 1, role: "EDITOR" as const }];
    expect(mayVote(request({ stage: 1, stages, approvals: [vote("a", 0)] }), "a", roles)).toBe(true);
  });
});

describe("a schema diff", () => {
  it("says a declaration in words, type first", () => {
    expect(declared({ type: "string", required: true, pii: false, tolerance: 0.1 })).toBe("string, required, tolerance 0.1");
    expect(declared({ type: "integer", unit: "km" })).toBe("integer, unit km");
    expect(declared({ type: "string", description: "", aliases: [], pii: true })).toBe("string, pii");
  });
  it("lists added, changed and removed fields before the unchanged ones", () => {
    const before = { code: { type: "string", required: true }, name: { type: "string" }, old: { type: "integer" } };
    const after = { code: { type: "string", required: true }, name: { type: "string", pii: true }, email: { type: "string", pii: true } };
    expect(schemaDiff(before, after)).toEqual([
      { field: "email", change: "added", before: null, after: "string, pii" },
      { field: "name", change: "changed", before: "string", after: "string, pii" },
      { field: "old", change: "removed", before: "integer", after: null },
      { field: "code", change: "same", before: "string, required", after: "string, required" },
    ]);
  });
  it("shows every field of a new table as added", () => {
    expect(schemaDiff(null, { b: { type: "float" }, a: { type: "string" } }).map((c) => [c.field, c.change])).toEqual([["a", "added"], ["b", "added"]]);
  });
});

describe("a policy diff", () => {
  it("names every setting by its path", () => {
    expect(leaves({ name: "p", rules: [{ max: 3, fields: [] }], on: true })).toEqual({ name: "p", "rules.0.max": "3", "rules.0.fields": "[]", on: "true" });
  });
  it("lists the settings a new version adds, changes and drops", () => {
    const before = { name: "p", thresholds: { low: 0.2, high: 0.8 }, retention: { days: 30 } };
    const after = { name: "p", thresholds: { low: 0.25, high: 0.8 }, approvals: { required: 2 } };
    expect(definitionDiff(before, after).filter((c) => c.change !== "same")).toEqual([
      { field: "approvals.required", change: "added", before: null, after: "2" },
      { field: "thresholds.low", change: "changed", before: "0.2", after: "0.25" },
      { field: "retention.days", change: "removed", before: "30", after: null },
    ]);
    expect(definitionDiff(null, { a: 1 })).toEqual([{ field: "a", change: "added", before: null, after: "1" }]);
  });
});

describe("what else a request carries", () => {
  it("describes a file to admit", () => {
    const payload = { source: "folder:hr", path: "staff.csv", root: "/data/hr", sha256: "ab12", size: 4300, reasons: ["personal data", "over 1 MB"] };
    expect(payloadLines("ingestion", payload)).toEqual([
      ["file", "staff.csv"], ["source", "folder:hr"], ["size", "4.2 KB"], ["why it needs approval", "personal data; over 1 MB"], ["sha256", "ab12"],
    ]);
  });
  it("lists another kind's payload, leaving out a definition shown as a diff", () => {
    expect(payloadLines("policy", { name: "retention", version: 3 })).toEqual([["name", "retention"], ["version", "3"]]);
    expect(payloadLines("schema.create", { table: "t", definition: { fields: {} } })).toEqual([["table", "t"]]);
    expect(payloadLines("policy", { name: "p", version: 2, definition: {}, previous: {} })).toEqual([["name", "p"], ["version", "2"]]);
  });
  it("says sizes as people read them", () => {
    expect([bytes(812), bytes(4300), bytes(1_572_864)]).toEqual(["812 B", "4.2 KB", "1.5 MB"]);
  });
});

describe("requests acted on", () => {
  it("stay in view after the list no longer holds them, the list's copy first", () => {
    const listed = [request({ id: "a" }), request({ id: "b" })];
    const kept = [request({ id: "b", status: "APPLIED" }), request({ id: "c", status: "APPLIED" })];
    expect(withKept(listed, kept).map((r) => [r.id, r.status])).toEqual([["a", "OPEN"], ["b", "OPEN"], ["c", "APPLIED"]]);
  });
});

describe("paging through the inbox", () => {
  // newest first, as the API lists them: r9 was opened last
  const opened = (id: string, minute: number, over: Partial<ChangeRequest> = {}) =>
    request({ id, openedAt: `2026-12-07T10:${String(minute).padStart(2, "0")}:00+00:00`, ...over });
  const page = (nodes: ChangeRequest[], endCursor: string | null): Page<ChangeRequest> => ({ nodes, pageInfo: { hasNextPage: endCursor !== null, endCursor } });
  const ids = (requests: ChangeRequest[]) => requests.map((r) => r.id);

  it("reads on from where a page ended, each request once", () => {
    let listing = firstPage(page([opened("r9", 9), opened("r8", 8)], "k8"));
    expect(listing.cursor).toBe("k8");
    listing = nextPage(listing, page([opened("r8", 8), opened("r7", 7)], null));
    expect(ids(listing.requests)).toEqual(["r9", "r8", "r7"]);
    expect(listing.cursor).toBeNull();
  });
  it("keeps the older pages read when the first is read again, and where to read on", () => {
    let listing = firstPage(page([opened("r9", 9), opened("r8", 8)], "k8"));
    listing = nextPage(listing, page([opened("r7", 7), opened("r6", 6)], "k6"));
    // r10 was opened and r8 decided since: the first page read again spans r10..r7
    listing = refreshed(listing, page([opened("r10", 10), opened("r9", 9, { title: "new title" }), opened("r7", 7)], "k7"));
    expect(ids(listing.requests)).toEqual(["r10", "r9", "r7", "r6"]);
    expect(listing.requests[1]?.title).toBe("new title");
    expect(listing.cursor).toBe("k6");
  });
  it("drops what left the first page's span, and takes the fresh page whole when it is all", () => {
    let listing = firstPage(page([opened("r9", 9), opened("r8", 8)], "k8"));
    listing = nextPage(listing, page([opened("r7", 7)], null));
    expect(ids(refreshed(listing, page([opened("r9", 9), opened("r7", 7)], null)).requests)).toEqual(["r9", "r7"]);
    const wider = refreshed(listing, page([opened("r9", 9), opened("r7", 7)], "k7"));
    expect(ids(wider.requests)).toEqual(["r9", "r7"]);
    expect(wider.cursor).toBe("k7");
  });
});
