import { describe, expect, it } from "vitest";
import { apply, combine, failures, fromEvent, merge, reingestable, type IngestionEvent, type RunNode } from "./ingestion";

const node = (over: Partial<RunNode> = {}): RunNode => ({
  id: "run:1", path: "src/cities.csv", source: "folder:src", documentId: "doc:1", status: "COMPLETED",
  summary: "ingested", code: null, message: null, rows: 3, rowsSkipped: 0,
  startedAt: "2026-12-07T10:00:00Z", finishedAt: "2026-12-07T10:00:02Z", ...over,
});
const event = (type: string, over: Partial<IngestionEvent> = {}): IngestionEvent => ({
  type, subject: "run:2", at: "2026-12-07T11:00:00Z", table: null, path: "src/new.csv", documentId: null,
  payload: { path: "src/new.csv", source: "folder:src", document: "doc:2" }, ...over,
});

describe("a run told by a live event", () => {
  it("starts, progresses with its rows and completes with its status", () => {
    let feed = apply([], event("INGESTION_STARTED"));
    expect(feed).toMatchObject([{ id: "run:2", state: "started", documentId: "doc:2", source: "folder:src" }]);
    feed = apply(feed, event("INGESTION_PROGRESS", { table: "cities", payload: { path: "src/new.csv", document: "doc:2", table: "cities", rows: 4 } }));
    expect(feed[0]).toMatchObject({ state: "progress", table: "cities", rows: 4, summary: "4 rows written to cities" });
    feed = apply(feed, event("INGESTION_COMPLETED", { payload: { status: "ingested", rows: 4, skipped: 1, table: "cities" } }));
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ state: "completed", summary: "ingested, 1 rows skipped", source: "folder:src", documentId: "doc:2" });
  });
  it("fails with the API's code and message", () => {
    const [run] = apply([], event("INGESTION_FAILED", { payload: { path: "bad.csv", code: "too_many_bad_records", error: "line 3: expected 7 fields" } }));
    expect(run).toMatchObject({ state: "failed", code: "too_many_bad_records", message: "line 3: expected 7 fields", summary: "failed (too_many_bad_records)" });
  });
  it("says a file waiting for its table is waiting, not completed", () => {
    expect(fromEvent(event("INGESTION_COMPLETED", { payload: { status: "awaiting_schema", skipped: 0 } }))?.state).toBe("awaiting");
  });
  it("never goes back: a late start event leaves a completed run completed", () => {
    const done = apply([], event("INGESTION_COMPLETED", { payload: { status: "ingested", rows: 2 } }));
    expect(apply(done, event("INGESTION_STARTED"))[0]?.state).toBe("completed");
  });
  it("notes a pipeline step on the runs of its document only", () => {
    const feed = merge([], [node(), node({ id: "run:9", documentId: "doc:9" })]);
    const stepped = apply(feed, event("PIPELINE_STEP", { subject: "doc:1", payload: { step: "detect_contradictions", phase: "finished", result: { status: "succeeded" } } }));
    expect(stepped.find((r) => r.id === "run:1")?.step).toBe("detect_contradictions: succeeded");
    expect(stepped.find((r) => r.id === "run:9")?.step).toBeNull();
  });
  it("ignores an event type it does not know", () => {
    const feed = merge([], [node()]);
    expect(apply(feed, event("SOMETHING_ELSE"))).toEqual(feed);
  });
});

describe("merging the listed runs with the live feed", () => {
  it("lists runs newest first, one entry per run", () => {
    const feed = merge([], [node(), node({ id: "run:0", startedAt: "2026-12-07T09:00:00Z", finishedAt: null }), node()]);
    expect(feed.map((r) => r.id)).toEqual(["run:1", "run:0"]);
  });
  it("keeps a live completion over a reload that still says running", () => {
    const live = apply([], event("INGESTION_COMPLETED", { subject: "run:1", payload: { status: "ingested", rows: 3 } }));
    const [run] = merge(live, [node({ status: "RUNNING", finishedAt: null })]);
    expect(run?.state).toBe("completed");
  });
  it("takes a reload's end over a live start, keeping what only the event said", () => {
    const live = apply([], event("INGESTION_PROGRESS", { subject: "run:1", table: "cities", payload: { rows: 3 } }));
    const [run] = merge(live, [node({ status: "FAILED", code: "x_failed", message: "why" })]);
    expect(run).toMatchObject({ state: "failed", code: "x_failed", message: "why", table: "cities" });
  });
  it("keeps the step heard of when the run's end arrives", () => {
    const known = { ...merge([], [node({ status: "RUNNING" })])[0]!, step: "update_trust: started" };
    expect(combine(known, merge([], [node()])[0]!).step).toBe("update_trust: started");
  });
  it("lists the failed runs with their reasons", () => {
    const feed = merge([], [node(), node({ id: "run:f", status: "FAILED", code: "unreadable_file", message: "not UTF-8" })]);
    expect(failures(feed).map((r) => [r.id, r.code, r.message])).toEqual([["run:f", "unreadable_file", "not UTF-8"]]);
  });
});

describe("re-ingest", () => {
  it("is offered for a finished run's document, never for a failed or running one", () => {
    const [done] = merge([], [node()]);
    expect(reingestable(done!)).toBe(true);
    const failed = apply(apply([], event("INGESTION_STARTED")), event("INGESTION_FAILED", { payload: { code: "x" } }));
    expect(failed[0]).toMatchObject({ state: "failed", documentId: "doc:2" });
    expect(reingestable(failed[0]!)).toBe(false);
    expect(reingestable(apply([], event("INGESTION_STARTED"))[0]!)).toBe(false);
    expect(reingestable({ ...done!, documentId: null })).toBe(false);
  });
});
