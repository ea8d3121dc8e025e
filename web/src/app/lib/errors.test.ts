import { describe, expect, it } from "vitest";
import { ApiError, describe as words, fromGraphQLErrors, fromHttpStatus } from "./errors";

describe("errors in words", () => {
  it("keeps the API's code beside its message", () => {
    const error = fromGraphQLErrors([{ message: "table 'x' is not known", extensions: { code: "not_found" } }]);
    expect(words(error)).toBe("table 'x' is not known (not_found)");
  });
  it("names a GraphQL error without a code as graphql", () => {
    expect(fromGraphQLErrors([{ message: "Cannot query field" }]).code).toBe("graphql");
  });
  it("says a refused credential means logging in again", () => {
    expect(words(fromHttpStatus(401, ""))).toContain("log in again (unauthenticated)");
  });
  it("says the API cannot be reached on a network failure", () => {
    expect(words(new TypeError("Failed to fetch"))).toContain("(network)");
  });
  it("marks anything else unexpected", () => {
    expect(words(new Error("boom"))).toBe("boom (unexpected)");
    expect(new ApiError("x", "y")).toBeInstanceOf(Error);
  });
});
