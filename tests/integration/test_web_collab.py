"""Collaboration in the web app, in Debian's chromium against the real app on the real Neo4j
and Redis: an editor mentions a viewer in a conflict's comment thread (the person suggested
as `@` is typed), the viewer's unread badge rises without a reload (the `notifications`
subscription), the notification opens the conflict with the comment and is read from then
on; a comment written in one browser appears in another without a reload (`commentEvents`),
its Markdown rendered and its hostile parts shown as text, then edited by its author and
deleted by an admin, live in both; notification preferences chosen on the notifications
screen hold (a muted mention tells nobody); a conflict assigned to someone and a change request
waiting for their vote are in their queue and lead to their pages; the approvals inbox
reads on past its first 25 requests; axe-core finds no serious violation on these screens
at 1280 and 390 px. Screenshots go to `var/screenshots/web/collab-*.png`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page

from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy_store import active_policy_set
from graph.events import EventBus
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import Caller, Callers
from tests.integration.chromium_support import UI_TIMEOUT_MS, Offsite, chromium_page
from tests.integration.conftest import SourceFolder
from tests.integration.test_web_app import CITIES, PHONE, log_in, serious_violations, shot
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

INBOX_PAGE = 25
"""Change requests the approvals inbox reads at a time."""


@pytest.fixture
async def conflict(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[str]:
    """The id of an open value conflict on a city's population, two sources disagreeing."""
    key = f"webk-{unique}"
    folders = [SourceFolder(tmp_path, f"{name}_{unique}") for name in ("colla", "collb")]
    entities = [f"cities:{key}"]
    conflict_id = f"conflict:value:cities:{key}:population"
    try:
        for folder, population in zip(folders, (3000, 4000), strict=True):
            text = CITIES.format(rows=f"{key},City,FR,{population},12.5,M,2025-01-01T00:00:00Z\n")
            outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
            assert outcome.status is OutcomeStatus.INGESTED, outcome.error
        engine = await TrustEngine.create(graph, bus)
        await engine.update_entities(entities)
        audit = AuditLog(graph, chain=f"test-{unique}")
        report = await ConflictDetector(graph, bus, audit, engine.tables).scan_entities(entities)
        assert report.new == 1
        found = await graph.read("testing/conflicts_by_id", {"ids": [conflict_id]})
        assert [r["status"] for r in found] == ["open"]
        yield conflict_id
    finally:
        await graph.write("testing/collab_comments_delete", {"targets": [conflict_id]})
        await graph.write("testing/collab_assignments_delete", {"nodes": [conflict_id]})
        cleanup = {"entities": entities, "snapshots": [], "conflicts": []}
        await graph.write("testing/review_cleanup", cleanup)
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in folders:
            await graph.write("testing/delete_source", {"source": folder.id})
        await graph.write("testing/audit_delete_chain", {"chain": f"test-{unique}"})


@pytest.fixture
async def waiting_request(graph: Graph, bus: EventBus, unique: str) -> AsyncIterator[str]:
    """An open change request one editor's vote away."""
    request = await Approvals(graph, bus, AuditLog(graph)).open(
        kind="reconciliation",
        title=f"merge two cities ({unique})",
        payload={"keep": "cities:a", "merge": "cities:b"},
        requested_by="system:tests",
        workspace="default",
        rule=(await active_policy_set(graph)).approval_rule("reconciliation"),
    )
    try:
        yield request.id
    finally:
        await graph.write("testing/api_catalog_delete_requests", {"ids": [request.id]})


@pytest.fixture
async def many_requests(graph: Graph, bus: EventBus, unique: str) -> AsyncIterator[list[str]]:
    """More open change requests than one page of the inbox, oldest first."""
    approvals = Approvals(graph, bus, AuditLog(graph))
    rule = (await active_policy_set(graph)).approval_rule("reconciliation")
    opened: list[str] = []
    try:
        for n in range(INBOX_PAGE + 5):
            request = await approvals.open(
                kind="reconciliation",
                title=f"merge cities {n:02d} ({unique})",
                payload={"keep": f"cities:a{n}", "merge": f"cities:b{n}"},
                requested_by="system:tests",
                workspace="default",
                rule=rule,
            )
            opened.append(request.id)
        yield opened
    finally:
        await graph.write("testing/api_catalog_delete_requests", {"ids": opened})


