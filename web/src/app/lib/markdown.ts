// The Markdown a comment may use, read into a tree of plain values that `Markdown.svelte`
// renders as elements and text nodes: nothing of the text is ever parsed as HTML, so markup
// in it shows as the characters typed. The subset: paragraphs (line breaks kept), lists
// (`-`, `*`, `+` or `1.`), fenced code blocks, inline code, emphasis (`*a*`, `_a_`), strong
// (`**a**`, `__a__`), links `[words](http(s)://...)` (any other scheme stays text) and
// backslash escapes. `@user` mentions the API resolved are picked out of the text.
import { segments } from "./threads";

export type Inline =
  | { kind: "text"; text: string }
  | { kind: "mention"; user: string }
  | { kind: "code"; text: string }
  | { kind: "em" | "strong"; children: Inline[] }
  | { kind: "link"; href: string; children: Inline[] };

export type Block =
  | { kind: "paragraph"; children: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] }
  | { kind: "code"; text: string };

/** The address a link may open: an absolute http(s) URL, normalised; null for anything else
 * (`javascript:`, `data:`, relative paths, text that is no URL). */
export function safeHref(target: string): string | null {
  let url: URL;
  try {
    url = new URL(target.trim());
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
}

const ITEM = /^ {0,3}(?:([-*+])|(\d{1,9})[.)])[ \t]+(.*)$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The blocks of `text`, each inline run read with `mentions` (the users the API resolved). */
export function parse(text: string, mentions: readonly string[] = []): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let at = 0;
  const inline = (source: string): Inline[] => parseInline(source, mentions);
  while (at < lines.length) {
    const line = lines[at] ?? "";
    const fence = FENCE.exec(line);
    if (line.trim() === "") {
      at += 1;
    } else if (fence) {
      const close = fence[1] ?? "```";
      const body: string[] = [];
      at += 1;
      while (at < lines.length && !(lines[at] ?? "").trimStart().startsWith(close)) body.push(lines[at++] ?? "");
      at += 1; // the closing fence (or the end)
      blocks.push({ kind: "code", text: body.join("\n") });
    } else if (ITEM.test(line)) {
      const ordered = ITEM.exec(line)?.[2] !== undefined;
      const items: string[] = [];
      while (at < lines.length) {
        const item = ITEM.exec(lines[at] ?? "");
        if (item && (item[2] !== undefined) === ordered) items.push(item[3] ?? "");
        else if (items.length && /^\s{2,}\S/.test(lines[at] ?? "")) items[items.length - 1] += `\n${(lines[at] ?? "").trim()}`;
        else break;
        at += 1;
      }
      blocks.push({ kind: "list", ordered, items: items.map(inline) });
    } else {
      const body: string[] = [];
      while (at < lines.length && (lines[at] ?? "").trim() !== "" && !FENCE.test(lines[at] ?? "") && !ITEM.test(lines[at] ?? "")) {
        body.push(lines[at++] ?? "");
      }
      blocks.push({ kind: "paragraph", children: inline(body.join("\n")) });
    }
  }
  return blocks;
}

const ESCAPABLE = new Set("\\`*_[]()#+-.!@~>|");
const WORD = /[\p{L}\p{N}]/u;

/** The inline tree of one run of text. */
export function parseInline(source: string, mentions: readonly string[] = []): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = (): void => {
    if (text) out.push(...withMentions(text, mentions));
    text = "";
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (c === "\\" && ESCAPABLE.has(source[i + 1] ?? "")) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    const found = c === "`" ? code(source, i) : c === "*" || c === "_" ? emphasis(source, i, mentions) : c === "[" ? link(source, i, mentions) : null;
    if (found) {
      flush();
      out.push(found.node);
      i = found.end;
    } else {
      text += c;
      i += 1;
    }
  }
  flush();
  return out;
}

interface Found {
  node: Inline;
  end: number;
}

function code(source: string, start: number): Found | null {
  let ticks = 0;
  while (source[start + ticks] === "`") ticks += 1;
  const fence = "`".repeat(ticks);
  const close = source.indexOf(fence, start + ticks);
  if (close < 0) return null;
  return { node: { kind: "code", text: source.slice(start + ticks, close) }, end: close + ticks };
}

function emphasis(source: string, start: number, mentions: readonly string[]): Found | null {
  const mark = source[start] ?? "";
  const strong = source[start + 1] === mark;
  const delimiter = strong ? mark + mark : mark;
  const open = start + delimiter.length;
  if (/\s/.test(source[open] ?? " ")) return null;
  if (mark === "_" && WORD.test(source[start - 1] ?? "")) return null; // snake_case
  let close = source.indexOf(delimiter, open + 1);
  while (close >= 0) {
    const fits = !/\s/.test(source[close - 1] ?? " ") && !(mark === "_" && WORD.test(source[close + delimiter.length] ?? ""));
    if (fits && !(strong === false && source[close + 1] === mark)) break;
    close = source.indexOf(delimiter, close + 1);
  }
  if (close < 0) return null;
  const children = parseInline(source.slice(open, close), mentions);
  return { node: { kind: strong ? "strong" : "em", children }, end: close + delimiter.length };
}

function link(source: string, start: number, mentions: readonly string[]): Found | null {
  const label = source.indexOf("](", start);
  if (label < 0 || source.slice(start + 1, label).includes("[")) return null;
  const close = source.indexOf(")", label + 2);
  if (close < 0) return null;
  const href = safeHref(source.slice(label + 2, close));
  if (href === null) return null; // shown as typed
  const children = parseInline(source.slice(start + 1, label), mentions);
  return { node: { kind: "link", href, children }, end: close + 1 };
}

function withMentions(text: string, mentions: readonly string[]): Inline[] {
  return segments(text, mentions).map((s) => (s.mention ? { kind: "mention", user: s.mention } : { kind: "text", text: s.text }));
}
