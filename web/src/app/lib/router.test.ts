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
    expect(parse("#/approvals/extra")).toEqual({ screen: "missing", path: "approvals/extra" });
  });
});
