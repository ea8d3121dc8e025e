// How GraphiQL reaches Grace: HTTP for queries and mutations; a websocket per subscription,
// whose connection_init carries the credential from GraphiQL's headers tab (as Grace's
// websocket expects: {"authorization": "Bearer ..."} or {"apiKey": "grace_..."}).
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts, type FetcherParams } from "@graphiql/toolkit";
import { getOperationAST, OperationTypeNode, parse } from "graphql";
import { createClient, type ExecutionResult } from "graphql-ws";

const GRAPHQL_PATH = "/graphql";

/** The fetcher for the API at `GRAPHQL_PATH` on the page's own origin. */
export function graceFetcher(location: Location): Fetcher {
  const http = createGraphiQLFetcher({ url: GRAPHQL_PATH });
  const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${GRAPHQL_PATH}`;
  return (params, opts) =>
    isSubscription(params, opts) ? subscribe(wsUrl, params, opts?.headers) : http(params, opts);
}

function isSubscription(params: FetcherParams, opts: FetcherOpts | undefined): boolean {
  try {
    const document = opts?.documentAST ?? parse(params.query);
    return getOperationAST(document, params.operationName)?.operation === OperationTypeNode.SUBSCRIPTION;
  } catch {
    return false; // the server reports the syntax error
  }
}

/** The credential from the headers tab, in the shape Grace's connection_init reads. */
function connectionParams(headers: Record<string, unknown> | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== "string") continue;
    const key = name.toLowerCase();
    if (key === "authorization") params.authorization = value;
    else if (key === "x-api-key") params.apiKey = value;
  }
  return params;
}

async function* subscribe(
  url: string,
  params: FetcherParams,
  headers: Record<string, unknown> | undefined,
): AsyncGenerator<ExecutionResult> {
  const client = createClient({ url, connectionParams: connectionParams(headers), retryAttempts: 0 });
  try {
    const results = client.iterate({
      query: params.query,
      operationName: params.operationName ?? undefined,
      variables: params.variables ?? undefined,
    });
    // The socket's results are JSON (errors formatted); GraphiQL only prints them.
    yield* results as AsyncIterable<ExecutionResult>;
  } catch (error) {
    throw error instanceof CloseEvent ? closedBecause(error) : error;
  } finally {
    await client.dispose();
  }
}

/** What a refused websocket says (Grace closes with 4403 without a valid credential). */
function closedBecause(event: CloseEvent): Error {
  return new Error(`the websocket closed: ${event.code} ${event.reason || "(no reason given)"}`);
}
