import { describe, expect, it } from "vitest";
import { assigneeWords, dueWords, queueEntries, type Assignment, type WaitingRequest } from "./queue";

const assignment = (nodeId: string, over: Partial<Assignment> = {}): Assignment => ({
  id: `a-${nodeId}`, nodeId, nodeKind: "conflict", table: "cities", workspace: "default", user: "bo", role: null,
  assignedBy: "user:ann", assignedAt: "2026-12-01T00:00:00Z", dueAt: "2026-12-08T00:00:00Z", note: "", ...over,
});
const request = (id: string, over: Partial<WaitingRequest> = {}): WaitingRequest => ({
  id, title: `request ${id}`, status: "OPEN", workspace: "default", table: null, stage: 0, stages: [{ role: "EDITOR" }],
  approvals: [], rejections: [], openedAt: "2026-12-02T00:00:00Z", expiresAt: null, ...over,
});
const roles = { default: "EDITOR" as const };

describe("my queue", () => {
  it("lists assigned conflicts and requests waiting for my vote, soonest due first", () => {
    const entries = queueEntries(
      [assignment("c1", { dueAt: "2026-12-09T00:00:00Z" }), assignment("c2", { dueAt: "2026-12-03T00:00:00Z" })],
      [request("cr1", { expiresAt: "2026-12-05T00:00:00Z" }), request("cr2")],
      "bo", roles,
    );
    expect(entries.map((e) => e.nodeId)).toEqual(["c2", "cr1", "c1", "cr2"]);
    expect(entries[0]).toMatchObject({ kind: "conflict", route: { screen: "conflict", id: "c2" }, vote: false });
    expect(entries[1]).toMatchObject({ kind: "change_request", route: { screen: "request", id: "cr1" }, vote: true, assignment: null });
  });
  it("lists an assigned request I may vote on once, saying both", () => {
    const entries = queueEntries([assignment("cr1", { nodeKind: "change_request" })], [request("cr1")], "bo", roles);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ title: "request cr1", vote: true, route: { screen: "request", id: "cr1" } });
    expect(entries[0]?.assignment?.id).toBe("a-cr1");
  });
  it("leaves out requests I voted on or may not vote on", () => {
    const voted = request("cr1", { approvals: [{ user: "bo", stage: 0 }] });
    const admins = request("cr2", { stages: [{ role: "ADMIN" }] });
    expect(queueEntries([], [voted, admins, request("cr3", { status: "APPLIED" })], "bo", roles)).toEqual([]);
  });
  it("says when an entry is due and for whom", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(dueWords("2026-12-10T12:00:00Z", now)).toBe("due in 3 d");
    expect(dueWords("2026-12-07T10:00:00Z", now)).toBe("overdue by 2 h");
    expect(dueWords("2026-12-07T12:20:00Z", now)).toBe("due in 20 min");
    expect(dueWords("2026-12-14T11:59:58Z", now)).toBe("due in 7 d"); // a week, assigned 2 s ago
    expect(dueWords(null, now)).toBe("no due date");
    expect(assigneeWords(assignment("c1"), "bo")).toBe("you");
    expect(assigneeWords(assignment("c1", { user: null, role: "EDITOR" }), "bo")).toBe("role editor");
  });
});
