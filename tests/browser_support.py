"""Neo4j Browser 5.24's own handling of what Grace gives it, ported line for line from its
bundle (`neo4j-browser-5.24.0.jar`, `browser/app-*.js`) so that tests read Grace's files
and links the way Browser does."""

from __future__ import annotations

import re
from urllib.parse import unquote

HOSTILE_KEYS = [  # entity keys a link must carry intact
    "lyon-fr",
    "o'hara-ie",
    "x' }) DETACH DELETE e //",
    'back\\slash"double',
    "a&cmd=play&arg=https://evil.example#frag",
    "$param => 1; MATCH (n) DETACH DELETE n",
    "50%25+plus 100%",
    "line\nbreak\ttab\r\u2028",
    "Zürich-ch ☃ 𝄞",
    "\\u0027 \\\\u0041 \\",
    '"double" \\\'',
]
"""Keys that would break out of a naive literal or out of Browser's address parsing."""


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Browser's `parseGrass` for a GRASS (not JSON) text: selector -> property -> value."""
    in_string = in_body = nested = False
    selector = body = ""
    rules: dict[str, str] = {}
    for character in text:
        handled = True
        if character == "{":
            if in_string:
                handled = False
            elif in_body:
                nested = True
            else:
                in_body = True
        elif character == "}":
            if in_string:
                handled = False
            elif nested:
                nested = False
            else:
                in_body = False
                rules[selector] = body
                selector = body = ""
        elif character in "'\"":
            in_string = not in_string
        else:
            handled = False
        if not handled:
            if in_body:
                body += character
            elif not character.isspace():
                selector += character
    parsed: dict[str, dict[str, str]] = {}
    for name, declarations in rules.items():
        parsed[name] = {}
        for declaration in declarations.split(";"):
            parts = declaration.split(":")
            if len(parts) == 2:
                parsed[name][parts[0].strip()] = parts[1].strip()
    return parsed


def editor_content(url: str) -> str:
    """What Browser puts in its editor for `?cmd=edit&arg=...` (`populateEditorFromUrlEpic`):
    `+` read as a space, the whole address decoded once, each `arg` cut at `&` or `#`."""
    decoded = unquote(url.replace("+", " "), errors="strict")
    return "\n".join(value for value in re.findall(r"[?&]arg=([^&#]*)", decoded) if value)


def post_connect_commands(setting: str) -> list[str]:
    """Browser's `extractPostConnectCommandsFromServerConfig`: `;` separates commands
    (not inside quotes); each runs as `:` + command."""
    protected = setting
    for quoted in (r"(`[^`]*?`)", r'("[^"]*?")', r"('[^']*?')"):
        protected = re.sub(quoted, lambda m: m.group(0).replace(";", "@@semicolon@@"), protected)
    commands = [c.strip().replace("@@semicolon@@", ";") for c in protected.split(";")]
    return [":" + command for command in commands if command]


def host_is_allowed(url: str, allowlist: str) -> bool:
    """Browser's `hostIsAllowed` for an http(s) URL."""
    if allowlist == "*":
        return True
    match = re.match(r"^(https?:)//([^/:?#]+)", url)
    if match is None:
        return False
    protocol, host = match.groups()
    allowed = [entry.strip().rstrip("/") for entry in allowlist.split(",")]
    return host in allowed or f"{protocol}//{host}" in allowed


def clean_html(html: str) -> str:
    """Browser's `cleanHtml`, run on a remote guide before it is shown."""
    html = re.sub(
        r"(\s+(on[^\s=]+)[^\s=]*\s*=\s*(\"[^\"]*\"|'[^']*'|[\w\-.:]+\s*))", "", html, flags=re.I
    )
    html = re.sub(r"<script\b[^<]*(?:(?!</script>)<[^<]*)*(</script>)?", "", html, flags=re.I)
    html = re.sub(r'href=".*javascript:[^"]*"', 'href=""', html, count=1)
    return re.sub(r"href='.*javascript:[^']*'", "href=''", html, count=1)
