"""The worker's lanes, named apart from `ingest.worker` so the CLI can offer them without
importing the worker."""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    """A worker process's lanes (see `ingest.worker`): `grace worker --lane` picks one to run
    alone, so that after-ingest passes run in a process (and an interpreter) of their own."""

    INGEST = "ingest"
    PASSES = "passes"
