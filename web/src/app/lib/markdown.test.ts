import { describe, expect, it } from "vitest";
import { parse, parseInline, safeHref } from "./markdown";

describe("comment Markdown", () => {
  it("reads emphasis, strong, code and http(s) links", () => {
    expect(parseInline("a *b* **c** _d_ __e__ `f*g*`")).toEqual([
      { kind: "text", text: "a " }, { kind: "em", children: [{ kind: "text", text: "b" }] },
      { kind: "text", text: " " }, { kind: "strong", children: [{ kind: "text", text: "c" }] },
      { kind: "text", text: " " }, { kind: "em", children: [{ kind: "text", text: "d" }] },
      { kind: "text", text: " " }, { kind: "strong", children: [{ kind: "text", text: "e" }] },
      { kind: "text", text: " " }, { kind: "code", text: "f*g*" },
    ]);
    expect(parseInline("see [the *registry*](https://example.org/a?b=1)")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", href: "https://example.org/a?b=1", children: [{ kind: "text", text: "the " }, { kind: "em", children: [{ kind: "text", text: "registry" }] }] },
    ]);
  });
  it("keeps as text what is no markup: snake_case, lone stars, escapes, unclosed marks", () => {
    for (const text of ["city_id and area_km2", "2 * 3 * 4", "\\*not em\\*", "*open", "`open", "[a](b"]) {
      const out = parseInline(text);
      expect(out.every((n) => n.kind === "text")).toBe(true);
      expect(out.map((n) => (n.kind === "text" ? n.text : "")).join("")).toBe(text.replace(/\\(.)/g, "$1"));
    }
  });
  it("opens links to http(s) only; any other scheme stays the text typed", () => {
    expect(safeHref("http://a.example/x")).toBe("http://a.example/x");
    for (const target of ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "/relative", "//evil.example", "file:///etc/passwd"]) {
      expect(safeHref(target), target).toBeNull();
      expect(parseInline(`[x](${target})`).some((n) => n.kind === "link"), target).toBe(false);
    }
    // a quote cannot leave the attribute: the address is the URL parser's, percent-encoded
    expect(safeHref('https://a.example/"onmouseover="alert(1)')).toBe("https://a.example/%22onmouseover=%22alert(1)");
  });
  it("reads paragraphs, lists and fenced code blocks", () => {
    expect(parse("one\ntwo\n\n- a\n- *b*\n\n1. x\n2) y\n\n```\n<b>raw</b>\n```")).toEqual([
      { kind: "paragraph", children: [{ kind: "text", text: "one\ntwo" }] },
      { kind: "list", ordered: false, items: [[{ kind: "text", text: "a" }], [{ kind: "em", children: [{ kind: "text", text: "b" }] }]] },
      { kind: "list", ordered: true, items: [[{ kind: "text", text: "x" }], [{ kind: "text", text: "y" }]] },
      { kind: "code", text: "<b>raw</b>" },
    ]);
  });
  it("picks out the mentions the API resolved, and only those", () => {
    expect(parseInline("hi @ann and @bob", ["ann"])).toEqual([
      { kind: "text", text: "hi " }, { kind: "mention", user: "ann" }, { kind: "text", text: " and @bob" },
    ]);
  });
});
