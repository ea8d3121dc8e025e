"""Grace's pages in a real browser: the app under uvicorn on a local port, and Debian's
chromium driven by Playwright (`executable_path`; `playwright install` cannot download
browsers here) with every request to another host refused and counted."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Page, Route, sync_playwright

from api.app import create_app
from graph.events import DomainEvent, EventBus
from graph.settings import Settings

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServedApp:
    """The app under uvicorn in a thread, on `port`; stopped and started again at will."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings = settings
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            assert thread.is_alive(), "uvicorn exited while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=START_SECONDS)


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


def chromium_page(origin: str, width: int = 1280) -> Iterator[tuple[Page, Offsite, list[str]]]:
    """A fresh chromium page `width` pixels wide whose off-site requests and script errors
    are recorded."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium: apt-get install chromium")
    offsite, errors = Offsite(origin), []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.route("**/*", offsite.route)
        browser_page = context.new_page()
        browser_page.on("pageerror", lambda error: errors.append(str(error)))
        yield browser_page, offsite, errors
        browser.close()


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
