import { describe, expect, it } from "vitest";
import { parse } from "./router";
import { explorerHref, kindOfId, targetOf } from "./explore";
import { byKind, depths, entityParts, queryOf, radialLayout, ties, walk, type Neighbourhood } from "./provenance";

const source = { id: "folder:registry", location: "registry", trust: 0.8 };
const doc = { id: "doc:1", path: "registry/cities.csv", version: 2, status: "ACTIVE", trust: 0.7 };
const row = {
  id: "row:1", table: "cities", key: "tampere-fi", trust: 0.6, status: "ACTIVE", locator: "line 3",
  document: { ...doc, versions: [{ ...doc, id: "doc:0", version: 1, status: "SUPERSEDED" }, doc] },
  source, entity: { id: "cities:tampere-fi", table: "cities", key: "tampere-fi" },
  conflicts: [{ id: "conflict:value:cities:tampere", kind: "VALUE", status: "OPEN", attribute: "area_km2", score: 0.71 }],
  facts: [{ id: "fact:1", attribute: "area_km2", value: 525.03, valueRedacted: false, confidence: 0.9, status: "ACTIVE" }],
  violations: [{ policy: "quality@1", name: "quality", rule: "population_min" }],
};

describe("explorer addresses", () => {
  it("round-trip a kind and an id holding slashes and colons through the router", () => {
    const route = parse(explorerHref("document", "doc:a/b c"));
    expect(route.screen).toBe("provenance");
    expect(targetOf(route.screen === "provenance" ? route.id : null)).toEqual({ kind: "document", id: "doc:a/b c" });
  });
  it("name nothing for an unknown kind, a missing id or no tail", () => {
    expect(targetOf("policy/quality@1")).toBeNull();
    expect(targetOf("row/")).toBeNull();
    expect(targetOf("row")).toBeNull();
    expect(targetOf(null)).toBeNull();
  });
  it("tell the kind of the ids Grace prefixes, and only those", () => {
    expect(["row:1", "doc:2", "fact:cities:k:a", "conflict:value:x"].map(kindOfId)).toEqual(["row", "document", "fact", "conflict"]);
    expect(kindOfId("folder:registry")).toBeNull();
    expect(kindOfId("cities:lyon-fr")).toBeNull();
  });
  it("split an entity id at its first colon only", () => {
    expect(entityParts("cities:a:b")).toEqual(["cities", "a:b"]);
  });
});

describe("queries", () => {
  it("pass ids as variables, never in the query text", () => {
    const hostile = 'x") { __typename } #';
    for (const kind of ["row", "document", "source", "conflict", "fact"] as const) {
      const { query, variables } = queryOf({ kind, id: hostile });
      expect(query).not.toContain(hostile);
      expect(Object.values(variables)).toContain(hostile);
    }
    expect(queryOf({ kind: "entity", id: `cities:${hostile}` }).variables).toEqual({ table: "cities", key: hostile });
  });
});

