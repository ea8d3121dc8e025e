// The API's one page shape (`nodes`, `pageInfo { hasNextPage endCursor }`): a list is read
// on by passing `endCursor` as `after`, and pages are joined by id, so an item seen twice
// (written here, then read again on a later page) is listed once.

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** The selection of `pageInfo` every paged query asks for. */
export const PAGE_INFO = "pageInfo { hasNextPage endCursor }";

/** `items` then `more`, each id once: an item of `more` already listed takes its place
 * (`merge` decides what the two make, by default the newer one). */
export function unionById<T extends { id: string }>(
  items: readonly T[],
  more: readonly T[],
  merge: (old: T, fresh: T) => T = (_, fresh) => fresh,
): T[] {
  const fresh = new Map(more.map((item) => [item.id, item]));
  const kept = items.map((item) => {
    const newer = fresh.get(item.id);
    fresh.delete(item.id);
    return newer === undefined ? item : merge(item, newer);
  });
  return [...kept, ...more.filter((item) => fresh.has(item.id))];
}

/** Every item of a list, read page after page (`read(after)`) up to `most` items; `complete`
 * says whether the list ended there. */
export async function allPages<T>(read: (after: string | null) => Promise<Page<T>>, most: number): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await read(after);
    items.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return { items, complete: true };
    if (items.length >= most) return { items, complete: false };
    after = page.pageInfo.endCursor;
  }
}
