"""Grace's browser pages, built from `web/` by Vite (`npm ci && npm run build`): the web app
at `/`, GraphiQL at `/graphql` and the API docs at `/docs`, with every script, style, font
and worker they use served by Grace itself at `/assets/` (no CDN). Before the build, a page
says how to make it."""

from __future__ import annotations

import html
import os
from enum import StrEnum
from os import PathLike
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ASSETS_PATH = "/assets"
"""Where the build's assets are served; Vite's HTML refers to them there (`base: "/"`)."""
IMMUTABLE = "public, max-age=31536000, immutable"
"""Vite names each asset by a hash of its content: a browser may keep it for good."""
BUILD_COMMAND = "make install (or: cd web && npm ci && npm run build)"


class Page(StrEnum):
    """A page the build makes: `web/<name>.html`."""

    APP = "index"
    GRAPHIQL = "graphiql"
    DOCS = "docs"


class BuiltAssets(StaticFiles):
    """The build's `assets/` folder: 404 for every file while it is not built (not a 500)."""

    async def check_config(self) -> None:
        """Check the folder only once it exists."""
        if self.directory is not None and await anyio.Path(self.directory).is_dir():
            await super().check_config()

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file, cached by the browser for good (its name changes with its content)."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


class WebBuild:
    """The built pages in `dist` (`web/dist`), read at each request so a rebuild shows."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist

    def mount_assets(self, app: FastAPI) -> None:
        """Serve `dist/assets/` at `ASSETS_PATH`."""
        assets = BuiltAssets(directory=self.dist / "assets", check_dir=False)
        app.mount(ASSETS_PATH, assets, name="assets")

    def page(self, page: Page) -> HTMLResponse:
        """The built page, or (503) a page saying how to build it."""
        path = self.dist / f"{page.value}.html"
        if not path.is_file():
            return HTMLResponse(self._not_built(path), status_code=503)
        return HTMLResponse(path.read_text(encoding="utf-8"))

    def _not_built(self, path: Path) -> str:
        missing = html.escape(str(path))
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Grace: web pages not built</title></head><body>"
            "<h1>Grace's web pages are not built</h1>"
            f"<p>{missing} is missing. Build them with <code>{html.escape(BUILD_COMMAND)}</code> "
            "(Node.js and npm; packages come from the npm registry), then reload this page.</p>"
            "</body></html>"
        )
