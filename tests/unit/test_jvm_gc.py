"""`bench.jvm_gc`: the garbage-collection seconds of a local JVM, read with `jstat`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from bench.jvm_gc import gc_seconds, parse_gc_seconds

JSTAT_GC = (
    "    S0C      EU       OC     YGC     YGCT   FGC   FGCT   CGC   CGCT      GCT\n"
    "    0.0   3072.0 993280.0   306   42.536     0  0.000   108  10.549   53.085\n"
)


def test_the_gc_seconds_are_the_gct_column() -> None:
    assert parse_gc_seconds(JSTAT_GC) == pytest.approx(53.085)


@pytest.mark.parametrize(
    "output",
    ["", "12345 not found\n", "YGC YGCT\n3 0.5\n", "GCT\n-\n"],
    ids=["nothing", "an error line", "no GCT column", "no number"],
)
def test_output_without_the_gc_seconds_gives_none(output: str) -> None:
    assert parse_gc_seconds(output) is None


def test_no_process_gives_none() -> None:
    assert gc_seconds(None) is None


def test_a_process_that_is_no_jvm_gives_none() -> None:
    if shutil.which("jstat") is None:
        pytest.skip("needs the JDK's jstat on PATH")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        try:
            assert gc_seconds(child.pid) is None
        finally:
            child.kill()
