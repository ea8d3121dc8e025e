"""The metric names a PromQL expression reads, and every expression Grace ships: the alert
and recording rules in deploy/prometheus/ and the panel queries of deploy/grafana/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import yaml

from graph.settings import PROJECT_ROOT

RULES = PROJECT_ROOT / "deploy" / "prometheus" / "rules.yml"
DASHBOARDS = PROJECT_ROOT / "deploy" / "grafana" / "dashboards"
PROMETHEUS_OWN = frozenset({"up"})
"""Series Prometheus makes itself for each target."""

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![\w.$])[A-Za-z_:][\w:]*")
KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
    | {"and", "or", "unless", "inf", "nan", "atan2"}
)


def metric_names(expression: str) -> set[str]:
    """The metric (or recorded series) names `expression` selects: not functions, labels,
    strings, durations or keywords."""
    text = _STRINGS.sub('""', expression)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    names = set()
    for match in _NAME.finditer(text):
        rest = text[match.end() :].lstrip()
        if rest.startswith("(") or match.group().lower() in KEYWORDS:
            continue
        names.add(match.group())
    return names


def rule_expressions() -> Iterator[tuple[str, str]]:
    """(where, expression) of every alert and recording rule."""
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            yield f"rules.yml {rule.get('alert') or rule.get('record')}", rule["expr"]


def recorded_names() -> set[str]:
    """The series the recording rules make."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    """(where, expression) of every panel query and query variable of the dashboards."""
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                yield f"{path.name} {panel['title']!r}", target["expr"]
        for variable in board.get("templating", {}).get("list", []):
            query = variable.get("definition", "")
            inner = re.fullmatch(r"label_values\((\w+),\s*\w+\)", query)
            if inner:
                yield f"{path.name} ${variable['name']}", inner.group(1)
