// @vitest-environment jsdom
// The comment renderer mounted in a DOM with hostile text: what it builds holds no element
// that runs code, no event-handler attribute and no link but http(s); the text shows as typed.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import Markdown from "./Markdown.svelte";

const HOSTILE = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned = 1">',
  "[click](javascript:window.__pwned=1)",
  "[click](JAVASCRIPT:window.__pwned=1)",
  "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  '[q](https://a.example/" onclick="window.__pwned=1)',
  '**<svg onload="window.__pwned=1">**',
  "`</code><script>window.__pwned=1</script>`",
  "```\n<iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>\n```",
  "- <a href=\"javascript:window.__pwned=1\">x</a>\n- *<style>body{display:none}</style>*",
  "_<input autofocus onfocus=window.__pwned=1>_ @ann",
].join("\n\n");

const RUNS_CODE = "script, iframe, img, svg, style, object, embed, input, form, link, meta, base";
let target: HTMLElement;
let shown: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (shown) unmount(shown);
  shown = null;
  target.remove();
});

function render(text: string, mentions: string[] = []): HTMLElement {
  target = document.createElement("div");
  document.body.append(target);
  shown = mount(Markdown, { target, props: { text, mentions } });
  flushSync();
  return target;
}

describe("the comment renderer, given hostile text", () => {
  it("builds no element that runs code and no handler attribute", () => {
    const root = render(HOSTILE, ["ann"]);
    expect(root.querySelectorAll(RUNS_CODE)).toHaveLength(0);
    const attributes = [...root.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.name));
    expect(attributes.filter((name) => name.startsWith("on"))).toEqual([]);
    expect(attributes.filter((name) => !["class", "href", "rel", "target"].includes(name))).toEqual([]);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
  it("links only to http(s), and shows every other link as the text typed", () => {
    const root = render(HOSTILE);
    const links = [...root.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["https://a.example/%22%20onclick=%22window.__pwned=1"]);
    expect(links.every((a) => a.rel === "nofollow noopener noreferrer")).toBe(true);
    expect(root.textContent).toContain("[click](javascript:window.__pwned=1)");
    expect(root.textContent).toContain("[data](data:text/html;base64,");
  });
  it("shows markup as the characters typed", () => {
    const root = render(HOSTILE);
    const text = root.textContent ?? "";
    for (const typed of ["<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 1">', '<svg onload="window.__pwned=1">', "</code><script>window.__pwned=1</script>", '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>']) {
      expect(text).toContain(typed);
    }
  });
  it("renders the subset as elements", () => {
    const root = render("**bold** *em* `code` [site](https://example.org)\n\n- one\n- two\n\n1. first", ["ann"]);
    expect(root.querySelector("p strong")?.textContent).toBe("bold");
    expect(root.querySelector("p em")?.textContent).toBe("em");
    expect(root.querySelector("p code")?.textContent).toBe("code");
    expect(root.querySelector("a")?.getAttribute("href")).toBe("https://example.org/");
    expect([...root.querySelectorAll("ul li")].map((li) => li.textContent)).toEqual(["one", "two"]);
    expect(root.querySelector("ol li")?.textContent).toBe("first");
  });
});
