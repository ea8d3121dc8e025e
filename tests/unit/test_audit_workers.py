"""How many worker processes verify an audit chain when nobody says."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import os, sys
os.sched_setaffinity(0, {int(c) for c in sys.argv[1].split(",")})
from governance.audit_processes import default_workers
print(default_workers())
"""


def _default_workers_on(cores: set[int]) -> int:
    """`default_workers()` in a fresh process allowed to run on `cores` only."""
    arg = ",".join(str(core) for core in sorted(cores))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, arg], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


AFFINITY = hasattr(os, "sched_setaffinity")


@pytest.mark.skipif(not AFFINITY, reason="needs Linux CPU affinity (os.sched_setaffinity)")
def test_a_single_core_verifies_in_this_process() -> None:
    assert _default_workers_on({0}) == 0


@pytest.mark.skipif(
    not AFFINITY or len(os.sched_getaffinity(0)) < 2,
    reason="needs Linux CPU affinity and at least two usable cores",
)
def test_one_worker_per_usable_core() -> None:
    cores = os.sched_getaffinity(0)
    assert _default_workers_on(cores) == len(cores)
    assert _default_workers_on(set(sorted(cores)[:2])) == 2
