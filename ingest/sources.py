"""Sources: where a file comes from.

A watched root holds one folder per source (`inbox/registry/cities.csv` comes from the
source `registry`); files directly in the root belong to a source named after the root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from graph.errors import GraceError


class OutsideRootError(GraceError):
    """A path that is not below the root it was submitted with."""

    code = "outside_root"

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        super().__init__(f"{path} is not inside {root}")


@dataclass(frozen=True)
class SourceRef:
    """A source as the graph stores it."""

    id: str
    kind: str
    location: str
    name: str
    """What people call it (the folder's name): Neo4j Browser's caption of the node."""

    def as_params(self) -> dict[str, str]:
        """The properties of the `Source` node."""
        return {"id": self.id, "kind": self.kind, "location": self.location, "name": self.name}


def locate(path: Path, root: Path) -> tuple[SourceRef, str]:
    """The source of `path` and its path relative to `root` (POSIX form)."""
    absolute, base = path.resolve(), root.resolve()
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        raise OutsideRootError(path, root) from None
    if len(relative.parts) > 1:
        name, location = relative.parts[0], base / relative.parts[0]
    else:
        name, location = base.name, base
    return SourceRef(
        id=f"folder:{name}", kind="folder", location=str(location), name=name
    ), relative.as_posix()


def root_of(location: str, relative: str) -> Path:
    """The watched root a file lay below, from its source's location and its path relative
    to that root (the inverse of `locate`): a file in a source's folder has the folder's
    name as its first part."""
    folder = Path(location)
    return folder.parent if len(PurePosixPath(relative).parts) > 1 else folder
