// What the caller may do, from `me`: the UI offers no action the API would refuse.

export type Role = "VIEWER" | "EDITOR" | "ADMIN";
export type Action = "READ" | "READ_PII" | "INGEST" | "EDIT" | "APPROVE" | "ADMINISTER";

export interface MeShape {
  actor: string;
  scopes: Action[] | null;
  user: { id: string; name: string; memberships: { role: Role; tables: string[] | null; workspace: { id: string } }[] };
}

export interface Abilities {
  /** The user's id, as votes and comments name them. */
  user: string;
  name: string;
  edit: boolean;
  approve: boolean;
  ingest: boolean;
  /** Upload files: INGEST on the whole default workspace (uploads find their table later). */
  upload: boolean;
  administer: boolean;
  /** Per shared workspace, the role the caller may approve with (none: may not approve there). */
  approverRoles: Record<string, Role>;
}

/** The workspace uploads are admitted in, as the API names it. */
const UPLOAD_WORKSPACE = "default";
const RANK: Record<Role, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2 };
const NEEDS: Record<Exclude<Action, "READ" | "READ_PII">, Role> = {
  EDIT: "EDITOR",
  APPROVE: "EDITOR",
  INGEST: "EDITOR",
  ADMINISTER: "ADMIN",
};

/** What `me` may do: its best role in a shared workspace, cut down by its key's scopes. */
export function abilitiesOf(me: MeShape): Abilities {
  const shared = me.user.memberships.filter((m) => !m.workspace.id.startsWith("personal:"));
  const best = Math.max(-1, ...shared.map((m) => RANK[m.role]));
  const may = (action: keyof typeof NEEDS): boolean =>
    best >= RANK[NEEDS[action]] && (me.scopes === null || me.scopes.includes(action));
  const approving = me.scopes === null || me.scopes.includes("APPROVE");
  const approverRoles = Object.fromEntries(
    shared.filter((m) => approving && RANK[m.role] >= RANK[NEEDS.APPROVE]).map((m) => [m.workspace.id, m.role]),
  );
  const uploader = shared.some(
    (m) => m.workspace.id === UPLOAD_WORKSPACE && m.tables === null && RANK[m.role] >= RANK[NEEDS.INGEST],
  );
  return {
    user: me.user.id, name: me.user.name, edit: may("EDIT"), approve: may("APPROVE"), ingest: may("INGEST"),
    upload: uploader && may("INGEST"),
    administer: may("ADMINISTER"), approverRoles,
  };
}
