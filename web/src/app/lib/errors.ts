// Errors as people read them: what went wrong in words, with the code the API returned.

/** A failure the API (or the network) reported, with Grace's error code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface GraphQLErrorShape {
  message?: unknown;
  extensions?: { code?: unknown } | null;
}

/** The first GraphQL error of a response as an ApiError (its `extensions.code`, else `graphql`). */
export function fromGraphQLErrors(errors: readonly GraphQLErrorShape[]): ApiError {
  const [first] = errors;
  const code = typeof first?.extensions?.code === "string" ? first.extensions.code : "graphql";
  const message = typeof first?.message === "string" ? first.message : "the API gave no message";
  return new ApiError(code, message);
}

/** An HTTP status without a GraphQL body, in words. */
export function fromHttpStatus(status: number, body: string): ApiError {
  if (status === 401) return new ApiError("unauthenticated", "the credential was refused: log in again");
  if (status === 413) return new ApiError("too_large", "the request is larger than the API accepts");
  if (status >= 500) return new ApiError("server_error", `the API failed (HTTP ${status})`);
  return new ApiError(`http_${status}`, body.trim().slice(0, 200) || `HTTP ${status}`);
}

/** One line for a person: "message (code)". */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof TypeError) return "the API cannot be reached: check the network (network)";
  if (error instanceof Error) return `${error.message} (unexpected)`;
  return `${String(error)} (unexpected)`;
}
