// The credential a person logged in with: an API key (`grace_<id>_<secret>`) or a bearer
// token from `grace keys token`, kept in session storage (gone when the tab closes).

const KEY = "grace.credential";

/** Where the credential is kept: `sessionStorage` in the browser. */
export interface CredentialStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The credential as typed, without spaces or a pasted "Bearer " prefix; null if empty. */
export function normalise(typed: string): string | null {
  const trimmed = typed.trim().replace(/^bearer\s+/i, "").trim();
  return trimmed === "" ? null : trimmed;
}

export function load(store: CredentialStore): string | null {
  return store.getItem(KEY);
}

export function save(store: CredentialStore, credential: string): void {
  store.setItem(KEY, credential);
}

export function forget(store: CredentialStore): void {
  store.removeItem(KEY);
}

/** HTTP headers that carry the credential (Grace reads keys and tokens from either form). */
export function authHeaders(credential: string): Record<string, string> {
  return { Authorization: `Bearer ${credential}` };
}

/** The websocket's `connection_init` payload for the credential. */
export function connectionParams(credential: string): Record<string, string> {
  return credential.startsWith("grace_") ? { apiKey: credential } : { authorization: `Bearer ${credential}` };
}
