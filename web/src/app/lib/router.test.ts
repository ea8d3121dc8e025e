import { describe, expect, it } from "vitest";
import { href, parse } from "./router";

describe("router", () => {
  it("opens the trust overview on an empty hash", () => {
    expect(parse("")).toEqual({ screen: "trust" });
    expect(parse("#/")).toEqual({ screen: "trust" });
  });
  it("reads a conflict's id, escaped or not", () => {
    expect(parse("#/conflicts/conflict%3Avalue%3Acities%3Alyon")).toEqual({ screen: "conflict", id: "conflict:value:cities:lyon" });
  });
  it("round-trips ids with slashes and spaces", () => {
    const route = { screen: "provenance", id: "doc:a/b c#d" } as const;
    expect(parse(href(route))).toEqual(route);
  });
  it("names an unknown path instead of guessing", () => {
    expect(parse("#/nowhere/1")).toEqual({ screen: "missing", path: "nowhere/1" });
    expect(parse("#/queue/extra")).toEqual({ screen: "missing", path: "queue/extra" });
  });
  it("opens one change request of the inbox, my queue and the notifications", () => {
    expect(parse("#/approvals/cr%3A1")).toEqual({ screen: "request", id: "cr:1" });
    expect(href({ screen: "request", id: "cr:1" })).toBe("#/approvals/cr%3A1");
    expect(parse("#/queue")).toEqual({ screen: "queue" });
    expect(parse("#/notifications/")).toEqual({ screen: "notifications" });
  });
});
