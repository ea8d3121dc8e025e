"""Logging of every Grace process: JSON lines for log collectors, plain text for a person.

A JSON line holds `time` (UTC, ISO 8601), `level`, `process` (api, worker, watcher ...),
`logger`, `message`, `trace_id` and `span_id` when a span is active, and `exception` with
the traceback when there is one. The configured secrets are replaced by `[redacted]` in
every line, whatever logged them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from opentelemetry import trace
from pydantic import SecretStr

from graph.settings import Settings

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not redacted: they would blank out ordinary words."""
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    """Replaces the configured secrets in text."""

    def __init__(self, secrets: Iterable[SecretStr | str | None]) -> None:
        values = {
            secret.get_secret_value() if isinstance(secret, SecretStr) else secret
            for secret in secrets
            if secret is not None
        }
        # longest first, so a secret containing another is replaced whole
        self._values = sorted(
            (value for value in values if len(value) >= MIN_SECRET_LENGTH), key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text


def span_ids() -> dict[str, str]:
    """The active span's trace and span ids in hex; nothing when no span is recording."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def __init__(self, process: str, redact: Redactor) -> None:
        super().__init__()
        self.process = process
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "process": self.process,
            "logger": record.name,
            "message": record.getMessage(),
            **span_ids(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(line, ensure_ascii=False, default=str))


class PlainText(logging.Formatter):
    """The classic one-line text, for a person at a terminal."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def configure(
    process: str, settings: Settings, *, stream: TextIO | None = None, level: int = logging.INFO
) -> logging.Handler:
    """Send every log record of this process to `stream` (stderr) in `settings.log_format`:
    `auto` is text at a terminal and JSON lines elsewhere (a file, a container's log), the
    settings' secrets redacted. The root logger and uvicorn's take this one handler."""
    out = stream or sys.stderr
    redact = Redactor(settings.secrets)
    log_format = settings.log_format
    as_json = log_format == "json" or (log_format == "auto" and not out.isatty())
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines(process, redact) if as_json else PlainText(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    return handler
