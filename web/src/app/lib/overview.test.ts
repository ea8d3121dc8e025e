import { describe, expect, it } from "vitest";
import { abilitiesOf, type MeShape } from "./abilities";
import { perTable } from "./batch";
import { banner, confirmation, profileOf } from "./environment";
import { featuresOf } from "./features";
import { band, barHeights, copyingPartners, formatTrust, trendNote, trendPoints } from "./trust";

const member = (role: "VIEWER" | "EDITOR" | "ADMIN", workspace = "default") => ({ role, tables: null, workspace: { id: workspace } });
const me = (memberships: MeShape["user"]["memberships"], scopes: MeShape["scopes"] = null): MeShape => ({
  actor: "u", scopes, user: { id: "u", name: "u", memberships },
});

describe("trust numbers", () => {
  it("shows two decimals or a dash", () => {
    expect(formatTrust(0.734)).toBe("0.73");
    expect(formatTrust(null)).toBe("—");
  });
  it("bands at the policy thresholds: under low, at or over high", () => {
    expect([0.29, 0.3, 0.79, 0.8].map((v) => band(v, 0.3, 0.8))).toEqual(["low", "mid", "mid", "high"]);
  });
  it("scales bars to the tallest bucket, an empty table flat", () => {
    expect(barHeights([{ lower: 0, upper: 0.5, count: 2 }, { lower: 0.5, upper: 1, count: 4 }])).toEqual([0.5, 1]);
    expect(barHeights([{ lower: 0, upper: 1, count: 0 }])).toEqual([0]);
  });
  it("draws the trend left to right with trust 1 at the top", () => {
    expect(trendPoints([{ at: "a", mean: 1 }, { at: "b", mean: 0 }], 100, 50)).toBe("0,0 100,50");
    expect(trendPoints([], 100, 50)).toBe("");
  });
  it("says why there is no line until a second full pass", () => {
    expect(trendNote([])).toBe("No trend yet: a full trust pass writes its points.");
    expect(trendNote([{ at: "a", mean: 0.834 }])).toBe(
      "One full trust pass so far, mean 0.83: the trend line starts at the second.",
    );
    expect(trendNote([{ at: "a", mean: 1 }, { at: "b", mean: 0 }])).toBeNull();
  });
});

describe("copying partners of a source", () => {
  it("lists both directions, most probable first, the partner and probability in words", () => {
    const source = {
      id: "feed-a",
      trust: 0.4,
      copies: [{ source: "feed-b", probability: 0.812 }],
      copiedBy: [{ source: "feed-c", probability: 0.97 }, { source: "feed-d", probability: 0.812 }],
    };
    expect(copyingPartners(source)).toEqual([
      "copied by feed-c (p 0.97)",
      "copies feed-b (p 0.81)",
      "copied by feed-d (p 0.81)",
    ]);
  });
  it("is empty for an independent source", () => {
    expect(copyingPartners({ id: "x", trust: 0.9, copies: [], copiedBy: [] })).toEqual([]);
  });
});

describe("one request per field of every table", () => {
  it("passes table names as variables, never in the query", () => {
    const batch = perTable("rows", ["cities", "x') { evil"], "totalCount");
    expect(batch.query).not.toContain("evil");
    expect(batch.variables).toEqual({ t0: "cities", t1: "x') { evil" });
    expect(batch.query).toContain("t1: rows(table: $t1) { totalCount }");
    expect(batch.tableOf("t1")).toBe("x') { evil");
    const ordered = perTable("rows", ["cities"], "nodes { id }", "orderBy: TRUST, first: 5");
    expect(ordered.query).toContain("t0: rows(table: $t0, orderBy: TRUST, first: 5) { nodes { id } }");
  });
});

describe("environment", () => {
  it("warns on a non-prod server with real-looking data only", () => {
    expect(banner("dev", 500)).toBeNull();
    expect(banner("staging", 20_000)).toContain("looks like real data");
    expect(banner("prod", 20_000)).toBeNull();
  });
  it("asks for confirmation of destructive actions in prod only", () => {
    expect(confirmation("prod", "Dismiss the conflict")).toBe("This is PRODUCTION. Dismiss the conflict?");
    expect(confirmation("dev", "Dismiss the conflict")).toBeNull();
    expect(profileOf("weird")).toBe("dev");
  });
});

describe("what the caller may do", () => {
  it("gives a viewer no action", () => {
    expect(abilitiesOf(me([member("VIEWER")]))).toMatchObject({ edit: false, approve: false, ingest: false, administer: false });
  });
  it("does not count a personal workspace", () => {
    expect(abilitiesOf(me([member("ADMIN", "personal:u")])).administer).toBe(false);
  });
  it("names the role the caller approves with in each shared workspace", () => {
    const abilities = abilitiesOf(me([member("EDITOR"), member("ADMIN", "personal:u"), member("VIEWER", "team-v")]));
    expect(abilities).toMatchObject({ user: "u", approverRoles: { default: "EDITOR" } });
    expect(abilitiesOf(me([member("ADMIN")], ["READ", "EDIT"])).approverRoles).toEqual({});
  });
  it("lets only an editor of the whole default workspace upload (an upload finds its table later)", () => {
    expect(abilitiesOf(me([member("EDITOR")]))).toMatchObject({ ingest: true, upload: true });
    expect(abilitiesOf(me([{ ...member("EDITOR"), tables: ["cities"] }]))).toMatchObject({ ingest: true, upload: false });
    expect(abilitiesOf(me([member("EDITOR", "team-v")])).upload).toBe(false);
    expect(abilitiesOf(me([member("ADMIN")], ["READ", "EDIT"])).upload).toBe(false);
    expect(abilitiesOf(me([member("VIEWER")])).upload).toBe(false);
  });
  it("cuts an admin down to the key's scopes", () => {
    expect(abilitiesOf(me([member("ADMIN")], ["READ", "APPROVE"]))).toMatchObject({ approve: true, edit: false, administer: false });
  });
});

describe("optional features", () => {
  const schema = (query: string[]) => ({ __schema: { queryType: { fields: query.map((name) => ({ name })) } } });
  it("hides Ask on a server without the co-pilot", () => {
    expect(featuresOf(schema(["health", "askAbout"]))).toEqual({ ask: false });
  });
  it("shows it when the schema has ask", () => {
    expect(featuresOf(schema(["health", "ask"]))).toEqual({ ask: true });
  });
});