def second_page(first: Page, offsite: Offsite, errors: list[str], width: int = 1280) -> Page:
    """Another person's page in the same browser: a context of its own (its own session
    storage), off-site requests and script errors recorded as the first page's."""
    browser = first.context.browser
    assert browser is not None
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", offsite.route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def wait_live(page: Page) -> None:
    page.get_by_role("status").filter(has_text="Live").wait_for(timeout=UI_TIMEOUT_MS)


def unread_badge(page: Page, count: int) -> None:
    """Wait until the notifications link in the header says `count` unread."""
    page.locator(f'header a.bell[data-unread="{count}"]').wait_for(timeout=UI_TIMEOUT_MS)


def graphql(origin: str, caller: Caller, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{origin}/graphql",
        json={"query": query, "variables": variables},
        headers=caller.headers(),
    )
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def comment_on(origin: str, caller: Caller, target: str, text: str) -> str:
    """Write a comment on `target` as `caller` through the API; its id."""
    query = """mutation($t: String!, $x: String!) {
      comment(targetId: $t, text: $x) { comment { id } } }"""
    data = graphql(origin, caller, query, {"t": target, "x": text})
    return str(data["comment"]["comment"]["id"])


def assign_to(origin: str, caller: Caller, node: str, user: str | None, note: str = "") -> None:
    """Assign `node` to `user` as `caller` through the API."""
    query = """mutation($n: String!, $u: String!, $note: String!) {
      assign(nodeId: $n, user: $u, note: $note) { id } }"""
    graphql(origin, caller, query, {"n": node, "u": user, "note": note})


def unread_count(origin: str, caller: Caller) -> int:
    data = graphql(origin, caller, "{ notificationCounts { unread } }", {})
    return int(data["notificationCounts"]["unread"])


