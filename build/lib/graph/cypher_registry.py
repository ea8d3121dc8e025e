"""The Cypher registry: every statement is a file in `cypher/`, loaded once, run by name.

A statement's name is its path below `cypher/` without the extension, so
`cypher/schemas/sync_versions.cypher` is `schemas/sync_versions`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from graph.errors import CypherNotFoundError

SUFFIX = ".cypher"


class CypherRegistry(Mapping[str, str]):
    """An immutable mapping from statement name to statement text."""

    def __init__(self, statements: Mapping[str, str]) -> None:
        self._statements = dict(statements)

    @classmethod
    def load(cls, root: Path) -> CypherRegistry:
        """Read every `*.cypher` file below `root`."""
        statements = {
            path.relative_to(root).with_suffix("").as_posix(): _clean(path.read_text("utf-8"))
            for path in sorted(root.rglob(f"*{SUFFIX}"))
        }
        return cls(statements)

    def __getitem__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise CypherNotFoundError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._statements)

    def __len__(self) -> int:
        return len(self._statements)

    def under(self, folder: str) -> list[str]:
        """Names of the statements in one folder, in file-name order."""
        prefix = folder.rstrip("/") + "/"
        return sorted(name for name in self._statements if name.startswith(prefix))


def _clean(text: str) -> str:
    return text.strip().removesuffix(";").rstrip()
