// Queries and mutations over HTTP POST to /graphql with the session's credential.
import { ApiError, fromGraphQLErrors, fromHttpStatus } from "./errors";
import { authHeaders } from "./session";

export const GRAPHQL_PATH = "/graphql";

export type Variables = Record<string, unknown>;

/** Sends one operation; resolves to its `data` or rejects with an ApiError. */
export type Request = <T>(query: string, variables?: Variables) => Promise<T>;

/** A request function bound to `credential` (null: anonymous, for `health` only). */
export function client(credential: string | null, fetcher: typeof fetch = fetch): Request {
  return async <T>(query: string, variables: Variables = {}): Promise<T> => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (credential !== null) Object.assign(headers, authHeaders(credential));
    const response = await fetcher(GRAPHQL_PATH, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: { data?: T | null; errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw fromHttpStatus(response.status, text);
    }
    if (body.errors?.length) throw fromGraphQLErrors(body.errors);
    if (!response.ok) throw fromHttpStatus(response.status, text);
    if (body.data == null) throw new ApiError("no_data", "the API answered without data");
    return body.data;
  };
}
