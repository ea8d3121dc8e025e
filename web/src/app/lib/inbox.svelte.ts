// The session's notifications, kept live for the badge on every page and the notifications
// screen: one load (counts and the newest page), the `notifications` subscription heard from
// the start (what arrives during a load is applied after it, counted once), a reload after
// the live link comes back (what was published while it was down was not heard).
import type { Session } from "./context";
import { describe } from "./errors";
import type { LinkState } from "./live";
import { arrived, loaded, markedRead, NOTICE_FIELDS, olderPage, UNLOADED, type InboxState, type Notice } from "./notifications";
import { PAGE_INFO, type Page } from "./paging";

const PAGE = 20;
const LOAD = `query Inbox($after: String) { notificationCounts { total unread }
  notifications(first: ${PAGE}, after: $after) { nodes { ${NOTICE_FIELDS} } ${PAGE_INFO} } }`;
const OLDER = `query Older($after: String) { notifications(first: ${PAGE}, after: $after) { nodes { ${NOTICE_FIELDS} } ${PAGE_INFO} } }`;
const MARK = `mutation Mark($ids: [ID!]) { markNotificationsRead(ids: $ids) }`;
const LIVE = `subscription { notifications { ${NOTICE_FIELDS} } }`;

export class Inbox {
  state = $state<InboxState>(UNLOADED);
  ready = $state(false);
  error = $state<string | null>(null);
  private heard: Notice[] | null = null;
  private lost = false;
  private readonly stop: () => void;

  constructor(private readonly session: Session) {
    this.stop = session.live.subscribe<{ notifications: Notice }>(
      LIVE, {},
      (data) => this.hear(data.notifications),
      (failure) => (this.error = describe(failure)),
    );
    void this.load();
  }

  /** Read the counts and the newest page again. */
  async load(): Promise<void> {
    const heard: Notice[] = [];
    this.heard = heard;
    try {
      const data = await this.session.request<{ notificationCounts: { total: number; unread: number }; notifications: Page<Notice> }>(LOAD);
      this.state = loaded(data.notificationCounts, data.notifications, heard);
      this.ready = true;
      this.error = null;
    } catch (failure) {
      this.state = heard.reduce(arrived, this.state);
      this.error = describe(failure);
    } finally {
      if (this.heard === heard) this.heard = null;
    }
  }

  /** Read the next older page. */
  async more(): Promise<void> {
    if (this.state.cursor === null) return;
    try {
      const data = await this.session.request<{ notifications: Page<Notice> }>(OLDER, { after: this.state.cursor });
      this.state = olderPage(this.state, data.notifications);
    } catch (failure) {
      this.error = describe(failure);
    }
  }

  /** Mark the notifications of `ids` read (all when null). */
  async markRead(ids: string[] | null): Promise<void> {
    try {
      const data = await this.session.request<{ markNotificationsRead: number }>(MARK, { ids });
      this.state = markedRead(this.state, ids, data.markNotificationsRead);
      this.error = null;
    } catch (failure) {
      this.error = describe(failure);
    }
  }

  /** Follow the live link: reload once it is back after a loss. */
  linkChanged(link: LinkState): void {
    if (link.kind === "reconnecting") this.lost = true;
    if (link.kind === "live" && this.lost) {
      this.lost = false;
      void this.load();
    }
  }

  dispose(): void {
    this.stop();
  }

  private hear(notice: Notice): void {
    if (this.heard !== null) this.heard.push(notice);
    else this.state = arrived(this.state, notice);
  }
}
