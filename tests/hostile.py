"""Hostile files for the ingestion tests (issue 20): `write_hostile(folder)` writes the regular
files (some broke a job or aborted `grace ingest` once; the rest are bombs, deep nesting, huge
numbers, surrogates, bad encodings, binary data under text extensions, fuzzed records) and
returns their names; `write_specials(folder, outside)` adds what is not a small regular file:
a 2 GB sparse file, symlinks out of the folder, a FIFO."""

from __future__ import annotations

import gzip
import io
import os
import random
import zipfile
from pathlib import Path

GOOD_CSV = "city_id,name,population\n" + "".join(
    f"h{i}-xx,City {i},{1000 + i}\n" for i in range(20)
)


def _deep_json(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def _deep_value(levels: int) -> bytes:
    value = "[" * levels + "1" + "]" * levels
    return f'[{{"city_id":"deep-1","name":"Deep","population":{value}}}]'.encode()


def _fuzzed(data: bytes, seed: int, flips: int) -> bytes:
    """`data` with `flips` bytes replaced by random ones (the same for the same seed)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable, not cryptographic
    mutable = bytearray(data)
    for _ in range(flips):
        mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return bytes(mutable)


def hostile_files() -> dict[str, bytes]:
    """File name -> content, for every hostile case."""
    rng = random.Random(20)  # noqa: S311 - repeatable, not cryptographic
    files = {
        "deep_array.json": _deep_json(100_000),
        "deep_value.json": _deep_value(900),
        "deep_value_shallow.json": _deep_value(200),
        "lone_surrogate.json": b'[{"city_id":"x","name":"\\ud800x"}]',
        "huge_number.json": b'[{"city_id":"n1","name":"N","population":' + b"1" * 100_000 + b"}]",
        "gzip_data.csv": gzip.compress(GOOD_CSV.encode() * 20),
        "empty.csv": b"",
        "binary.csv": bytes(rng.randrange(256) for _ in range(4096)),
        "deep.yaml": b"- " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        "deep_value.yaml": b"- city_id: y1\n  name: " + b"[" * 500 + b"]" * 500 + b"\n",
        "huge_number.yaml": b"- city_id: y2\n  population: " + b"7" * 100_000 + b"\n",
        "bad_utf8.csv": b"city_id,name\nb1,\xff\xfe\xfa\x80\x81\n",
        "bad_utf16.json": b"\xff\xfe" + b"\x00\xd8" * 10,
        "carriage_returns.csv": b'city_id,name\nc1,a\rb\r\nc2,"x\ry"\n',
        "name\nwith newline.csv": GOOD_CSV.encode(),
        os.fsdecode(b"bad\xffname.csv"): GOOD_CSV.encode(),
        "good.csv": GOOD_CSV.encode(),
        "up..\\..\\escape.csv": GOOD_CSV.encode(),  # a name starting with "." is hidden
        "dots...csv": GOOD_CSV.encode(),
        "-rf.csv": GOOD_CSV.encode(),
    }
    for seed in range(6):
        files[f"fuzzed_{seed}.csv"] = _fuzzed(GOOD_CSV.encode(), seed, 40)
        files[f"fuzzed_{seed}.json"] = _fuzzed(
            b'[{"city_id":"f1","name":"F","population":1}]' * 1, seed, 6
        )
    files.update(_bombs())
    files.update(_nesting())
    files.update(_numbers_and_text())
    files.update(_binary_under_text_names(rng))
    for seed in range(6, 46):
        files[f"fuzzed_{seed}.csv"] = _fuzzed(GOOD_CSV.encode(), seed, 40)
        files[f"fuzzed_{seed}.json"] = _fuzzed(
            b'[{"city_id":"f1","name":"F","population":1}]', seed, 6
        )
        files[f"fuzzed_{seed}.yaml"] = _fuzzed(b"- city_id: f2\n  name: G\n", seed, 4)
    return files


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
XML_BOMB = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{LAUGHS}]><lolz>&lol9;</lolz>'
YAML_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(9)
)


def _bombs() -> dict[str, bytes]:
    """Zip, XML and YAML bombs, and archives with entries that leave the folder."""
    zeros = b"\0" * (20 * 1024 * 1024)
    content_types = b'<?xml version="1.0"?><Types/>'
    files = {
        "zip_bomb.xlsx": _zip({"[Content_Types].xml": content_types, "xl/sheet1.xml": zeros}),
        "zip_bomb.docx": _zip({"[Content_Types].xml": content_types, "word/document.xml": zeros}),
        "zip_bomb.zip": _zip({"data.csv": zeros}),
        "zip_bomb.csv": _zip({"data.csv": zeros}),
        "zip_slip.xlsx": _zip({"[Content_Types].xml": content_types, "../../evil.xml": b"x"}),
        "zip_slip.docx": _zip({"[Content_Types].xml": content_types, "/etc/evil": b"x"}),
        "zip_many.xlsx": _zip({f"xl/{n}.xml": b"" for n in range(10_001)}),
        "zip_nested.zip": _zip({"inner.zip": _zip({"data.csv": zeros})}),
        "zip_truncated.xlsx": _zip({"xl/sheet1.xml": b"<a/>" * 1000})[:300],
        "xml_bomb.html": XML_BOMB.encode(),
        "xml_bomb.xml": XML_BOMB.encode(),
        "xml_bomb.md": XML_BOMB.encode(),
        "xml_bomb.docx": _zip(
            {"[Content_Types].xml": content_types, "word/document.xml": XML_BOMB.encode()}
        ),
        "xml_bomb.xlsx": _zip(
            {"[Content_Types].xml": content_types, "xl/workbook.xml": XML_BOMB.encode()}
        ),
        "xml_external.html": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><p>&e;</p>',
        "yaml_bomb.yaml": YAML_BOMB.encode(),
        "yaml_bomb_list.yaml": ("- " + YAML_BOMB.replace("\n", "\n  ")).encode(),
        "yaml_python_tag.yaml": b"- !!python/object/apply:os.system ['true']\n",
        "yaml_anchor_loop.yaml": b"- &a [*a]\n",
        "yaml_recursive_map.yaml": b"- &a {city_id: r1, self: *a}\n",
        "html_entities.html": (
            "<table><tr><th>city_id</th></tr>" + "<tr><td>&amp;</td></tr>" * 5000 + "</table>"
        ).encode(),
    }
    return files


def _nesting() -> dict[str, bytes]:
    """Deep nesting in every text format, at depths around and far past the limits."""
    files = {}
    for depth in (63, 65, 1_000, 20_000):
        files[f"deep_object_{depth}.json"] = ('{"a":' * depth + "1" + "}" * depth).encode()
        files[f"deep_list_{depth}.jsonl"] = ("[" * depth + "]" * depth + "\n").encode()
        files[f"deep_map_{depth}.yaml"] = ("a: {" * depth + "b: 1" + "}" * depth).encode()
        files[f"deep_divs_{depth}.html"] = ("<div>" * depth + "x" + "</div>" * depth).encode()
        files[f"deep_quotes_{depth}.md"] = ("> " * depth + "text\n").encode()
        files[f"deep_lists_{depth}.md"] = "".join(
            "  " * n + "- item\n" for n in range(min(depth, 300))
        ).encode()
    files["deep_table_cell.html"] = (
        "<table><tr><th>city_id</th><th>name</th></tr><tr><td>d1</td><td>"
        + "<table><tr><td>" * 5_000
        + "x"
        + "</td></tr></table>" * 5_000
        + "</td></tr></table>"
    ).encode()
    return files


def _numbers_and_text() -> dict[str, bytes]:
    """Huge numbers, lone surrogates and broken encodings."""
    digits = "9" * 100_000
    return {
        "huge_number.csv": f"city_id,name,population\nn2,N,{digits}\n".encode(),
        "huge_exponent.json": b'[{"city_id":"n3","name":"N","population":1e999999}]',
        "huge_negative.json": b'[{"city_id":"n4","name":"N","population":-' + b"9" * 5000 + b"}]",
        "huge_float.csv": b"city_id,name,area_km2\nn5,N,1e400\n",
        "nan.json": b'[{"city_id":"n6","name":"N","population":NaN}]',
        "infinity.json": b'[{"city_id":"n7","name":"N","population":Infinity}]',
        "huge_number.jsonl": b'{"city_id":"n8","population":' + b"1" * 50_000 + b"}\n",
        "surrogate_key.json": b'[{"city_\\udc00id":"s1","name":"S"}]',
        "surrogate_pair_split.json": b'[{"city_id":"s2","name":"\\ud83d"}]',
        "surrogate_low.jsonl": b'{"city_id":"s3","name":"\\udfff"}\n',
        "surrogate.yaml": b'- city_id: s4\n  name: "\\ud800"\n',
        "utf16_no_bom.csv": "city_id,name\nu1,Zoë\n".encode("utf-16-le"),
        "utf32_bom.csv": "city_id,name\nu2,Zoë\n".encode("utf-32"),
        "utf16_bom_odd.csv": b"\xff\xfe" + "city_id,name\n".encode("utf-16-le") + b"\x41",
        "shift_jis.csv": "city_id,name\nu3,東京\n".encode("shift_jis"),
        "truncated_utf8.csv": "city_id,name\nu4,Zoë\n".encode()[:-3],
        "overlong_utf8.csv": b"city_id,name\nu5,\xc0\xaf\n",
        "cesu8.csv": b"city_id,name\nu6,\xed\xa0\x80\n",
        "latin1_controls.csv": b"city_id,name\nu7,\x81\x8d\x8f\x90\x9d\n",
        "nul_in_text.csv": b"city_id,name\nu8,a\x00b\n",
        "bom_only.csv": b"\xef\xbb\xbf",
        "whitespace_only.csv": b" \n\t\n" * 100,
        "header_only.csv": b"city_id,name,population\n",
        "huge_field.csv": b"city_id,name\nu9," + b"x" * (2 * 1024 * 1024) + b"\n",
        "many_columns.csv": (",".join(f"c{n}" for n in range(20_000)) + "\n").encode(),
        "unclosed_quote.csv": b'city_id,name\nq1,"never closed\n' + b"x" * 10_000,
        "crlf_mixed.tsv": b"city_id\tname\r\nt1\tT\rt2\tU\n",
        "long_line.md": b"#" * 300_000,
    }


def _binary_under_text_names(rng: random.Random) -> dict[str, bytes]:
    """Binary data named as text: random bytes, images, PDFs, executables."""
    noise = bytes(rng.randrange(256) for _ in range(8192))
    files = {
        f"binary{extension}": noise for extension in (".json", ".yaml", ".md", ".html", ".tsv")
    }
    files.update(
        {
            "png.csv": b"\x89PNG\r\n\x1a\n" + noise[:512],
            "pdf.csv": b"%PDF-1.4\n" + noise[:512],
            "broken.pdf": b"%PDF-1.7\n1 0 obj << /Length 99999999 >> stream\n" + noise[:256],
            "elf.json": b"\x7fELF\x02\x01\x01" + noise[:512],
            "gzip.json": gzip.compress(b'[{"city_id":"g1"}]' * 100),
            "zip.md": _zip({"a.txt": b"hello"}),
            "sqlite.yaml": b"SQLite format 3\x00" + noise[:512],
            "nul_first.txt": b"\x00" * 64 + b"text",
        }
    )
    return files


def write_hostile(folder: Path) -> list[str]:
    """Write every hostile file into `folder`; returns their names (in `os.fsdecode` form)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in hostile_files().items():
        (folder / name).write_bytes(data)
    return sorted(hostile_files())


SPARSE_BYTES = 2 * 1024**3


def write_specials(folder: Path, outside: Path) -> dict[str, str]:
    """What is not a small regular file: a 2 GB sparse file (a regular file, failed as too
    large), symlinks to a file and a folder outside `folder`, a dangling symlink and a FIFO
    (skipped). Returns each name with what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.csv").write_text(GOOD_CSV, encoding="utf-8")
    with (folder / "sparse_2gb.csv").open("wb") as sparse:
        sparse.truncate(SPARSE_BYTES)
    (folder / "link_out.csv").symlink_to(outside / "secret.csv")
    (folder / "link_dir").symlink_to(outside, target_is_directory=True)
    (folder / "link_dangling.csv").symlink_to(outside / "missing.csv")
    os.mkfifo(folder / "fifo.csv")
    return {
        "sparse_2gb.csv": "regular",
        "link_out.csv": "symlink",
        "link_dir": "symlink",
        "link_dangling.csv": "symlink",
        "fifo.csv": "fifo",
    }
