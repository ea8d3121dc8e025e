"""GraphiQL in a real browser (Debian's chromium, driven by Playwright) against the real app
served by uvicorn: the editor renders, `{ __typename }` runs and its result shows, a
subscription authenticated by the headers tab delivers an event, the API docs render, and
no page asks anything of another host (every such request is refused and counted as a
failure)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Page, Route, sync_playwright

from api.app import create_app
from graph.events import DomainEvent, EventBus, EventType
from graph.settings import Settings
from tests.integration.api_support import RESTRICTED_TABLE, Callers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_SECONDS = 60.0
UI_TIMEOUT_MS = 60_000
RESPONSE = ".graphiql-response"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor"
PUBLISH_ATTEMPTS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free local port; its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        assert thread.is_alive(), "uvicorn exited while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=START_SECONDS)


class Offsite:
    """Requests to any host but Grace's: refused, and kept to fail the test."""

    def __init__(self, origin: str) -> None:
        self.origin = urlsplit(origin).netloc
        self.requests: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == self.origin:
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


@pytest.fixture
def page(served: str) -> Iterator[tuple[Page, Offsite, list[str]]]:
    """A fresh chromium page whose off-site requests and script errors are recorded."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium: apt-get install chromium")
    offsite, errors = Offsite(served), []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.route("**/*", offsite.route)
        browser_page = context.new_page()
        browser_page.on("pageerror", lambda error: errors.append(str(error)))
        yield browser_page, offsite, errors
        browser.close()


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


def publish_now(redis_url: str, event: DomainEvent) -> None:
    """Publish on the event bus from a thread of its own (Playwright's loop runs in this one)."""

    async def publish() -> None:
        bus = EventBus.from_url(redis_url)
        try:
            await bus.publish(event)
        finally:
            await bus.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, publish()).result()


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