describe("the walk", () => {
  it("gathers a row's document versions, source, entity, conflict, fact and violation", () => {
    const hood = walk({ kind: "row", id: "row:1" }, { row }) as Neighbourhood;
    expect(hood.center.id).toBe("row:1");
    expect(new Set(hood.nodes.map((n) => n.kind))).toEqual(new Set(["row", "document", "source", "entity", "conflict", "fact", "policy"]));
    const edges = hood.edges.map((e) => `${e.from} ${e.label} ${e.to}`);
    expect(edges).toEqual(expect.arrayContaining([
      "row:1 EXTRACTED_FROM doc:1", "doc:1 FROM_SOURCE folder:registry", "row:1 DESCRIBES cities:tampere-fi",
      "doc:1 VERSION_OF doc:0", "conflict:value:cities:tampere INVOLVES row:1", "fact:1 RESOLVED_FROM row:1",
      "row:1 VIOLATES policy:quality@1",
    ]));
    expect(hood.edges).toHaveLength(7); // the current version is not its own version
    expect(ties(hood, "doc:1")).toContain("FROM_SOURCE → folder:registry");
  });
  it("keeps one node per id when several rows share a document and a source", () => {
    const rows = ["row:1", "row:2"].map((id) => ({ ...row, id }));
    const hood = walk({ kind: "conflict", id: "c" }, { conflict: { id: "c", kind: "VALUE", status: "OPEN", attribute: "a", score: 1, entity: row.entity, rows, members: [] } }) as Neighbourhood;
    expect(hood.nodes.filter((n) => n.kind === "document")).toHaveLength(1);
    expect(hood.nodes.filter((n) => n.kind === "source")).toHaveLength(1);
    expect(byKind(hood).map(([kind, nodes]) => [kind, nodes.length])).toEqual([["row", 2], ["entity", 1], ["document", 1], ["source", 1]]);
  });
  it("says when a document has more rows than it shows", () => {
    const data = { document: { ...doc, source, versions: [doc], ingestionRuns: [{ id: "run:1", status: "INGESTED", summary: "ingested" }], rows: { nodes: [row], totalCount: 120 } } };
    const hood = walk({ kind: "document", id: "doc:1" }, data) as Neighbourhood;
    expect(hood.notes).toEqual(["1 of the 120 rows you may read are shown."]);
    expect(hood.nodes.find((n) => n.id === "run:1")?.kind).toBe("run");
  });
  it("finds nothing where the caller may see nothing", () => {
    expect(walk({ kind: "row", id: "row:9" }, { row: null })).toBeNull();
    expect(walk({ kind: "source", id: "s" }, { source: null, documents: { nodes: [], pageInfo: { hasNextPage: false } } })).toBeNull();
  });
  it("ties a source to its copying partners both ways, with the probability", () => {
    const copying = { ...source, copies: [{ source: "folder:feed-a", probability: 0.97 }], copiedBy: [{ source: "folder:feed-b", probability: 0.612 }] };
    const data = { source: copying, documents: { nodes: [{ ...doc, source }], pageInfo: { hasNextPage: false } } };
    const hood = walk({ kind: "source", id: source.id }, data) as Neighbourhood;
    expect(hood.center.id).toBe(source.id);
    expect(hood.edges.filter((e) => e.label.startsWith("COPIES"))).toEqual([
      { from: source.id, to: "folder:feed-a", label: "COPIES p 0.97" },
      { from: "folder:feed-b", to: source.id, label: "COPIES p 0.61" },
    ]);
    const partners = hood.nodes.filter((n) => n.kind === "source" && n.id !== source.id);
    expect(partners.map((n) => [n.id, n.detail])).toEqual([
      ["folder:feed-a", "its original, probability 0.97"],
      ["folder:feed-b", "copies it, probability 0.61"],
    ]);
    expect(ties(hood, "folder:feed-b")).toEqual(["COPIES p 0.61 → folder:registry"]);
  });
  it("shows a source with no document the caller may read, if it may see the source", () => {
    const data = { source: { ...source, copies: [], copiedBy: [] }, documents: { nodes: [], pageInfo: { hasNextPage: false } } };
    expect(walk({ kind: "source", id: source.id }, data)?.nodes).toHaveLength(1);
  });
  it("asks for a source by id with its copying partners, the id as variables only", () => {
    const { query, variables } = queryOf({ kind: "source", id: 'folder:x" }' });
    expect(variables).toEqual({ id: 'folder:x" }', source: 'folder:x" }' });
    expect(query).toContain("copies { source probability } copiedBy { source probability }");
    expect(query).not.toContain("folder:x");
  });
  it("redacts a fact's personal value in its label", () => {
    const fact = { id: "f", attribute: "mayor", value: null, valueRedacted: true, confidence: 1, status: "ACTIVE", table: "cities", key: "k", entity: "cities:k", evidence: { rows: [] } };
    expect(walk({ kind: "fact", id: "f" }, { fact })?.center.label).toBe("mayor = (redacted)");
  });
});

describe("the radial layout", () => {
  const hood = walk({ kind: "row", id: "row:1" }, { row }) as Neighbourhood;
  it("puts the center in the middle and each ring one hop further out", () => {
    const placed = radialLayout(hood, 600, 400, 40);
    expect(placed[0]).toMatchObject({ id: "row:1", x: 300, y: 200, depth: 0 });
    const radius = (p: { x: number; y: number }) => Math.hypot(p.x - 300, p.y - 200);
    const hops = depths(hood);
    expect(hops.get("folder:registry")).toBe(2);
    for (const p of placed) expect(radius(p)).toBeCloseTo((p.depth * (200 - 40)) / 2, 0);
  });
  it("keeps every node inside the box and places each once", () => {
    const placed = radialLayout(hood, 600, 400, 40);
    expect(new Set(placed.map((p) => p.id)).size).toBe(hood.nodes.length);
    for (const p of placed) {
      expect(p.x).toBeGreaterThanOrEqual(140);
      expect(p.x).toBeLessThanOrEqual(460);
      expect(p.y).toBeGreaterThanOrEqual(40);
      expect(p.y).toBeLessThanOrEqual(360);
    }
  });
  it("puts each label beside its node, away from the center", () => {
    for (const p of radialLayout(hood, 600, 400, 40).filter((n) => n.depth > 0)) {
      if (p.anchor === "start") expect(p.lx).toBeGreaterThan(p.x);
      if (p.anchor === "end") expect(p.lx).toBeLessThan(p.x);
      if (p.anchor === "middle") expect(Math.sign(p.ly - p.y)).toBe(Math.sign(p.y - 200));
      expect(Math.hypot(p.lx - 300, p.ly - 200)).toBeGreaterThan(Math.hypot(p.x - 300, p.y - 200) - 1);
    }
  });
  it("spreads a ring's nodes apart", () => {
    const ring = radialLayout(hood, 400, 400, 40).filter((p) => p.depth === 1);
    for (let i = 0; i < ring.length; i++) {
      for (let j = i + 1; j < ring.length; j++) {
        expect(Math.hypot(ring[i]!.x - ring[j]!.x, ring[i]!.y - ring[j]!.y)).toBeGreaterThan(30);
      }
    }
  });
});
