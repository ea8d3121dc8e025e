"""CPU seconds spent by this process and by the local process serving a TCP port (Neo4j's Bolt
port, when Neo4j runs on this machine), read from Linux's `/proc`. CPU per row is what a
write costs whatever else the machine runs; wall-clock rates on a shared machine are not."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROC = Path("/proc")
LISTEN = "0A"
"""`st` of a listening socket in /proc/net/tcp."""


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == LISTEN:
                inodes.add(fields[9])
    return inodes


def serving_pid(uri: str) -> int | None:
    """The pid of the local process listening on the port of `uri`, if it can be seen."""
    port = urlsplit(uri).port
    inodes = _listening_inodes(port) if port else set()
    if not inodes:
        return None
    sockets = {f"socket:[{inode}]" for inode in inodes}
    for process in PROC.iterdir():
        if not process.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in sockets for fd in (process / "fd").iterdir()):
                return int(process.name)
        except OSError:
            continue
    return None


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far (all its threads)."""
    fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuMeter:
    """CPU spent between `start` and `stop` by this process and by the server (when seen)."""

    server: int | None
    own: float = 0.0
    served: float = 0.0

    def start(self) -> None:
        self.own = -time.process_time()
        self.served = -cpu_seconds(self.server) if self.server else 0.0

    def stop(self) -> None:
        self.own += time.process_time()
        self.served += cpu_seconds(self.server) if self.server else 0.0

    def per_row(self, rows: int) -> str:
        """`python N us/row, neo4j M us/row` (the server's part only when it was seen)."""
        text = f"python {self.own * 1e6 / rows:.0f} us/row"
        if self.server:
            text += f", neo4j {self.served * 1e6 / rows:.0f} us/row"
        return text
