"""One error root for Grace, with specific subclasses that carry their fields.

Only `api/` turns these into HTTP or GraphQL errors; everything else raises them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class GraceError(Exception):
    """The root of every error Grace raises on purpose."""

    code = "grace_error"


class ConfigurationError(GraceError):
    """Settings are missing, malformed or unsafe for the chosen profile."""

    code = "configuration"


class InsecureSettingsError(ConfigurationError):
    """A default or empty secret was found outside the `dev` profile."""

    code = "insecure_settings"

    def __init__(self, profile: str, settings: Sequence[str]) -> None:
        self.profile = profile
        self.settings = tuple(settings)
        names = ", ".join(self.settings)
        super().__init__(
            f"profile {profile!r} refuses default or empty secrets: set {names} "
            "(environment variables or deploy/config)"
        )


class GraphUnavailableError(GraceError):
    """Neo4j cannot be reached or refused the credentials."""

    code = "graph_unavailable"

    def __init__(self, uri: str, reason: str) -> None:
        self.uri = uri
        self.reason = reason
        super().__init__(f"Neo4j at {uri} is unavailable: {reason}")


class CypherNotFoundError(GraceError):
    """A statement name that has no file in `cypher/`."""

    code = "cypher_not_found"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no Cypher statement named {name!r} (expected cypher/{name}.cypher)")


class QueryFailedError(GraceError):
    """Neo4j rejected a named statement."""

    code = "query_failed"

    def __init__(self, name: str, neo4j_code: str | None, message: str) -> None:
        self.name = name
        self.neo4j_code = neo4j_code
        super().__init__(f"statement {name!r} failed ({neo4j_code}): {message}")


class ConstraintViolationError(QueryFailedError):
    """A write broke a uniqueness constraint."""

    code = "constraint_violation"


class NotAllowedError(GraceError):
    """A label or relationship type outside the allow-list."""

    code = "not_allowed"

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self.value = value
        super().__init__(f"{kind} {value!r} is not in the allow-list")


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem in a YAML definition file, with where it is."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


class InvalidDefinitionsError(GraceError):
    """One or more YAML definition files (schemas, policies) are invalid; nothing was applied."""

    code = "invalid_definitions"

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} invalid definition(s), nothing written:\n{listing}")


class EventBusError(GraceError):
    """Redis pub/sub could not publish or deliver an event."""

    code = "event_bus"


class ServiceStartError(GraceError):
    """A local service (Neo4j, Redis, the API) did not start."""

    code = "service_start"

    def __init__(self, service: str, reason: str, log: Path | None = None) -> None:
        self.service = service
        self.reason = reason
        self.log = log
        hint = f" (see {log})" if log else ""
        super().__init__(f"{service} did not start: {reason}{hint}")


class MigrationError(GraceError):
    """A migration cannot be applied, or an applied one was edited afterwards."""

    code = "migration"

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"migration {name!r}: {reason}")


class ExtractionError(GraceError):
    """A file could not be turned into text chunks and rows."""

    code = "extraction"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot extract {path!r}: {reason}")


class UnsupportedFormatError(ExtractionError):
    """The file's format is recognised (or unknown binary) but has no extractor yet."""

    code = "unsupported_format"

    def __init__(self, path: str, file_format: str) -> None:
        self.file_format = file_format
        super().__init__(path, f"{file_format} files are not supported")


class UndecodableTextError(ExtractionError):
    """The file is not binary, yet not text in any encoding Grace reads; nothing was parsed."""

    code = "undecodable_text"
    ENCODINGS = "UTF-8, UTF-16 or UTF-32 with a byte-order mark, Windows-1252 (Latin-1)"

    def __init__(self, path: str, offset: int, data: bytes) -> None:
        self.offset = offset
        byte = f"byte 0x{data[offset]:02x}" if offset < len(data) else "the end"
        super().__init__(
            path,
            f"not valid text in any supported encoding ({self.ENCODINGS}): {byte} at offset "
            f"{offset}; re-save it as UTF-8",
        )


class TooManyBadRecordsError(ExtractionError):
    """Half or more of the file's records are bad: the file fails as a whole, nothing kept."""

    code = "too_many_bad_records"

    def __init__(self, path: str, bad: int, total: int, reasons: str) -> None:
        self.bad = bad
        self.total = total
        super().__init__(
            path, f"{bad} of {total} records are bad (half or more fail the file): {reasons}"
        )


class FileTooLargeError(ExtractionError):
    """The file is larger than the configured byte limit; nothing was parsed."""

    code = "file_too_large"

    def __init__(self, path: str, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(path, f"{size} bytes is over the limit of {limit} bytes")


class TooManyRowsError(ExtractionError):
    """The file holds more rows than the configured limit; nothing was kept."""

    code = "too_many_rows"

    def __init__(self, path: str, limit: int) -> None:
        self.limit = limit
        super().__init__(path, f"more than {limit} rows")


class MalformedFileError(ExtractionError):
    """The file does not parse as its format; `line` and `column` are 1-based when known."""

    code = "malformed_file"

    def __init__(self, path: str, line: int | None, column: int | None, reason: str) -> None:
        self.line = line
        self.column = column
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column is not None else "") + ": "
        super().__init__(path, f"{where}{reason}")


class TooDeepError(MalformedFileError):
    """The file nests values deeper than the depth limit (or than its parser can follow)."""

    code = "too_deep"


class NormalizationError(GraceError):
    """A value cannot be read as the type its field declares."""

    code = "normalization"

    def __init__(self, field: str, value: object, expected: str, reason: str = "") -> None:
        self.field = field
        self.value = value
        self.expected = expected
        detail = f": {reason}" if reason else ""
        super().__init__(f"field {field!r}: {value!r} is not a valid {expected}{detail}")


class PipelineDefinitionError(GraceError):
    """A pipeline declaration is invalid (unknown step, cycle, bad condition)."""

    code = "pipeline_definition"


class UnsafeArchiveError(ExtractionError):
    """A ZIP-based file (XLSX, DOCX) breaks an archive limit; nothing was unpacked."""

    code = "unsafe_archive"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, f"unsafe archive: {reason}")


class SandboxError(ExtractionError):
    """The sandboxed parser ran out of time or memory, or crashed; nothing was kept."""

    code = "sandbox"


class UnknownIdError(GraceError):
    """No node of this kind has this id or an id starting with it."""

    code = "not_found"

    def __init__(self, kind: str, given: str) -> None:
        self.kind = kind
        self.given = given
        super().__init__(f"no {kind} with id {given!r} or an id starting with it")


class AmbiguousIdError(GraceError):
    """Several ids of this kind start with the prefix given."""

    code = "ambiguous_id"

    def __init__(self, kind: str, given: str, candidates: Sequence[str]) -> None:
        self.kind = kind
        self.given = given
        self.candidates = list(candidates)
        super().__init__(
            f"{given!r} starts several {kind} ids ({', '.join(candidates)}, ...): give more of it"
        )


class BackupError(GraceError):
    """A backup cannot be written or restored: not a Grace backup, a value of an unknown
    type, a target database that is not empty, or a restore whose fingerprint differs."""

    code = "backup"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"backup: {reason}")
