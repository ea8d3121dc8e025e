"""`bench.jvm_gc` against the test services' own Neo4j JVM."""

from __future__ import annotations

import shutil

import pytest

from bench.jvm_gc import gc_seconds
from bench.process_cpu import serving_pid
from graph.settings import Settings


def test_the_neo4j_jvm_reports_its_gc_seconds(settings: Settings) -> None:
    server = serving_pid(settings.neo4j_uri)
    if server is None or shutil.which("jstat") is None:
        pytest.skip("needs Neo4j running on this machine (its Bolt port seen) and jstat on PATH")
    seconds = gc_seconds(server)
    assert seconds is not None
    assert seconds >= 0.0
