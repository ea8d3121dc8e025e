import { describe, expect, it } from "vitest";
import { closeReason, isRefusal, REFUSED, retryDelayMs, stateText } from "./live";

describe("the live link", () => {
  it("says it is reconnecting, why and which attempt", () => {
    expect(stateText({ kind: "reconnecting", attempt: 2, reason: "closed 1006" })).toBe(
      "Live updates lost (closed 1006); reconnecting, attempt 2…",
    );
    expect(stateText({ kind: "live" })).toBe("Live");
  });
  it("reads a close event's reason and code", () => {
    expect(closeReason({ code: 4403, reason: "Forbidden" })).toBe("Forbidden (4403)");
    expect(closeReason({ code: 1006, reason: "" })).toBe("closed 1006");
    expect(closeReason(new Error("x"))).toBe("the connection failed");
  });
  it("does not retry a refused credential", () => {
    expect(isRefusal({ code: REFUSED })).toBe(true);
    expect(isRefusal({ code: 1006 })).toBe(false);
  });
  it("backs off from half a second to eight", () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});
