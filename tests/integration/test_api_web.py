"""Grace's browser pages on the real app: the web app (`/`), GraphiQL (a browser's GET of
`/graphql`) and the API docs (`/docs`) refer only to assets on Grace's own origin, and every
asset they reach, through their HTML, their styles and their scripts (lazy chunks, Monaco's
workers, fonts), is served with 200 and its content type. Without a build, each page says how
to make one.

The pages come from `web/dist`, which `make install` builds (`npm ci && npm run build`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web import ASSETS_PATH, BUILD_COMMAND, IMMUTABLE
from graph.settings import Settings

pytestmark = pytest.mark.integration

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAGES = ["/", "/graphql", "/docs"]
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")
SCRIPT_ASSET = re.compile(
    r"""["'`]((?:\./|/?assets/)[\w-]+(?:\.[\w-]+)*\.(?:js|css|ttf|woff2?))["'`]"""
)
"""A file a bundle loads: a chunk it imports (`./x.js`), or a style, chunk or worker it
preloads or starts (`assets/x.css`, relative to the base `/`, or `/assets/x.js`)."""


class References(HTMLParser):
    """Every URL a page's script, link and img tags refer to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def referenced_urls(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.urls


def on_grace(url: str) -> bool:
    """A URL the browser resolves against the page's own origin."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def nested_urls(path: str, body: str) -> set[str]:
    """The assets a style sheet or script refers to in its turn."""
    if path.endswith(".css"):
        found = {url for url in CSS_URL.findall(body) if not url.startswith("data:")}
        return {urljoin(path, url) for url in found}
    if path.endswith(".js"):
        return {
            urljoin(path if url.startswith(".") else "/", url) for url in SCRIPT_ASSET.findall(body)
        }
    return set()


def expected_type(path: str) -> str:
    suffix = Path(urlsplit(path).path).suffix
    assert suffix in CONTENT_TYPES, f"{path}: an asset of an unexpected kind"
    return CONTENT_TYPES[suffix]


def crawl(client: TestClient, page: str) -> set[str]:
    """Fetch a page and every asset it reaches; return the asset paths."""
    response = client.get(page, headers=BROWSER)
    assert response.status_code == 200, (
        f"{page}: {response.status_code}; is web/ built? ({BUILD_COMMAND})"
    )
    assert response.headers["content-type"].startswith("text/html")
    urls = referenced_urls(response.text)
    assert urls, f"{page} refers to no script or style"
    off_origin = [url for url in urls if not on_grace(url)]
    assert off_origin == [], f"{page} loads from elsewhere: {off_origin}"
    seen: set[str] = set()
    queue = [urljoin(page, url) for url in urls]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        asset = client.get(path)
        assert asset.status_code == 200, f"{page} -> {path}: {asset.status_code}"
        assert asset.headers["cache-control"] == IMMUTABLE
        assert asset.headers["content-type"].startswith(expected_type(path)), (
            f"{path}: {asset.headers['content-type']}"
        )
        found = nested_urls(path, asset.text if path.endswith((".css", ".js")) else "")
        assert all(on_grace(url) for url in found), f"{path} loads from elsewhere: {found}"
        queue += sorted(found - seen)
    return seen


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_only_assets_grace_serves(api_client: TestClient, page: str) -> None:
    assets = crawl(api_client, page)
    assert all(path.startswith(f"{ASSETS_PATH}/") for path in assets)
    assert any(path.endswith(".js") for path in assets)
    assert any(path.endswith(".css") for path in assets)


def test_graphiql_brings_its_editor_workers_and_fonts(api_client: TestClient) -> None:
    assets = crawl(api_client, "/graphql")
    names = {Path(path).name for path in assets}
    for worker in ("editor.worker", "graphql.worker", "json.worker"):
        assert any(name.startswith(f"{worker}-") for name in names), f"no {worker} in {names}"
    assert any(name.endswith(".ttf") for name in names)


def test_graphql_still_answers_queries_beside_the_page(api_client: TestClient) -> None:
    response = api_client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    by_get = api_client.get("/graphql", params={"query": "{ __typename }"})
    assert by_get.json() == {"data": {"__typename": "Query"}}


def test_an_unknown_asset_is_not_found(api_client: TestClient) -> None:
    assert api_client.get(f"{ASSETS_PATH}/nothing-such.js").status_code == 404
    assert api_client.get(f"{ASSETS_PATH}/../graphiql.html").status_code == 404


@pytest.fixture(scope="module")
def unbuilt_client(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The app with no web build where it looks for one."""
    empty = tmp_path_factory.mktemp("no-web-build")
    with TestClient(create_app(settings.model_copy(update={"web_dist": empty}))) as client:
        yield client


@pytest.mark.parametrize("page", PAGES)
def test_without_a_build_the_page_says_how_to_build_it(
    unbuilt_client: TestClient, page: str
) -> None:
    response = unbuilt_client.get(page, headers=BROWSER)
    assert response.status_code == 503
    assert "not built" in response.text
    assert "npm ci &amp;&amp; npm run build" in response.text
    assert referenced_urls(response.text) == []
    assert unbuilt_client.get(f"{ASSETS_PATH}/graphiql.js").status_code == 404
