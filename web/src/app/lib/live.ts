// Live events over one graphql-ws websocket per session: it reconnects after a loss (with
// backoff) and says what it is doing, so the page can show "reconnecting" in words.
import { createClient, type Client } from "graphql-ws";
import { GRAPHQL_PATH } from "./graphql";
import { connectionParams } from "./session";
import { ApiError, fromGraphQLErrors } from "./errors";

export type LinkState =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number; reason: string }
  | { kind: "refused"; reason: string };

/** Grace closes a websocket without a valid credential with this code. */
export const REFUSED = 4403;

/** The words shown for a state. */
export function stateText(state: LinkState): string {
  switch (state.kind) {
    case "connecting":
      return "Connecting to live updates…";
    case "live":
      return "Live";
    case "reconnecting":
      return `Live updates lost (${state.reason}); reconnecting, attempt ${state.attempt}…`;
    case "refused":
      return `Live updates refused: ${state.reason}`;
  }
}

/** The close reason in words ("closed 1006" when the socket gave none). */
export function closeReason(event: unknown): string {
  if (typeof event === "object" && event !== null && "code" in event) {
    const { code, reason } = event as { code: number; reason?: string };
    return reason ? `${reason} (${code})` : `closed ${code}`;
  }
  return "the connection failed";
}

export function isRefusal(event: unknown): boolean {
  return typeof event === "object" && event !== null && (event as { code?: number }).code === REFUSED;
}

/** Backoff before reconnect attempt `retries` (0-based): 0.5 s doubling, capped at 8 s. */
export function retryDelayMs(retries: number): number {
  return Math.min(8000, 500 * 2 ** retries);
}

export interface Live {
  subscribe<T>(query: string, variables: Record<string, unknown>, next: (data: T) => void, fail: (e: ApiError) => void): () => void;
  dispose(): void;
}

/** The session's websocket at /graphql on `location`'s host; `onState` hears every change. */
export function connect(location: Location, credential: string, onState: (s: LinkState) => void): Live {
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${GRAPHQL_PATH}`;
  let attempt = 0;
  let lost = "";
  const client: Client = createClient({
    url,
    lazy: false,
    keepAlive: 10_000,
    connectionParams: () => connectionParams(credential),
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
    shouldRetry: (event) => !isRefusal(event),
    on: {
      connecting: () => onState(attempt ? { kind: "reconnecting", attempt, reason: lost } : { kind: "connecting" }),
      connected: () => {
        attempt = 0;
        onState({ kind: "live" });
      },
      closed: (event) => {
        if (isRefusal(event)) {
          onState({ kind: "refused", reason: closeReason(event) });
          return;
        }
        attempt += 1;
        lost = closeReason(event);
        onState({ kind: "reconnecting", attempt, reason: lost });
      },
    },
  });
  return {
    subscribe(query, variables, next, fail) {
      return client.subscribe(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length) fail(fromGraphQLErrors(result.errors));
            else if (result.data) next(result.data as never);
          },
          error: (error) => {
            if (!(typeof error === "object" && error !== null && "code" in error)) {
              fail(new ApiError("subscription", String(error)));
            }
          },
          complete: () => undefined,
        },
      );
    },
    dispose: () => void client.dispose(),
  };
}
