from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from cli.stack.process import ManagedProcess
from cli.stack.stack import _refuse_busy_ports
from graph.errors import ServiceStartError


def test_a_busy_port_is_refused_with_a_hint() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(ServiceStartError, match=f"port {port} .* already in use"):
            _refuse_busy_ports([port])


def test_stop_sends_sigterm_and_reports_the_exit_code(tmp_path: Path) -> None:
    script = (
        "import signal,sys,time\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
        "print('up', flush=True)\ntime.sleep(60)\n"
    )
    process = ManagedProcess("sleeper", [sys.executable, "-c", script], tmp_path / "s.log")
    process.start()
    while "up" not in process.output():
        assert process.running()
    assert process.stop(timeout=10) == 7
    assert not process.running()


def test_failure_quotes_the_end_of_the_log(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('bad config on line 3'); sys.exit(2)"]
    process = ManagedProcess("broken", command, tmp_path / "b.log")
    process.start()
    while process.running():
        pass
    error = process.failure(f"exited with code {process.exit_code()}")
    assert "exited with code 2" in str(error)
    assert "bad config on line 3" in str(error)
    assert error.log == tmp_path / "b.log"