def test_a_mention_raises_the_badge_live_and_its_notification_opens_the_conflict(
    callers: Callers, conflict: str, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    reader, offsite, errors = page
    editor, viewer = callers.editor, callers.viewer
    assert editor.token is not None
    assert viewer.token is not None
    assert viewer.user_id is not None
    log_in(reader, served, viewer.token)
    wait_live(reader)
    unread_badge(reader, 0)
    assert reader.locator("header a.bell .count").count() == 0

    writer = second_page(reader, offsite, errors)
    log_in(writer, served, editor.token)
    writer.goto(f"{served}/#/conflicts/{quote(conflict, safe='')}")
    thread = writer.get_by_role("region", name=re.compile("^Discussion"))
    box = thread.get_by_label("Add a comment")
    box.wait_for(timeout=UI_TIMEOUT_MS)
    box.fill(f"@{viewer.user_id[:-3]}")  # part of the id: the member is suggested
    thread.get_by_role("button", name=re.compile(f"^@{re.escape(viewer.user_id)}")).click()
    box.press_sequentially("which population is right?")
    assert box.input_value() == f"@{viewer.user_id} which population is right?"
    assert f"Mentions @{viewer.user_id}" in thread.inner_text()
    thread.get_by_role("button", name="Post comment").click()
    posted = thread.locator("ul.comments > li").filter(has_text="which population is right?")
    posted.wait_for(timeout=UI_TIMEOUT_MS)
    assert posted.locator("strong.mention").inner_text() == f"@{viewer.user_id}"
    shot(writer, "collab-comment-posted")

    unread_badge(reader, 1)  # no reload: the notifications subscription
    bell = reader.get_by_role("link", name=re.compile("^Notifications"))
    assert bell.inner_text().replace("\n", "") == "Notifications1, 1 unread"
    shot(reader, "collab-badge")
    bell.click()
    reader.get_by_role("heading", name="Notifications").wait_for(timeout=UI_TIMEOUT_MS)
    notice = reader.locator("li[data-notification]").filter(has_text="mentioned you")
    assert notice.count() == 1
    assert notice.evaluate("item => item.classList.contains('unread')")
    shot(reader, "collab-notifications")
    notice.get_by_role("link", name=f"{editor.user_id} mentioned you on {conflict}").click()

    reader.get_by_role("heading", name=re.compile(r"^Suggestion: ")).wait_for(timeout=UI_TIMEOUT_MS)
    assert reader.evaluate("decodeURIComponent(location.hash)") == f"#/conflicts/{conflict}"
    unread_badge(reader, 0)  # opening it marked it read
    discussion = reader.get_by_role("region", name=re.compile("^Discussion"))
    discussion.locator("ul.comments > li").filter(has_text="which population is right?").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    assert discussion.get_by_role("textbox").count() == 0  # a viewer may not comment
    assert discussion.get_by_role("button", name=re.compile("^Reply")).count() == 0
    shot(reader, "collab-conflict-thread")
    assert unread_count(served, viewer) == 0
    reader.get_by_role("link", name=re.compile("^Notifications")).click()
    reader.get_by_text("0 unread of 1.").wait_for(timeout=UI_TIMEOUT_MS)
    assert reader.get_by_role("button", name="Mark all read").is_disabled()
    assert offsite.requests == []
    assert errors == []


HOSTILE = (
    "**bold** and `code`, [the registry](https://example.org/registry) and "
    "[a trap](javascript:window.__pwned=1) <img src=x onerror=window.__pwned=1>\n\n"
    "- first\n- second"
)
NOT_RELOADED = "window.__notReloaded === true"
PWNED = "window.__pwned !== undefined"


def test_a_comment_appears_is_edited_and_is_deleted_live_in_another_browser(
    callers: Callers, conflict: str, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    reader, offsite, errors = page
    admin, editor = callers.admin, callers.editor
    assert admin.token is not None
    assert editor.token is not None
    conflict_hash = f"{served}/#/conflicts/{quote(conflict, safe='')}"
    log_in(reader, served, admin.token)
    reader.goto(conflict_hash)
    seen = reader.get_by_role("region", name=re.compile("^Discussion"))
    seen.get_by_text("No comments yet.").wait_for(timeout=UI_TIMEOUT_MS)
    wait_live(reader)
    reader.evaluate("window.__notReloaded = true")  # gone if the page reloads

    writer = second_page(reader, offsite, errors)
    log_in(writer, served, editor.token)
    writer.goto(conflict_hash)
    written = writer.get_by_role("region", name=re.compile("^Discussion"))
    written.get_by_label("Add a comment").fill(HOSTILE)
    written.get_by_role("button", name="Post comment").click()
    posted = written.locator("ul.comments > li").filter(has_text="the registry")
    posted.wait_for(timeout=UI_TIMEOUT_MS)
    selector = f'li[data-comment="{posted.get_attribute("data-comment")}"]'
    mine, heard = written.locator(selector), seen.locator(selector)

    heard.wait_for(timeout=UI_TIMEOUT_MS)  # no reload: the commentEvents subscription
    assert reader.evaluate(NOT_RELOADED)
    assert heard.locator("strong", has_text="bold").count() == 1
    assert heard.locator("code").inner_text() == "code"
    assert heard.locator("li").all_inner_texts() == ["first", "second"]
    links = heard.locator("a")
    assert links.count() == 1
    assert links.get_attribute("href") == "https://example.org/registry"
    assert "[a trap](javascript:window.__pwned=1) <img src=x" in heard.inner_text()
    assert heard.locator("img, script").count() == 0
    assert "New comment by" in seen.inner_text()
    # an admin may delete anyone's comment but edit none; its author may do both
    assert heard.get_by_role("button", name=re.compile("^Edit")).count() == 0
    assert heard.get_by_role("button", name=re.compile("^Delete")).count() == 1
    assert mine.get_by_role("button", name=re.compile("^Edit")).count() == 1
    shot(reader, "collab-live-comment")

    mine.get_by_role("button", name=re.compile("^Edit")).click()
    box = written.get_by_label("Edit your comment")
    assert box.input_value() == HOSTILE
    box.fill("*reworded* by its author")
    written.get_by_role("button", name="Save").click()
    mine.locator(".edited").wait_for(timeout=UI_TIMEOUT_MS)
    heard.locator(".edited").wait_for(timeout=UI_TIMEOUT_MS)  # live, edited
    assert heard.locator("em").inner_text() == "reworded"
    assert seen.get_by_text("the registry").count() == 0
    shot(reader, "collab-live-edited")

    reader.once("dialog", lambda dialog: dialog.accept())
    heard.get_by_role("button", name=re.compile("^Delete")).click()
    heard.get_by_text("Comment deleted.").wait_for(timeout=UI_TIMEOUT_MS)
    mine.get_by_text("Comment deleted.").wait_for(timeout=UI_TIMEOUT_MS)  # live there too
    assert written.get_by_text("reworded").count() == 0
    assert mine.get_by_role("button", name=re.compile("^(Edit|Delete)")).count() == 0
    assert reader.evaluate(NOT_RELOADED)
    assert not reader.evaluate(PWNED)
    assert not writer.evaluate(PWNED)
    assert offsite.requests == []
    assert errors == []


def test_notification_preferences_are_chosen_on_the_notifications_screen_and_hold(
    callers: Callers, conflict: str, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    viewer = callers.viewer
    assert viewer.token is not None
    log_in(browser_page, served, viewer.token)
    browser_page.get_by_role("link", name=re.compile("^Notifications")).click()
    browser_page.get_by_text("Notification preferences").click()
    mentions = browser_page.get_by_label("someone mentions me")
    mentions.wait_for(timeout=UI_TIMEOUT_MS)
    assert mentions.is_checked()  # nothing muted yet
    digest = browser_page.get_by_label("gathered in the daily digest")
    assert digest.is_disabled()  # until e-mail is chosen
    mentions.uncheck()
    browser_page.get_by_label("Also send my notifications by e-mail").check()
    digest.check()
    browser_page.get_by_role("button", name="Save preferences").click()
    browser_page.get_by_text("Preferences saved.").wait_for(timeout=UI_TIMEOUT_MS)
    shot(browser_page, "collab-preferences")
    stored = graphql(served, viewer, "{ notificationPreferences { muted delivery email } }", {})
    assert stored["notificationPreferences"] == {
        "muted": ["MENTION"],
        "delivery": "DIGEST",
        "email": True,
    }
    comment_on(served, callers.editor, conflict, f"@{viewer.user_id} muted, so not told")
    assert unread_count(served, viewer) == 0
    browser_page.reload()
    browser_page.get_by_text("Notification preferences").click()
    browser_page.get_by_label("a conflict appears on a table I own").wait_for(timeout=UI_TIMEOUT_MS)
    assert not browser_page.get_by_label("someone mentions me").is_checked()
    assert browser_page.get_by_label("gathered in the daily digest").is_checked()
    assert offsite.requests == []
    assert errors == []


def test_replies_and_mark_all_read(
    callers: Callers, conflict: str, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    admin, editor = callers.admin, callers.editor
    assert admin.token is not None
    assert editor.token is not None
    parent = comment_on(served, admin, conflict, f"@{editor.user_id} look")
    comment_on(served, admin, conflict, f"again @{editor.user_id}")
    log_in(browser_page, served, editor.token)
    unread_badge(browser_page, 2)
    browser_page.goto(f"{served}/#/conflicts/{quote(conflict, safe='')}")
    thread = browser_page.get_by_role("region", name=re.compile("^Discussion"))
    opening = thread.locator(f'li[data-comment="{parent}"]')
    opening.get_by_role("button", name=re.compile("^Reply")).click()
    reply_box = thread.get_by_label("Your reply")
    assert reply_box.evaluate("box => box === document.activeElement")
    reply_box.fill("the registry says 3000")
    thread.get_by_role("button", name="Post reply").click()
    opening.locator("ul.replies li").filter(has_text="the registry says 3000").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    assert thread.get_by_role("heading").inner_text() == "Discussion (3)"
    assert unread_count(served, editor) == 2  # the page does not mark what it shows
    browser_page.get_by_role("link", name=re.compile("^Notifications")).click()
    browser_page.get_by_role("button", name="Mark all read").click()
    unread_badge(browser_page, 0)
    assert unread_count(served, editor) == 0
    assert browser_page.locator("li[data-notification].unread").count() == 0
    assert offsite.requests == []
    assert errors == []


def test_my_queue_shows_an_assigned_conflict_and_a_request_waiting_for_a_vote(
    callers: Callers,
    conflict: str,
    waiting_request: str,
    served: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    admin, editor = callers.admin, callers.editor
    assert editor.token is not None
    assign_to(served, admin, conflict, editor.user_id, "please settle the population")
    log_in(browser_page, served, editor.token)
    unread_badge(browser_page, 1)  # the assignment notified them
    browser_page.get_by_role("link", name="My queue").click()
    browser_page.get_by_role("heading", name="My queue").wait_for(timeout=UI_TIMEOUT_MS)
    entry = browser_page.locator(f'li[data-queue="{conflict}"]')
    entry.wait_for(timeout=UI_TIMEOUT_MS)
    text = entry.inner_text()
    assert f"assigned to you by {admin.user_id}" in text
    assert "table cities" in text
    assert re.search(r"due in \d+ d", text), text  # the review rule's default: 168 h
    assert "please settle the population" in text
    vote = browser_page.locator(f'li[data-queue="{waiting_request}"]')
    assert "your vote is needed" in vote.inner_text()
    shot(browser_page, "collab-queue")
    vote.get_by_role("link").click()
    card = browser_page.locator(f'article[data-request="{waiting_request}"]')
    card.get_by_role("button", name="Approve").wait_for(timeout=UI_TIMEOUT_MS)
    browser_page.go_back()
    entry.get_by_role("link", name=conflict).click()
    browser_page.get_by_role("heading", name=re.compile(r"^Suggestion: ")).wait_for(
        timeout=UI_TIMEOUT_MS
    )
    assert offsite.requests == []
    assert errors == []


def test_the_approvals_inbox_reads_on_past_its_first_page(
    callers: Callers, many_requests: list[str], served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    assert callers.editor.token is not None
    log_in(browser_page, served, callers.editor.token)
    browser_page.get_by_role("link", name="Approvals").click()
    browser_page.get_by_label("Show").select_option("open")
    newest = browser_page.locator(f'article[data-request="{many_requests[-1]}"]')
    newest.wait_for(timeout=UI_TIMEOUT_MS)
    ours = [f'article[data-request="{r}"]' for r in many_requests]
    shown = sum(browser_page.locator(selector).count() for selector in ours)
    assert shown == INBOX_PAGE  # the newest 25, ours the newest of all
    assert browser_page.locator(ours[0]).count() == 0
    assert browser_page.get_by_text(re.compile(r"of the newest 25 read so far")).count() == 1
    browser_page.get_by_role("button", name=f"Show {INBOX_PAGE} more").click()
    browser_page.locator(ours[0]).wait_for(timeout=UI_TIMEOUT_MS)
    assert sum(browser_page.locator(selector).count() for selector in ours) == len(many_requests)
    listed = browser_page.locator("article[data-request]").evaluate_all(
        "cards => cards.map(card => card.dataset.request)"
    )
    assert len(listed) == len(set(listed))  # each once
    shot(browser_page, "collab-approvals-paged")
    assert offsite.requests == []
    assert errors == []


@pytest.mark.parametrize("width", [1280, PHONE])
def test_collaboration_screens_have_no_serious_violation(
    callers: Callers, conflict: str, served: str, width: int
) -> None:
    admin, editor = callers.admin, callers.editor
    assert editor.token is not None
    comment_on(served, admin, conflict, f"@{editor.user_id} have a look")
    comment_on(
        served, editor, conflict, "**Looked**:\n\n- `3000` in [the registry](https://example.org)"
    )
    assign_to(served, admin, conflict, editor.user_id)
    for browser_page, offsite, errors in chromium_page(served, width):
        log_in(browser_page, served, editor.token)
        screens = {
            "conflict": (f"#/conflicts/{quote(conflict, safe='')}", "Discussion (2)"),
            "queue": ("#/queue", "My queue"),
            "notifications": ("#/notifications", "Notifications"),
        }
        for name, (hash_, heading) in screens.items():
            browser_page.goto(f"{served}/{hash_}")
            browser_page.get_by_role("heading", name=heading).wait_for(timeout=UI_TIMEOUT_MS)
            if name == "conflict":
                browser_page.get_by_text("Comments on this row").first.click()
                browser_page.get_by_text("No comments yet.").first.wait_for(timeout=UI_TIMEOUT_MS)
                browser_page.get_by_role("button", name=re.compile("^Edit")).click()
                browser_page.get_by_label("Edit your comment").wait_for(timeout=UI_TIMEOUT_MS)
            if name == "notifications":
                browser_page.get_by_text("Notification preferences").click()
                browser_page.get_by_role("button", name="Save preferences").wait_for(
                    timeout=UI_TIMEOUT_MS
                )
            if name == "queue":
                browser_page.locator(f'li[data-queue="{conflict}"]').wait_for(timeout=UI_TIMEOUT_MS)
            assert serious_violations(browser_page) == [], name
            overflow = browser_page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name} is {overflow} px wide at {width} px"
            shot(browser_page, f"collab-{name}-{width}")
        assert offsite.requests == []
        assert errors == []
