"""Ingesting files and folders once, in this process (`grace ingest`, the demo of `grace up`):
the files a few at a time, then the after-ingest pass on each new document (and on each
unchanged one whose pass is still owed), in file order, the same pass the worker runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.after_ingest import OWING
from ingest.assembly import IngestServices
from ingest.pipeline import PipelineRun
from ingest.scan import walk
from ingest.service import IngestOutcome, OutcomeStatus

CONCURRENT_FILES = 4
INGESTING = "ingesting"
ANALYSING = "analysing"


class Progress(Protocol):
    """Told when a phase starts (with its number of steps) and when a step is done."""

    def phase(self, name: str, total: int) -> None:
        """A phase of `total` steps starts."""

    def step(self) -> None:
        """One step of the current phase is done."""


class Silent:
    """No progress shown."""

    def phase(self, name: str, total: int) -> None:
        """Nothing."""

    def step(self) -> None:
        """Nothing."""


@dataclass(frozen=True)
class OnceReport:
    """Each file's outcome, and the after-ingest pass of each newly ingested document."""

    outcomes: list[IngestOutcome]
    passes: list[PipelineRun]

    @property
    def failed(self) -> bool:
        """Whether a file failed."""
        return any(outcome.status is OutcomeStatus.FAILED for outcome in self.outcomes)


def expand(paths: Sequence[Path], watched: Sequence[Path] = ()) -> list[tuple[Path, Path]]:
    """(file, root) pairs: below a watched folder that folder is the root, as the watcher
    sees it, so a file is one document however it is named; elsewhere a folder is its own
    root and a lone file's root is its folder."""
    pairs: list[tuple[Path, Path]] = []
    for path in paths:
        root = watched_root(path, watched)
        if path.is_dir():
            pairs += [(file, root or path) for file in walk(path)]
        else:
            pairs.append((path, root or path.parent))
    return pairs


def watched_root(path: Path, watched: Sequence[Path]) -> Path | None:
    """The watched folder that holds `path` (or is it), if any."""
    resolved = path.resolve()
    for folder in watched:
        base = folder.resolve()
        if resolved == base or base in resolved.parents:
            return folder
    return None


async def ingest_once(
    settings: Settings, paths: Sequence[Path], progress: Progress | None = None
) -> OnceReport:
    """Ingest files and folders, then run the after-ingest pass on what is new."""
    shown = progress or Silent()
    graph = await Graph.connect(settings)
    bus = EventBus.from_settings(settings)
    try:
        services = await IngestServices.open(graph, bus, settings)
        service = services.ingestion
        files = expand(paths, settings.watch_dirs)
        gate = asyncio.Semaphore(CONCURRENT_FILES)
        shown.phase(INGESTING, len(files))

        async def one(file: Path, root: Path) -> IngestOutcome:
            async with gate:
                outcome = await service.ingest_file(file, root)
            shown.step()
            return outcome

        outcomes = list(await asyncio.gather(*(one(file, root) for file, root in files)))
        # an unchanged file's pass may still be owed (a run before this one was cut short)
        fresh = [o for o in outcomes if o.status in OWING]
        shown.phase(ANALYSING, len(fresh))
        passes = []
        for outcome in fresh:
            run = await services.after_ingest.run(outcome)
            if run is not None:
                passes.append(run)
            shown.step()
        return OnceReport(outcomes, passes)
    finally:
        await bus.close()
        await graph.close()
