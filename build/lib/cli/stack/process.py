"""A child process with its own log file, started in its own session and stopped politely."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import ServiceStartError

STOP_TIMEOUT_SECONDS = 60.0


@dataclass
class ManagedProcess:
    """One service: started with `start`, ended with `stop` (SIGTERM, then SIGKILL)."""

    name: str
    command: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log_offset: int = field(default=0, init=False, repr=False)

    def start(self) -> None:
        """Start the process; its output is appended to `log_path`."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            try:
                self._process = subprocess.Popen(
                    self.command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, **self.env},
                    cwd=self.cwd,
                    # Ctrl-C reaches only the supervisor, which stops services in order.
                    start_new_session=True,
                )
            except OSError as error:
                raise ServiceStartError(self.name, str(error)) from error

    @property
    def pid(self) -> int | None:
        """The process id while started."""
        return self._process.pid if self._process else None

    def exit_code(self) -> int | None:
        """None while running (or never started), else the exit code."""
        return self._process.poll() if self._process else None

    def running(self) -> bool:
        """True while the process runs."""
        return self._process is not None and self._process.poll() is None

    def output(self) -> str:
        """What the process wrote to its log since this start."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def failure(self, reason: str) -> ServiceStartError:
        """A start error that quotes the end of the log."""
        tail = "\n".join(self.output().splitlines()[-15:])
        detail = f"{reason}\n--- last lines of {self.log_path} ---\n{tail}" if tail else reason
        return ServiceStartError(self.name, detail, self.log_path)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """SIGTERM, wait up to `timeout` seconds, then SIGKILL; returns the exit code."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode
