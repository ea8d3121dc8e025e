import { describe, expect, it } from "vitest";
import { age, competing, filtered, shown, type QueueItem } from "./conflicts";

const item = (id: string, table: string, kind: string, createdAt: string): QueueItem => ({
  id, kind, status: "OPEN", attribute: "population", score: 0.5, createdAt, entity: { table, key: id },
});

describe("the conflicts queue", () => {
  const items = [item("b", "cities", "VALUE", "2026-12-02"), item("a", "people", "VALUE", "2026-12-01"), item("c", "cities", "VERSION", "2026-11-30")];
  it("filters by table and kind, oldest first", () => {
    expect(filtered(items, { table: "cities", kind: "" }).map((c) => c.id)).toEqual(["c", "b"]);
    expect(filtered(items, { table: "", kind: "VALUE" }).map((c) => c.id)).toEqual(["a", "b"]);
    expect(filtered(items, { table: "nowhere", kind: "" })).toEqual([]);
  });
  it("says ages in the largest whole unit", () => {
    const now = new Date("2026-12-06T12:00:00Z");
    expect(age("2026-12-06T11:59:15Z", now)).toBe("45 s");
    expect(age("2026-12-06T11:57:00Z", now)).toBe("3 min");
    expect(age("2026-12-06T09:00:00Z", now)).toBe("3 h");
    expect(age("2026-12-02T12:00:00Z", now)).toBe("4 d");
    expect(age(null, now)).toBe("—");
  });
});

describe("competing values", () => {
  it("groups rows by their value, most rows first", () => {
    const rows = [{ id: 1, values: { area: 525.03 } }, { id: 2, values: { area: 689.59 } }, { id: 3, values: { area: 689.59 } }];
    expect(competing(rows, "area").map((g) => [g.value, g.rows.map((r) => r.id)])).toEqual([["689.59", [2, 3]], ["525.03", [1]]]);
  });
  it("shows missing values as a dash and strings bare", () => {
    expect(shown(undefined)).toBe("—");
    expect(shown("Lyon")).toBe("Lyon");
    expect(shown(["a", 1])).toBe('["a",1]');
  });
});
