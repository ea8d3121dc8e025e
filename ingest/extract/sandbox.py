"""Run the risky parsers (PDF, XLSX, DOCX) in a child process that can be killed.

The parent starts `python -I -m ingest.extract.sandbox KIND LIMITS_JSON` with an empty
environment (no secrets reach the parser), the file's bytes on stdin, and, set in
`preexec_fn` before the child runs any Python, an address-space limit (RLIMIT_AS), a CPU
limit (RLIMIT_CPU) and no core dumps. A wall-clock timeout kills it. The child writes the
`Extraction` as JSON on stdout (exit 0), or an `ExtractionError` as {"code", "reason"}
(exit 2). Anything else becomes a `SandboxError`; the parent never hangs on a parser.

`preexec_fn` only calls `resource.setrlimit` with precomputed numbers, which keeps the
fork-with-threads risk the subprocess documentation warns about to a minimum.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict

from threadpoolctl import threadpool_limits

from graph.errors import ExtractionError, MalformedFileError, SandboxError, TooManyRowsError
from ingest.extract.detect import FileKind
from ingest.extract.limits import Limits
from ingest.extract.model import Extraction

SANDBOXED = frozenset({FileKind.PDF, FileKind.XLSX, FileKind.DOCX})
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LC_ALL": "C.UTF-8"}
ERROR_EXIT = 2


def single_threaded_blas() -> None:
    """Keep this process's BLAS (numpy's OpenBLAS) to one thread, for good: the sandbox forks
    (its `preexec_fn` confines the child), and OpenBLAS's fork handler waits for its worker
    threads, which a matrix product in another thread (the embedder) keeps busy. Seen as a
    worker frozen in `blas_thread_shutdown_`: no run recorded for 300 s, and a stop killed."""
    threadpool_limits(1, user_api="blas")


def run_sandboxed(kind: FileKind, data: bytes, path: str, limits: Limits) -> Extraction:
    """Extract `data` (a PDF, XLSX or DOCX) in a confined child process."""
    command = [
        sys.executable, "-I", "-m", "ingest.extract.sandbox", kind.value, json.dumps(asdict(limits))
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=limits.parser_timeout_seconds,
            env=CHILD_ENV,
            preexec_fn=_confinement(limits),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxError(path, f"parser exceeded {limits.parser_timeout_seconds:g} s") from error
    if done.returncode == 0:
        return Extraction.model_validate_json(done.stdout)
    if done.returncode == ERROR_EXIT and done.stdout:
        raise _child_error(json.loads(done.stdout), path, limits)
    raise SandboxError(path, failure_reason(done.returncode, done.stderr, limits))


def failure_reason(returncode: int, stderr: bytes, limits: Limits) -> str:
    """Why a child exited with `returncode`, from its signal or the last line of its stderr."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if returncode == -signal.SIGXCPU:
        return f"parser exceeded {limits.parser_cpu_seconds} s of CPU time"
    if "MemoryError" in last or "Cannot allocate memory" in last or "failed to map" in last:
        return "parser ran out of memory"
    if returncode < 0:
        return f"parser crashed: killed by {signal.Signals(-returncode).name}"
    return f"parser crashed: {last or f'exit status {returncode}'}"


def _confinement(limits: Limits) -> Callable[[], None]:
    memory = limits.parser_memory_bytes
    cpu = limits.parser_cpu_seconds

    def confine() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return confine


def _child_error(payload: dict[str, str], path: str, limits: Limits) -> ExtractionError:
    if payload["code"] == TooManyRowsError.code:
        return TooManyRowsError(path, limits.max_rows)
    if payload["code"] == MalformedFileError.code:
        return MalformedFileError(path, None, None, payload["reason"])
    return ExtractionError(path, payload["reason"])


def _parse(kind: FileKind, data: bytes, limits: Limits) -> Extraction:
    """The child's side: the parser for `kind` (imported here, so the parent never loads it)."""
    if kind is FileKind.PDF:
        from ingest.extract.pdf import extract_pdf

        return extract_pdf(data, "-", limits)
    if kind is FileKind.XLSX:
        from ingest.extract.xlsx import extract_xlsx

        return extract_xlsx(data, "-", limits)
    from ingest.extract.docx import extract_docx

    return extract_docx(data, "-", limits)


def main(argv: list[str]) -> int:
    """Child entry point: argv is [KIND, LIMITS_JSON], the file's bytes come on stdin."""
    kind = FileKind(argv[0])
    if kind not in SANDBOXED:
        raise SystemExit(f"not a sandboxed format: {kind.value}")
    limits = Limits(**json.loads(argv[1]))
    try:
        extraction = _parse(kind, sys.stdin.buffer.read(), limits)
    except ExtractionError as error:
        sys.stdout.write(json.dumps({"code": error.code, "reason": error.reason}))
        return ERROR_EXIT
    sys.stdout.write(extraction.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
