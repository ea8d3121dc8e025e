"""The demo data `grace up` ingests.

`examples/sources/` is laid out like a watched folder, one folder per source. The answer key
`examples/README.md` sits beside it, outside what is ingested: it documents the data, it is
not data.
"""

from __future__ import annotations

from pathlib import Path


def demo_sources(root: Path) -> Path:
    """The folder of demo sources under the project root `root`."""
    return root / "examples" / "sources"
