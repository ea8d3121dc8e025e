import { describe, expect, it } from "vitest";
import { allPages, unionById, type Page } from "./paging";

const pages: Record<string, Page<{ id: string }>> = {
  start: { nodes: [{ id: "a" }, { id: "b" }], pageInfo: { hasNextPage: true, endCursor: "k2" } },
  k2: { nodes: [{ id: "c" }, { id: "d" }], pageInfo: { hasNextPage: true, endCursor: "k4" } },
  k4: { nodes: [{ id: "e" }], pageInfo: { hasNextPage: false, endCursor: "k5" } },
};

describe("pages", () => {
  it("joins pages by id, a newer copy in the older one's place", () => {
    const joined = unionById([{ id: "a", v: 1 }, { id: "b", v: 1 }], [{ id: "b", v: 2 }, { id: "c", v: 2 }]);
    expect(joined).toEqual([{ id: "a", v: 1 }, { id: "b", v: 2 }, { id: "c", v: 2 }]);
  });
  it("reads every page, each after the cursor the one before ended at", async () => {
    const asked: (string | null)[] = [];
    const read = async (after: string | null) => (asked.push(after), pages[after ?? "start"] as Page<{ id: string }>);
    const all = await allPages(read, 100);
    expect(all.items.map((i) => i.id)).toEqual(["a", "b", "c", "d", "e"]);
    expect(all.complete).toBe(true);
    expect(asked).toEqual([null, "k2", "k4"]);
  });
  it("stops at the most it may read and says the list goes on", async () => {
    const all = await allPages(async (after) => pages[after ?? "start"] as Page<{ id: string }>, 3);
    expect(all.items.map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
    expect(all.complete).toBe(false);
  });
});
