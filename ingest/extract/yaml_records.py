"""YAML -> rows (a list of mappings) or text. Only `yaml.safe_load`: no Python tags."""

from __future__ import annotations

import datetime
from typing import Any

import yaml
from pydantic import JsonValue

from graph.errors import MalformedFileError, TooDeepError, TooManyRowsError
from ingest.extract.limits import Limits, check_depth
from ingest.extract.model import ExtractedRow, Extraction
from ingest.extract.text import chunk_text

EXPANSION = 10  # converted values allowed per input character (aliases can multiply them)


def extract_yaml(text: str, path: str, mime: str, limits: Limits) -> Extraction:
    """A list of mappings -> one row each ("$[i]"); anything else -> text chunks."""
    try:
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise MalformedFileError(path, line, column, f"invalid YAML: {error.problem}") from error
    except yaml.YAMLError as error:
        raise MalformedFileError(path, None, None, f"invalid YAML: {error}") from error
    except RecursionError as error:
        raise TooDeepError(path, None, None, "YAML nested too deeply to parse") from error
    except ValueError as error:  # an integer over Python's digit limit
        raise MalformedFileError(path, None, None, f"invalid YAML: {error}") from error
    if isinstance(document, list) and document and all(isinstance(i, dict) for i in document):
        if len(document) > limits.max_rows:
            raise TooManyRowsError(path, limits.max_rows)
        for index, item in enumerate(document):
            check_depth(item, path, f"$[{index}]", limits)
        budget = [EXPANSION * len(text) + 1000]
        rows = [
            ExtractedRow(values=_mapping(item, path, budget), locator=f"$[{index}]")
            for index, item in enumerate(document)
        ]
        return Extraction(mime=mime, rows=rows)
    return Extraction(mime=mime, text_chunks=chunk_text(text, limits, markdown=False))


def _mapping(value: dict[Any, Any], path: str, budget: list[int]) -> dict[str, JsonValue]:
    return {str(key): _json(item, path, budget) for key, item in value.items()}


def _json(value: Any, path: str, budget: list[int]) -> JsonValue:
    """A JSON-compatible copy: dates become ISO strings, other scalars strings."""
    budget[0] -= 1
    if budget[0] < 0:
        raise MalformedFileError(path, None, None, "YAML aliases expand far beyond the file")
    if isinstance(value, dict):
        return _mapping(value, path, budget)
    if isinstance(value, list | tuple | set):
        return [_json(item, path, budget) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
