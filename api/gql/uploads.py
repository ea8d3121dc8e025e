"""Files uploaded through GraphQL (the multipart request spec): the CSRF guard, untrusted
file names, and each file stored in the uploads folder and queued for ingestion.

Uploads land in `<first watched folder>/uploads/`, so they are the source `folder:uploads`
like any other folder: the watcher's rescans cover them, and the worker reads them as it
reads every watched file. A file is written under a hidden temporary name (which the
watcher ignores) and renamed into place once complete. The same name uploaded again is the
next version of that file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from arq.connections import ArqRedis
from starlette.datastructures import UploadFile

from api.gql.http_requests import RequestRefusedError
from governance.audit import AuditEntry, AuditLog
from graph.errors import ConfigurationError, GraceError
from graph.settings import Settings
from ingest.queue import Priority, QueuedFile, enqueue_file

CSRF_HEADER = "X-Grace-CSRF"
"""Multipart requests must carry this header: a cross-site HTML form cannot set it, and a
script that sets it must pass a CORS preflight first."""
CSRF_HEADER_REQUIRED = "csrf_header_required"
UPLOADS_FOLDER = "uploads"
MAX_FILES = 20
MAX_NAME_BYTES = 255
COPY_CHUNK_BYTES = 1 << 20


def require_csrf_header(headers: Mapping[str, str]) -> None:
    """Refuse (400) a multipart request without `CSRF_HEADER`, before its body is read."""
    if not headers.get(CSRF_HEADER, "").strip():
        raise RequestRefusedError(
            400,
            CSRF_HEADER_REQUIRED,
            f"multipart requests must send the {CSRF_HEADER} header (any non-empty value): "
            "it protects uploads from cross-site request forgery",
        )


class TooManyFilesError(GraceError):
    """More files in one upload than `MAX_FILES`, or none."""

    code = "too_many_files"

    def __init__(self, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(f"an upload takes 1 to {limit} files, not {count}")


class Refusal(StrEnum):
    """Why one file of an upload was not accepted."""

    NOT_A_FILE = "not_a_file"
    BAD_NAME = "bad_name"
    DUPLICATE_NAME = "duplicate_name"
    EMPTY = "empty"
    TOO_LARGE = "too_large"


@dataclass(frozen=True)
class Outcome:
    """What happened to one uploaded file."""

    name: str
    size: int = 0
    sha256: str | None = None
    job_id: str | None = None
    queued: bool = False
    refusal: Refusal | None = None
    reason: str | None = None


class _Refused(Exception):
    def __init__(self, refusal: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.refusal = refusal
        self.reason = reason


def safe_name(raw: str | None) -> str:
    """The name a file is stored under: the client's own, NFC-normalized, if it is a plain
    file name (no folder part, no control character, not hidden, at most 255 bytes)."""
    name = unicodedata.normalize("NFC", raw or "")
    if not name.strip():
        raise _Refused(Refusal.BAD_NAME, "the file has no name")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise _Refused(Refusal.BAD_NAME, "the name contains control characters")
    if "/" in name or "\\" in name:
        raise _Refused(Refusal.BAD_NAME, "the name must be a file name, not a path")
    if name.startswith("."):
        raise _Refused(Refusal.BAD_NAME, "the name must not start with a dot")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _Refused(Refusal.BAD_NAME, f"the name is longer than {MAX_NAME_BYTES} bytes")
    return name


def uploads_root(settings: Settings) -> Path:
    """The watched folder uploads go below (the first one configured)."""
    if not settings.watch_dirs:
        raise ConfigurationError("uploads need a watched folder: set GRACE_WATCH_DIRS")
    return settings.watch_dirs[0]


def _store(stream: BinaryIO, folder: Path, name: str, max_bytes: int) -> tuple[Path, str, int]:
    """Copy `stream` to `folder/name` through a hidden temporary file; (path, sha256, size)."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    if final.resolve().parent != folder.resolve():  # a safe name cannot, but never write outside
        raise _Refused(Refusal.BAD_NAME, "the name leads outside the uploads folder")
    partial = folder / f".upload-{uuid.uuid4().hex}.part"
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("xb") as out:
            while chunk := stream.read(COPY_CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise _Refused(Refusal.TOO_LARGE, f"the file is larger than {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _Refused(Refusal.EMPTY, "the file is empty")
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final, digest.hexdigest(), size


class Uploads:
    """Stores uploaded files and queues them, on behalf of one caller."""

    def __init__(self, settings: Settings, queue: ArqRedis, audit: AuditLog) -> None:
        self._root = uploads_root(settings)
        self._max_bytes = settings.max_file_bytes
        self._queue = queue
        self._audit = audit

    async def accept(self, files: list[object], actor: str) -> list[Outcome]:
        """Store and queue each acceptable file; the others are refused with a reason."""
        if not 1 <= len(files) <= MAX_FILES:
            raise TooManyFilesError(len(files), MAX_FILES)
        outcomes: list[Outcome] = []
        taken: set[str] = set()
        for upload in files:
            outcomes.append(await self._accept_one(upload, taken))
        accepted = [o for o in outcomes if o.refusal is None]
        await self._audit.append(
            [
                AuditEntry(
                    actor,
                    "file.upload",
                    f"file:{UPLOADS_FOLDER}/{o.name}",
                    after={"sha256": o.sha256, "size": o.size, "job": o.job_id},
                )
                for o in accepted
            ]
        )
        return outcomes

    async def _accept_one(self, upload: object, taken: set[str]) -> Outcome:
        shown = ""
        try:
            if not isinstance(upload, UploadFile):
                raise _Refused(Refusal.NOT_A_FILE, "not a file part of a multipart request")
            shown = (upload.filename or "")[:MAX_NAME_BYTES]
            name = safe_name(upload.filename)
            if name in taken:
                raise _Refused(Refusal.DUPLICATE_NAME, "another file of this upload has the name")
            taken.add(name)
            if upload.size is not None and upload.size > self._max_bytes:
                limit = self._max_bytes
                raise _Refused(Refusal.TOO_LARGE, f"the file is larger than {limit} bytes")
            folder = self._root / UPLOADS_FOLDER
            path, sha256, size = await asyncio.to_thread(
                _store, upload.file, folder, name, self._max_bytes
            )
        except _Refused as refused:
            return Outcome(shown, refusal=refused.refusal, reason=refused.reason)
        item = QueuedFile(path=path, root=self._root, sha256=sha256, size=size)
        queued = await enqueue_file(self._queue, item, Priority.URGENT)
        return Outcome(name, size, sha256, item.job_id, queued)
