"""Grace's Neo4j Browser style and the launcher arguments that load it, read the way Browser
reads them."""

from __future__ import annotations

import re

import pytest

from api.browser import GUIDE, STYLE, launcher_arguments, post_connect_commands
from graph.errors import ConfigurationError
from graph.settings import PROJECT_ROOT
from tests.browser_support import clean_html, host_is_allowed, parse_grass
from tests.browser_support import post_connect_commands as browser_commands

FOLDER = PROJECT_ROOT / "deploy" / "browser"
CAPTIONS = {
    "Source": {"name"},
    "Document": {"path", "version"},
    "Row": {"table", "key"},
    "Entity": {"key"},
    "Conflict": {"attribute"},
}
"""The captions issue 14 asks for: label -> properties the caption must show."""


def style() -> dict[str, dict[str, str]]:
    return parse_grass((FOLDER / STYLE).read_text("utf-8"))


def caption_properties(caption: str) -> set[str]:
    return set(re.findall(r"\{([^{}]*)\}", caption))


def test_every_label_of_the_issue_has_its_caption() -> None:
    rules = style()
    for label, properties in CAPTIONS.items():
        assert properties <= caption_properties(rules[f"node.{label}"]["caption"]), label


def test_no_caption_shows_a_trust_score_or_a_bare_value() -> None:
    captions = {name: rule["caption"] for name, rule in style().items() if "caption" in rule}
    assert not any("trust" in caption_properties(c) for c in captions.values())
    assert caption_properties(captions["node.Fact"]) == {"attribute", "value"}


def test_every_rule_survives_browsers_parser_whole() -> None:
    """Browser drops a declaration holding a second ':' and ends a value at ';'."""
    text = (FOLDER / STYLE).read_text("utf-8")
    declared = len(re.findall(r"^\s+[a-z-]+:", text, flags=re.M))
    assert sum(len(rule) for rule in style().values()) == declared
    assert all(re.fullmatch(r"(node|relationship)(\.[A-Z][A-Z_a-z]*)?", name) for name in style())


def test_each_label_has_its_own_colour() -> None:
    colours = [rule["color"] for name, rule in style().items() if name.startswith("node.")]
    assert len(colours) == len(set(colours))


def test_browser_shows_the_guide_as_written() -> None:
    html = (FOLDER / GUIDE).read_text("utf-8")
    assert clean_html(html) == html
    assert html.count("<slide") == 5


def test_on_connect_browser_loads_the_style_then_plays_the_guide() -> None:
    setting = post_connect_commands("http://127.0.0.1:8000/")
    assert browser_commands(setting) == [
        ":style http://127.0.0.1:8000/browser/grace.grass",
        ":play http://127.0.0.1:8000/browser/guide.html",
    ]


def test_the_launcher_allows_the_api_host_besides_browsers_own() -> None:
    arguments = launcher_arguments("http://127.0.0.1:8000")
    options = dict(zip(arguments[::2], arguments[1::2], strict=True))
    assert options["--browser-post-connect-cmd"] == post_connect_commands("http://127.0.0.1:8000")
    allowlist = options["--browser-allowlist"]
    assert allowlist == "guides.neo4j.com,localhost,127.0.0.1"
    assert host_is_allowed("http://127.0.0.1:8000/browser/grace.grass", allowlist)
    assert not host_is_allowed("http://127.0.0.1:8000/x", "guides.neo4j.com,localhost")
    assert launcher_arguments("http://localhost:9000")[3] == "guides.neo4j.com,localhost"


def test_an_api_url_without_a_host_is_refused_with_a_code() -> None:
    with pytest.raises(ConfigurationError) as refused:
        launcher_arguments("127.0.0.1:8000")
    assert refused.value.code == "configuration"
