// The ingestion feed: runs as `ingestionRuns` lists them, merged with the live
// `ingestionProgress` events, one entry per run in the furthest state either has reported.

/** Where a run stands, furthest last: a run never goes back to an earlier state. */
export type RunState = "started" | "progress" | "completed" | "awaiting" | "failed";

const RANK: Record<RunState, number> = { started: 0, progress: 1, completed: 2, awaiting: 2, failed: 2 };

/** A run as the `ingestionRuns` query gives it. */
export interface RunNode {
  id: string;
  path: string;
  source: string | null;
  documentId: string | null;
  status: "RUNNING" | "COMPLETED" | "AWAITING_SCHEMA" | "AWAITING_APPROVAL" | "FAILED";
  summary: string;
  code: string | null;
  message: string | null;
  rows: number;
  rowsSkipped: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An `ingestionProgress` event (the pipeline's steps included). */
export interface IngestionEvent {
  type: string;
  subject: string;
  at: string;
  table: string | null;
  path: string | null;
  documentId: string | null;
  payload: Record<string, unknown> | null;
}

/** One run of the feed. */
export interface Run {
  id: string;
  path: string;
  source: string | null;
  documentId: string | null;
  table: string | null;
  state: RunState;
  /** How it ended or where it is, in words. */
  summary: string;
  code: string | null;
  message: string | null;
  rows: number | null;
  at: string | null;
  /** The last after-ingest step heard of for its document ("detect_contradictions: succeeded"). */
  step: string | null;
}

const STATE_OF: Record<RunNode["status"], RunState> = {
  RUNNING: "started",
  COMPLETED: "completed",
  AWAITING_SCHEMA: "awaiting",
  AWAITING_APPROVAL: "awaiting",
  FAILED: "failed",
};

/** A listed run as a feed entry. */
export function fromNode(node: RunNode): Run {
  return {
    id: node.id, path: node.path, source: node.source, documentId: node.documentId, table: null,
    state: STATE_OF[node.status], summary: node.summary, code: node.code, message: node.message,
    rows: node.rows, at: node.finishedAt ?? node.startedAt, step: null,
  };
}

const text = (payload: Record<string, unknown> | null, key: string): string | null => {
  const value = payload?.[key];
  return typeof value === "string" ? value : null;
};
const count = (payload: Record<string, unknown> | null, key: string): number | null => {
  const value = payload?.[key];
  return typeof value === "number" ? value : null;
};

/** What an `ingestion.*` event says of its run; null for a pipeline step or an unknown type. */
export function fromEvent(event: IngestionEvent): Run | null {
  const p = event.payload;
  const base = {
    id: event.subject, path: event.path ?? text(p, "path") ?? "?", source: text(p, "source"),
    documentId: event.documentId ?? text(p, "document"), table: event.table, code: null, message: null,
    rows: count(p, "rows"), at: event.at, step: null,
  };
  switch (event.type) {
    case "INGESTION_STARTED":
      return { ...base, state: "started", summary: "started" };
    case "INGESTION_PROGRESS":
      return { ...base, state: "progress", summary: `${base.rows ?? 0} rows written to ${event.table ?? "a table"}` };
    case "INGESTION_COMPLETED": {
      const status = text(p, "status") ?? "ingested";
      const skipped = count(p, "skipped") ?? 0;
      const state: RunState = status.startsWith("awaiting") ? "awaiting" : "completed";
      return { ...base, state, summary: skipped ? `${status}, ${skipped} rows skipped` : status };
    }
    case "INGESTION_FAILED": {
      const code = text(p, "code");
      return { ...base, state: "failed", summary: `failed (${code ?? "unknown"})`, code, message: text(p, "error") };
    }
    default:
      return null;
  }
}

/** `known` told of `news`: the furthest state wins, and what only one of them says is kept. */
export function combine(known: Run | undefined, news: Run): Run {
  if (known === undefined) return news;
  const [ahead, behind] = RANK[news.state] >= RANK[known.state] ? [news, known] : [known, news];
  return {
    ...ahead,
    source: ahead.source ?? behind.source,
    documentId: ahead.documentId ?? behind.documentId,
    table: ahead.table ?? behind.table,
    rows: ahead.rows ?? behind.rows,
    step: ahead.step ?? behind.step,
  };
}

/** The feed after one event: its run updated (or added), or a pipeline step noted on the
 * runs of its document. Newest first. */
export function apply(feed: readonly Run[], event: IngestionEvent): Run[] {
  if (event.type === "PIPELINE_STEP") {
    const step = text(event.payload, "step");
    const phase = text(event.payload, "phase");
    const result = event.payload?.["result"];
    const status = typeof result === "object" && result !== null ? text(result as Record<string, unknown>, "status") : null;
    const said = `${step ?? "a step"}: ${status ?? phase ?? "running"}`;
    return feed.map((run) => (run.documentId !== null && run.documentId === event.subject ? { ...run, step: said } : run));
  }
  const news = fromEvent(event);
  if (news === null) return [...feed];
  const known = feed.find((run) => run.id === news.id);
  return sortNewest([...feed.filter((run) => run.id !== news.id), combine(known, news)]);
}

/** The listed runs merged into the feed (a reload keeps what live events said further). */
export function merge(feed: readonly Run[], listed: readonly RunNode[]): Run[] {
  const byId = new Map(feed.map((run) => [run.id, run]));
  for (const node of listed) byId.set(node.id, combine(byId.get(node.id), fromNode(node)));
  return sortNewest([...byId.values()]);
}

function sortNewest(runs: Run[]): Run[] {
  return runs.sort((a, b) => (b.at ?? "").localeCompare(a.at ?? ""));
}

/** The runs that failed, with their code and reason. */
export function failures(feed: readonly Run[]): Run[] {
  return feed.filter((run) => run.state === "failed");
}

/** Whether a run's document may be queued again: a finished run that wrote one (a failed file
 * has no document; the watcher takes it again once it changes). */
export function reingestable(run: Run): boolean {
  return run.documentId !== null && (run.state === "completed" || run.state === "awaiting");
}

/** A run's state as shown in its badge. */
export function stateWords(state: RunState): string {
  return { started: "started", progress: "in progress", completed: "completed", awaiting: "waiting", failed: "failed" }[state];
}
