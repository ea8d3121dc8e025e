import { describe, expect, it } from "vitest";
import { client } from "./graphql";

function answering(status: number, body: string, seen: RequestInit[] = []): typeof fetch {
  return (async (_url: RequestInfo | URL, init?: RequestInit) => {
    seen.push(init ?? {});
    return new Response(body, { status });
  }) as typeof fetch;
}

describe("the GraphQL client", () => {
  it("sends the credential as a bearer header and returns data", async () => {
    const seen: RequestInit[] = [];
    const request = client("grace_k_s", answering(200, '{"data":{"a":1}}', seen));
    expect(await request<{ a: number }>("{ a }")).toEqual({ a: 1 });
    expect((seen[0]?.headers as Record<string, string>).Authorization).toBe("Bearer grace_k_s");
  });
  it("rejects with the first error's code", async () => {
    const request = client("t", answering(200, '{"data":null,"errors":[{"message":"no","extensions":{"code":"forbidden"}}]}'));
    await expect(request("{ a }")).rejects.toMatchObject({ code: "forbidden", message: "no" });
  });
  it("turns a 401 without JSON into unauthenticated", async () => {
    await expect(client("t", answering(401, "Unauthorized"))("{ a }")).rejects.toMatchObject({ code: "unauthenticated" });
  });
  it("refuses an answer without data", async () => {
    await expect(client(null, answering(200, "{}"))("{ a }")).rejects.toMatchObject({ code: "no_data" });
  });
});
