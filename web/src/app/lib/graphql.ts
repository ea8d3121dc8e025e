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
    return answer<T>(response);
  };
}

/** Sends a mutation whose `$files` variable is the given files, as a GraphQL multipart request. */
export type Upload = <T>(query: string, files: readonly File[]) => Promise<T>;

/** Multipart uploads need this header (any value): a cross-site form cannot send it. */
export const CSRF_HEADER = "X-Grace-CSRF";

/** The multipart body of the GraphQL multipart request spec: the operation with one null per
 * file in `variables.files`, the map of each part to its place, then the files. */
export function multipartBody(query: string, files: readonly File[]): FormData {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables: { files: files.map(() => null) } }));
  form.append("map", JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.files.${i}`]]))));
  files.forEach((file, i) => form.append(String(i), file, file.name));
  return form;
}

/** An upload function bound to `credential`; the browser sets the multipart boundary. */
export function uploader(credential: string, fetcher: typeof fetch = fetch): Upload {
  return async <T>(query: string, files: readonly File[]): Promise<T> => {
    const response = await fetcher(GRAPHQL_PATH, {
      method: "POST",
      headers: { ...authHeaders(credential), [CSRF_HEADER]: "1" },
      body: multipartBody(query, files),
    });
    return answer<T>(response);
  };
}

/** A GraphQL response's `data`, or the ApiError it (or its HTTP status) says. */
async function answer<T>(response: Response): Promise<T> {
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
}
