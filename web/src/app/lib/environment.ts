// The environment badge on every page and when to warn: a non-prod server that holds what
// looks like real data, or a destructive action confirmed in prod.

export type Profile = "dev" | "staging" | "prod";

/** Above this many rows a non-prod store looks like real data (the demo holds a few hundred). */
export const REAL_DATA_ROWS = 10_000;

export function profileOf(value: string): Profile {
  return value === "prod" || value === "staging" ? value : "dev";
}

/** The banner's words, or null for none. */
export function banner(profile: Profile, rows: number): string | null {
  if (profile !== "prod" && rows >= REAL_DATA_ROWS) {
    return `This is a ${profile} server, but it holds ${rows.toLocaleString("en")} rows: that looks like real data. Treat it with care.`;
  }
  return null;
}

/** What a person must confirm before a destructive action, or null when no confirmation is needed. */
export function confirmation(profile: Profile, action: string): string | null {
  return profile === "prod" ? `This is PRODUCTION. ${action}?` : null;
}
