"""YAML definition files (schemas, policies) parsed safely, with line numbers in every error.

Files are composed with PyYAML's safe loader only, so no tag can build Python objects;
duplicate keys, which YAML would silently collapse, are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from graph.errors import DefinitionProblem, InvalidDefinitionsError

M = TypeVar("M", bound=BaseModel)
Location = tuple[str | int, ...]


def load_definition(path: Path, model: type[M]) -> tuple[M, dict[Location, int]]:
    """Parse one file into `model`; returns it with the line of every key (1-based).

    Raises `InvalidDefinitionsError` listing every problem found in the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise InvalidDefinitionsError([DefinitionProblem(path, None, "not UTF-8 text")]) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        message = f"not valid YAML: {error.problem or error}"
        raise InvalidDefinitionsError([DefinitionProblem(path, line, message)]) from None
    if root is None:
        raise InvalidDefinitionsError([DefinitionProblem(path, 1, "the file is empty")])
    lines: dict[Location, int] = {(): root.start_mark.line + 1}
    duplicates = _index_lines(root, (), lines)
    if duplicates:
        raise InvalidDefinitionsError([DefinitionProblem(path, *dup) for dup in duplicates])
    try:
        return model.model_validate(data), lines
    except ValidationError as error:
        problems = [
            DefinitionProblem(path, line_of(lines, issue["loc"]), _describe(issue))
            for issue in error.errors()
        ]
        raise InvalidDefinitionsError(problems) from None


def line_of(lines: dict[Location, int], location: Location) -> int:
    """The line of the deepest known key on the way to `location`."""
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return lines[()]


def _index_lines(
    node: yaml.Node, at: Location, lines: dict[Location, int]
) -> list[tuple[int, str]]:
    duplicates: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append((line, f"duplicate key {key!r}"))
            seen.add(key)
            lines[(*at, key)] = line
            duplicates += _index_lines(value_node, (*at, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*at, index)] = item.start_mark.line + 1
            duplicates += _index_lines(item, (*at, index), lines)
    return duplicates


def _describe(issue: Any) -> str:
    where = ".".join(str(part) for part in issue["loc"])
    return f"{where}: {issue['msg']}" if where else str(issue["msg"])
