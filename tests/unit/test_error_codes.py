"""The prod error mask keeps only codes that Grace's errors really carry."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from api.gql.errors import USER_ERROR_CODES
from graph.errors import GraceError

PACKAGES = ("graph", "governance", "trust", "ingest", "api")


def error_classes(root: type[GraceError]) -> Iterator[type[GraceError]]:
    for subclass in root.__subclasses__():
        yield subclass
        yield from error_classes(subclass)


def test_every_user_facing_code_belongs_to_an_error_class() -> None:
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    codes = {error.code for error in error_classes(GraceError)}
    assert not USER_ERROR_CODES - codes, sorted(USER_ERROR_CODES - codes)
    assert "query_failed" not in USER_ERROR_CODES  # its message carries Cypher
