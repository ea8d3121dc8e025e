import { describe, expect, it } from "vitest";
import { authHeaders, connectionParams, forget, load, normalise, save } from "./session";

class Memory {
  items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
  removeItem(key: string) { this.items.delete(key); }
}

describe("the session's credential", () => {
  it("drops spaces and a pasted Bearer prefix", () => {
    expect(normalise("  Bearer abc.def ")).toBe("abc.def");
    expect(normalise("   ")).toBeNull();
  });
  it("is kept and forgotten in the store", () => {
    const store = new Memory();
    save(store, "grace_a_b");
    expect(load(store)).toBe("grace_a_b");
    forget(store);
    expect(load(store)).toBeNull();
  });
  it("goes to the websocket as apiKey for keys and authorization for tokens", () => {
    expect(connectionParams("grace_a_b")).toEqual({ apiKey: "grace_a_b" });
    expect(connectionParams("v1.token")).toEqual({ authorization: "Bearer v1.token" });
    expect(authHeaders("x")).toEqual({ Authorization: "Bearer x" });
  });
});
