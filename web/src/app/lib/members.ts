// The people a comment can mention: the members of the caller's workspaces, read once per
// session when the caller first types `@` (a workspace whose members the caller may not
// list gives none; typing the id still mentions).
import type { Session } from "./context";
import type { Member } from "./threads";

const MEMBERS = `{ workspaces { id members { userId name } } }`;

const known = new WeakMap<Session, Promise<Member[]>>();

/** The members of every workspace the caller reads, each once, by id. */
export function membersOf(session: Session): Promise<Member[]> {
  let found = known.get(session);
  if (found === undefined) {
    found = session
      .request<{ workspaces: { members: Member[] | null }[] }>(MEMBERS)
      .then((data) => uniqueMembers(data.workspaces.flatMap((w) => w.members ?? [])))
      .catch(() => []);
    known.set(session, found);
  }
  return found;
}

/** Members listed once each, by id. */
function uniqueMembers(members: readonly Member[]): Member[] {
  const byId = new Map(members.map((m) => [m.userId, m]));
  return [...byId.values()].sort((a, b) => a.userId.localeCompare(b.userId));
}
