"""Neo4j Browser's Grace style and guide, served for Browser to fetch on connect.

Browser runs in the page it is served from (Neo4j's HTTP port), another origin than the API,
so both files are answered to any origin (`Access-Control-Allow-Origin: *`, no credentials:
they hold no data), and the guide's preflight is answered too (Browser asks for it with
`pragma` and `cache-control` headers).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.errors import ConfigurationError

PREFIX = "/browser"
STYLE = "grace.grass"
GUIDE = "guide.html"
FILES = {STYLE: "text/plain; charset=utf-8", GUIDE: "text/html; charset=utf-8"}
"""The files of `deploy/browser/` served under `PREFIX`, with their content types."""

DEFAULT_ALLOWLIST = ("guides.neo4j.com", "localhost")
"""Browser's own list of hosts it fetches guides and styles from."""


def browser_files(root: Path) -> Starlette:
    """The app mounted at `PREFIX`: the style and the guide, read once from `root`."""
    folder = root / "deploy" / "browser"
    bodies = {name: (folder / name).read_bytes() for name in FILES}

    async def serve(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in bodies:
            return Response(status_code=404)
        return Response(bodies[name], media_type=FILES[name])

    return Starlette(
        routes=[Route("/{name}", serve, methods=["GET", "HEAD"])],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "HEAD"],
                allow_headers=["pragma", "cache-control"],
                max_age=3600,
            )
        ],
    )


def post_connect_commands(api_url: str) -> str:
    """`browser.post_connect_cmd`: load the style, then play the guide."""
    base = api_url.rstrip("/") + PREFIX
    return f"style {base}/{STYLE}; play {base}/{GUIDE}"


def launcher_arguments(api_url: str) -> list[str]:
    """What the Neo4j launcher needs so that Browser loads Grace's style and guide from the
    API at `api_url` when it connects (its host joins Browser's allowlist)."""
    host = urlsplit(api_url).hostname
    if not host:
        raise ConfigurationError(f"the API's URL for Neo4j Browser is not an http URL: {api_url!r}")
    allowlist = ",".join(dict.fromkeys((*DEFAULT_ALLOWLIST, host)))
    return [
        "--browser-post-connect-cmd",
        post_connect_commands(api_url),
        "--browser-allowlist",
        allowlist,
    ]
