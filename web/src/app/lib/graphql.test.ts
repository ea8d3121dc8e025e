import { describe, expect, it } from "vitest";
import { client, CSRF_HEADER, uploader } from "./graphql";

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

describe("uploads", () => {
  it("sends the multipart request spec's parts with the CSRF and credential headers", async () => {
    const seen: RequestInit[] = [];
    const upload = uploader("grace_k_s", answering(200, '{"data":{"uploadFiles":[]}}', seen));
    const files = [new File(["a,b\n1,2\n"], "one.csv"), new File(["x"], "two.csv")];
    expect(await upload("mutation($files: [Upload!]!) { uploadFiles(files: $files) { name } }", files)).toEqual({ uploadFiles: [] });
    const headers = seen[0]?.headers as Record<string, string>;
    expect(headers[CSRF_HEADER]).toBe("1");
    expect(headers.Authorization).toBe("Bearer grace_k_s");
    expect(headers["Content-Type"]).toBeUndefined(); // the browser sets the boundary
    const body = seen[0]?.body as FormData;
    expect(JSON.parse(body.get("operations") as string).variables).toEqual({ files: [null, null] });
    expect(JSON.parse(body.get("map") as string)).toEqual({ "0": ["variables.files.0"], "1": ["variables.files.1"] });
    expect((body.get("1") as File).name).toBe("two.csv");
  });
  it("rejects with the code of a refused upload", async () => {
    const refused = '{"errors":[{"message":"multipart requests must send the X-Grace-CSRF header","extensions":{"code":"csrf_header_required"}}]}';
    await expect(uploader("t", answering(400, refused))("m", [new File(["x"], "a.csv")])).rejects.toMatchObject({ code: "csrf_header_required" });
  });
});
