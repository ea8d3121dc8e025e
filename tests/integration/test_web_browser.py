"""GraphiQL in a real browser (Debian's chromium, driven by Playwright) against the real app
served by uvicorn: the editor renders, `{ __typename }` runs and its result shows, and the page
asks nothing of any other host (every such request is refused and counted as a failure)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Page, Route, sync_playwright

from api.app import create_app
from graph.settings import Settings

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


def test_graphiql_runs_a_query_with_nothing_from_elsewhere(
    served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    browser_page.goto(f"{served}/graphql")
    editor = browser_page.locator(".graphiql-query-editor .monaco-editor")
    editor.wait_for(timeout=UI_TIMEOUT_MS)
    editor.click()
    browser_page.keyboard.press("ControlOrMeta+a")
    browser_page.keyboard.press("Delete")
    browser_page.keyboard.insert_text("{ __typename }")
    browser_page.locator(".graphiql-execute-button").click()
    browser_page.wait_for_function(
        f"document.querySelector('{RESPONSE}')?.innerText.includes('\"Query\"')",
        timeout=UI_TIMEOUT_MS,
    )
    assert '"__typename"' in browser_page.locator(RESPONSE).inner_text()
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
