"""GraphiQL in a real browser (Debian's chromium, driven by Playwright) against the real app
served by uvicorn: the editor renders, `{ __typename }` runs and its result shows, a
subscription authenticated by the headers tab delivers an event, the API docs render, and
no page asks anything of another host (every such request is refused and counted as a
failure)."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import Page

from graph.events import DomainEvent, EventType
from graph.settings import Settings
from tests.integration.api_support import RESTRICTED_TABLE, Callers
from tests.integration.chromium_support import UI_TIMEOUT_MS, Offsite, publish_now

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RESPONSE = ".graphiql-response"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor"
PUBLISH_ATTEMPTS = 60


def type_into(browser_page: Page, editor: str, text: str) -> None:
    """Replace the text of one of GraphiQL's editors, as typed (without auto-closed braces)."""
    box = browser_page.locator(editor)
    box.wait_for(timeout=UI_TIMEOUT_MS)
    box.click()
    browser_page.keyboard.press("ControlOrMeta+a")
    browser_page.keyboard.press("Delete")
    browser_page.keyboard.insert_text(text)


def response_has(browser_page: Page, text: str) -> bool:
    shown: str = browser_page.locator(RESPONSE).inner_text()
    return text in shown


def test_graphiql_runs_a_query_with_nothing_from_elsewhere(
    served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    browser_page.goto(f"{served}/graphql")
    type_into(browser_page, ".graphiql-query-editor .monaco-editor", "{ __typename }")
    browser_page.locator(".graphiql-execute-button").click()
    browser_page.wait_for_function(
        f"document.querySelector('{RESPONSE}')?.innerText.includes('\"Query\"')",
        timeout=UI_TIMEOUT_MS,
    )
    assert '"__typename"' in browser_page.locator(RESPONSE).inner_text()
    assert offsite.requests == []
    assert errors == []


def test_graphiql_subscribes_with_the_headers_tab_credential(
    callers: Callers, settings: Settings, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    browser_page.goto(f"{served}/graphql")
    query = "subscription { trustUpdates { type subject } }"
    type_into(browser_page, ".graphiql-query-editor .monaco-editor", query)
    browser_page.get_by_role("button", name="Headers").click()
    type_into(browser_page, HEADERS_EDITOR, json.dumps(callers.viewer.headers()))
    browser_page.locator(".graphiql-execute-button").click()
    subject = f"browser:{uuid.uuid4().hex}"
    event = DomainEvent(
        type=EventType.TRUST_UPDATED, subject=subject, payload={"table": RESTRICTED_TABLE}
    )
    for _ in range(PUBLISH_ATTEMPTS):  # until the subscription listens
        publish_now(settings.redis_url, event)
        if response_has(browser_page, subject):
            break
        browser_page.wait_for_timeout(500)
    assert response_has(browser_page, subject), browser_page.locator(RESPONSE).inner_text()
    assert response_has(browser_page, "TRUST_UPDATED")
    assert offsite.requests == []
    assert errors == []


def test_api_docs_render_with_nothing_from_elsewhere(
    served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    browser_page.goto(f"{served}/docs")
    browser_page.locator(".swagger-ui .opblock").first.wait_for(timeout=UI_TIMEOUT_MS)
    assert "/health/live" in browser_page.locator(".swagger-ui").inner_text()
    assert offsite.requests == []
    assert errors == []
