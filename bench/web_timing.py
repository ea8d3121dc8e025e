"""The web app's two time bars, in Debian's chromium (Playwright, `executable_path`) against
the API in a subprocess (`bench.api_support.running_api`, prod profile) on the services the
bench is pointed at, with a seeded table of `ROWS` scored rows and its stored aggregate.

First screen useful: a fresh browser context with the bench user's key already in session
storage (as after a log-in) opens `/`; the figure is the page's own `performance.now()`
(milliseconds since navigation start) when a MutationObserver first sees every readable
table's card with its mean trust. Cold is a new context (empty cache); warm is a reload in
the same one. Beside it, from the same navigation: the static assets loaded (the latest
`responseEnd` of the page's scripts and styles in resource timing). Data floor, same
round: the GraphQL requests the page sent before it was useful, replayed over HTTP by
httpx in the same waves (a request that was sent before any of the wave's answers came
joins that wave; the next starts after), from a fresh client.

Live event to screen: the overview open with its live link up, a `trust.updated` event is
published with `graph.events.EventBus` (the trust engine's publisher, its payload's shape);
the figure runs from just before the publish to the page seeing the event's subject in its
text (a MutationObserver stamps `Date.now()`; the machine's one wall clock is read by both
sides, as `time.time()` here). Transport floor, same event: a Python graphql-ws client
subscribed to the same `trustUpdates` through the same API receiving it.

Settings: `BENCH_WEB_ROUNDS` (first-screen rounds, default 5), `BENCH_WEB_EVENTS` (live
events, default 10), `BENCH_WEB_ROWS` (default 2,000). Needs chromium at /usr/bin/chromium
(`apt-get install chromium`) and the web build (`make install`).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout
from websockets.asyncio.client import ClientConnection, connect

from bench.api_support import (
    BenchUser,
    bench_table,
    bench_user,
    machine_load,
    quantile,
    running_api,
)
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings
from trust.overview import refresh_table_trust

TABLE = "bench_web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CREDENTIAL_KEY = "grace.credential"  # web/src/app/lib/session.ts
WAIT_MS = 60_000
SUBSCRIPTION = "subscription { trustUpdates { subject } }"
USEFUL_WATCH = """
(() => {
  const tables = %s;
  const shown = (name) => {
    const mean = document.querySelector(`section[data-table="${name}"] dd`);
    return mean !== null && mean.textContent.trim() !== "";
  };
  const observer = new MutationObserver(() => {
    if (tables.every(shown)) { window.__useful = performance.now(); observer.disconnect(); }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();
"""
TIMINGS = """() => {
  const entries = performance.getEntriesByType("resource");
  const own = entries.filter((e) => ["script", "link", "css"].includes(e.initiatorType));
  const data = entries
    .filter((e) => e.name.endsWith("/graphql") && e.responseEnd <= window.__useful);
  return {
    useful: window.__useful,
    assets: Math.max(0, ...own.map((e) => e.responseEnd)),
    first_request: Math.min(...data.map((e) => e.startTime)),
    last_answer: Math.max(...data.map((e) => e.responseEnd)),
  };
}"""
LIVE_WATCH = """(subject) => {
  window.__shown = undefined;
  const observer = new MutationObserver(() => {
    if (!document.body.textContent.includes(subject)) return;
    window.__shown = Date.now();
    observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


async def run(graph: Graph, bus: EventBus, settings: Settings) -> list[str]:
    """Seed, then time the first screen and live events in chromium, each beside its floor."""
    missing = _missing()
    if missing:
        return [f"SKIPPED: needs {missing}"]
    rounds, events = _env("BENCH_WEB_ROUNDS", 5), _env("BENCH_WEB_EVENTS", 10)
    rows = _env("BENCH_WEB_ROWS", 2_000)
    async with (
        bench_table(graph, TABLE, rows) as table,
        bench_user(graph) as user,
        running_api() as base,
        async_playwright() as playwright,
    ):
        await refresh_table_trust(graph, [table.name])  # as a trust pass does
        tables = await _readable_tables(base, user)
        load = machine_load()
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            first = await _first_screens(browser, base, user, tables, rounds)
            live = await _live_events(browser, bus, base, user, table.name, events)
        finally:
            await browser.close()
    return [
        f"{len(tables)} tables readable (one of {rows:,} seeded rows); one uvicorn worker "
        f"(prod profile) in a subprocess; {load} at the start, {machine_load()} at the end",
        *first.lines(),
        *live.lines(),
    ]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    if not (PROJECT_ROOT / "web" / "dist" / "index.html").exists():
        return "the web build in web/dist (make install)"
    return None


async def _readable_tables(base: str, user: BenchUser) -> list[str]:
    async with httpx.AsyncClient(base_url=base, headers=user.headers(), timeout=30) as http:
        response = await http.post("/graphql", json={"query": "{ tables { name } }"})
        response.raise_for_status()
        return sorted(t["name"] for t in response.json()["data"]["tables"])


def _ms(values: list[float], q: float) -> str:
    return f"{quantile(sorted(values), q) * 1000:,.0f} ms"


def _spread(values: list[float]) -> str:
    return f"median {_ms(values, 0.5)}, p95 {_ms(values, 0.95)}"


def _bar(values: list[float]) -> str:
    verdict = "met" if quantile(sorted(values), 0.5) < 1 else "NOT met"
    under = sum(value < 1 for value in values)
    return f"1 s bar {verdict} at the median, {under} of {len(values)} under 1 s"


@dataclass
class FirstScreens:
    """Seconds per round: useful cold and warm, the assets alone, the cold navigation's
    parts (boot, data, render), the data floor and its waves."""

    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    assets: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    boot: list[float] = field(default_factory=list)
    data: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    per_wave: list[list[float]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    """Requests per wave, as the last round sent them."""

    def lines(self) -> list[str]:
        """The figures, each beside its floor."""
        median = quantile(sorted(self.cold), 0.5)
        return [
            f"first screen useful (every table's mean shown), {len(self.cold)} rounds: cold "
            f"{_spread(self.cold)}; warm (reload) {_spread(self.warm)}; {_bar(self.cold)}",
            f"  static assets loaded (same navigations, cold): {_spread(self.assets)}",
            f"  cold, where it went: navigation to the first GraphQL request "
            f"{_spread(self.boot)}; first request to the last answer before useful "
            f"{_spread(self.data)}; that answer to every mean shown {_spread(self.render)}",
            f"  data floor: the page's {sum(self.sizes)} GraphQL requests before it was useful, "
            f"in {len(self.sizes)} waves, over HTTP: {_spread(self.floor)} "
            f"(cold median {median / quantile(sorted(self.floor), 0.5):.1f}x); per wave, "
            f"median: {self._waves()}",
        ]

    def _waves(self) -> str:
        return ", ".join(
            f"{_ms([r[i] for r in self.per_wave if len(r) > i], 0.5)} ({n})"
            for i, n in enumerate(self.sizes)
        )


async def _first_screens(
    browser: Browser, base: str, user: BenchUser, tables: list[str], rounds: int
) -> FirstScreens:
    figures = FirstScreens()
    for _ in range(rounds):
        context = await _kept_session(browser, user, USEFUL_WATCH % json.dumps(tables))
        try:
            page = await context.new_page()
            sent = _Sent(page)
            await page.goto(f"{base}/", wait_until="commit")
            cold = await _useful(page)
            figures.cold.append(cold["useful"] / 1000)
            figures.assets.append(cold["assets"] / 1000)
            figures.boot.append(cold["first_request"] / 1000)
            figures.data.append((cold["last_answer"] - cold["first_request"]) / 1000)
            figures.render.append((cold["useful"] - cold["last_answer"]) / 1000)
            waves = sent.waves()
            figures.sizes = [len(wave) for wave in waves]
            per_wave = await _replay(base, user, waves)
            figures.floor.append(sum(per_wave))
            figures.per_wave.append(per_wave)
            await page.reload(wait_until="commit")
            figures.warm.append((await _useful(page))["useful"] / 1000)
        finally:
            await context.close()
    return figures


async def _kept_session(browser: Browser, user: BenchUser, watch: str = "") -> BrowserContext:
    """A fresh context whose pages find the key in session storage (as after a log-in) and
    run `watch` before the app's own scripts."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    keep = f"sessionStorage.setItem({json.dumps(CREDENTIAL_KEY)}, {json.dumps(user.token)});"
    await context.add_init_script(keep + watch)
    return context


async def _useful(page: Page) -> dict[str, float]:
    await page.wait_for_function("window.__useful !== undefined", timeout=WAIT_MS)
    timings: dict[str, float] = await page.evaluate(TIMINGS)
    return timings


class _Sent:
    """The GraphQL requests a page sends, with when each went and came back."""

    def __init__(self, page: Page) -> None:
        self.sent: list[tuple[Request, float]] = []
        self.done: dict[int, float] = {}
        page.on("request", self._request)
        page.on("requestfinished", self._finished)

    def _request(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            self.sent.append((request, time.perf_counter()))

    def _finished(self, request: Request) -> None:
        self.done.setdefault(id(request), time.perf_counter())

    def waves(self) -> list[list[str]]:
        """The bodies sent so far, grouped: each wave went before any of its answers came."""
        waves: list[list[str]] = []
        answered = 0.0
        for request, at in self.sent:
            if not waves or at >= answered:
                waves.append([])
                answered = float("inf")
            waves[-1].append(request.post_data or "")
            answered = min(answered, self.done.get(id(request), float("inf")))
        return waves


async def _replay(base: str, user: BenchUser, waves: list[list[str]]) -> list[float]:
    """Seconds per wave to send `waves` in order, each wave's requests together, from a
    fresh client."""
    headers = {**user.headers(), "Content-Type": "application/json"}
    seconds = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        for wave in waves:
            start = time.perf_counter()
            answers = await asyncio.gather(*(http.post("/graphql", content=b) for b in wave))
            seconds.append(time.perf_counter() - start)
            for answer in answers:
                answer.raise_for_status()
    return seconds


@dataclass
class LiveEvents:
    """Seconds from publish: to the page showing the event, to a graphql-ws client."""

    screen: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The figures, beside the transport floor."""
        median = quantile(sorted(self.screen), 0.5)
        return [
            f"live trust.updated event to the overview's text, {len(self.screen)} events: "
            f"{_spread(self.screen)}; {_bar(self.screen)}",
            f"  transport floor, a graphql-ws client on the same subscription and API, same "
            f"events: {_spread(self.floor)} (screen median "
            f"{median / quantile(sorted(self.floor), 0.5):.1f}x)",
        ]


async def _live_events(
    browser: Browser, bus: EventBus, base: str, user: BenchUser, table: str, events: int
) -> LiveEvents:
    figures = LiveEvents()
    context = await _kept_session(browser, user)
    try:
        page = await context.new_page()
        await page.goto(f"{base}/")
        await page.get_by_role("status").filter(has_text="Live").wait_for(timeout=WAIT_MS)
        async with _subscribed(base, user) as ws:
            await _warm_up(bus, page, ws, table)
            for _ in range(events):
                subject = f"document:bench-web-{uuid.uuid4().hex}"
                await page.evaluate(LIVE_WATCH, subject)
                start = time.time()
                await bus.publish(_trust_updated(subject, table))
                received, _ = await asyncio.gather(
                    _until(ws, subject),
                    page.wait_for_function("window.__shown !== undefined", timeout=WAIT_MS),
                )
                shown: float = await page.evaluate("window.__shown")
                figures.screen.append(shown / 1000 - start)
                figures.floor.append(received - start)
                await asyncio.sleep(0.5)  # the overview reloads its figures 300 ms after
    finally:
        await context.close()
    return figures


def _trust_updated(subject: str, table: str) -> DomainEvent:
    """A document's trust moved, as the trust engine words it."""
    payload = {"table": table, "kind": "document", "before": 0.5, "after": 0.75}
    return DomainEvent(
        type=EventType.TRUST_UPDATED, subject=subject, payload={**payload, "reason": "bench"}
    )


@asynccontextmanager
async def _subscribed(base: str, user: BenchUser) -> AsyncIterator[ClientConnection]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": user.token}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": SUBSCRIPTION}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield ws


async def _warm_up(bus: EventBus, page: Page, ws: ClientConnection, table: str) -> None:
    """Publish until both subscriptions deliver (each confirms its Redis subscription on its
    own time); not timed."""
    while True:
        subject = f"document:bench-web-warm-{uuid.uuid4().hex}"
        await page.evaluate(LIVE_WATCH, subject)
        await bus.publish(_trust_updated(subject, table))
        try:
            await asyncio.wait_for(_until(ws, subject), 2.0)
            await page.wait_for_function("window.__shown !== undefined", timeout=2_000)
            return
        except (TimeoutError, PlaywrightTimeout):
            continue


async def _until(ws: ClientConnection, subject: str) -> float:
    """Read `ws` until the event about `subject` arrives; the wall clock then."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "next":
            if message["payload"]["data"]["trustUpdates"]["subject"] == subject:
                return time.time()
        elif message.get("type") in ("error", "complete"):
            raise RuntimeError(f"subscription ended: {message}")
