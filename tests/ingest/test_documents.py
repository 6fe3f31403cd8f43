"""Table-driven tests for the document importer (fixtures are generated into tmp_path)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from assistant.errors import InputError
from assistant.ingest.documents import parse_documents
from assistant.ingest.textsplit import MAX_CHARS, SENTENCE_END

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per entry, one page per list."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        stream = "\n".join(["BT /F1 12 Tf 14 TL 72 720 Td", *(f"({line}) Tj T*" for line in lines), "ET"]).encode()
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R " % (5 + 2 * i))
        objects[-1] += b"/Resources << /Font << /F1 3 0 R >> >> >>"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref, size = len(out), len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n%s" % (size, b"".join(b"%010d 00000 n \n" % o for o in offsets))
    return bytes(out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


def write_docx(path: Path, *, core_title: str = "") -> None:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("学徒制指南", style="Title")
    document.add_heading("第一部分 概述", level=1)
    document.add_paragraph("学徒制结合工作\n与学习。")
    document.add_heading("工资", level=2)
    document.add_paragraph("学徒领取工资。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "期限"
    table.cell(0, 1).text = "两年"
    document.save(str(path))


def blank_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.write(str(path))


MARKDOWN = """---
title: 学徒制问答
language: zh-CN
url: https://example.org/qa
citation: "示例来源, 2024"
tags:
  - ignored
---
# 学徒制

学徒制是一种
结合工作与学习的培训方式。

## 工资

- 学徒领取工资
- 企业获得补贴

```
# 不是标题
```

Setext
------

正文 **加粗** 与 [链接](https://example.org)。<!-- 注释 -->
"""

HTML = """<!DOCTYPE html><html><head><title>Apprenticeship FAQ</title>
<style>p { color: red }</style><link rel="canonical" href="https://example.org/faq"></head>
<body><nav>Home | About</nav><h1>FAQ</h1><p>Apprentices are paid. They learn on the job.</p>
<h2>Duration</h2><p>Most programmes last<br>two to four
years.</p><script>var x = 1;</script><div><p>学徒制
结合工作与学习。</p>Loose <b>text</b>.</div><!-- hidden --></body></html>"""

TXT = "\n".join(
    ["关于学徒制的管理办法", "", "第一章 总则", "", "第一条 为了规范学徒制培训，", "制定本办法。", "", "第二条 本办法适用于企业。"]
    + ["", "第二章 待遇", "一、工资", "（一）标准", "学徒工资不低于最低工资标准。", "（二）发放", "按月发放。"]
)

Expected = list[tuple[tuple[str, ...], str]]
Meta = tuple[str, str, "str | None", "str | None"]  # title, language, url, citation


@pytest.mark.parametrize(
    ("name", "content", "meta", "passages"),
    [
        (
            "qa.md",
            MARKDOWN,
            ("学徒制问答", "zh", "https://example.org/qa", "示例来源, 2024"),
            [
                (("学徒制",), "学徒制是一种结合工作与学习的培训方式。"),
                (("学徒制", "工资"), "学徒领取工资\n企业获得补贴\n# 不是标题"),
                (("学徒制", "Setext"), "正文 加粗 与 链接。"),
            ],
        ),
        (
            "plain.md",
            "Intro line.\n\n# Guide\n\nApprentices learn. They earn.\n",
            ("Guide", "en", None, None),
            [((), "Intro line."), (("Guide",), "Apprentices learn. They earn.")],
        ),
        (
            "faq.html",
            HTML,
            ("Apprenticeship FAQ", "en", "https://example.org/faq", None),
            [
                (("FAQ",), "Apprentices are paid. They learn on the job."),
                (("FAQ", "Duration"), "Most programmes last two to four years.\n学徒制结合工作与学习。\nLoose text."),
            ],
        ),
        (
            "rules.txt",
            TXT,
            ("关于学徒制的管理办法", "zh", None, None),
            [
                ((), "关于学徒制的管理办法"),
                (("第一章 总则",), "第一条 为了规范学徒制培训，制定本办法。\n第二条 本办法适用于企业。"),
                (("第二章 待遇", "一、工资", "（一）标准"), "学徒工资不低于最低工资标准。"),
                (("第二章 待遇", "一、工资", "（二）发放"), "按月发放。"),
            ],
        ),
        ("bom.txt", "\ufeffGuide\nfor   apprentices.\n", ("Guide", "en", None, None), [((), "Guide for apprentices.")]),
        ("g.b.txt", "一、总则\n学徒制。\n".encode("gb18030"), ("一、总则", "zh", None, None), [(("一、总则",), "学徒制。")]),
    ],
)
def test_text_formats(tmp_path: Path, name: str, content: str | bytes, meta: Meta, passages: Expected) -> None:
    (tmp_path / name).write_bytes(content.encode() if isinstance(content, str) else content)
    bundle = parse_documents(tmp_path / name)
    (doc,) = bundle.documents
    assert (bundle.name, doc.key) == (Path(name).stem, name)  # a single file: its stem, its file name
    assert (doc.title, doc.language, doc.url, doc.citation) == meta
    assert [(p.section_path, p.text) for p in doc.passages] == passages
    assert [p.ordinal for p in doc.passages] == list(range(len(passages)))


def test_passage_language_is_detected_per_passage(tmp_path: Path) -> None:
    text = "# 指南\n\n学徒制结合工作与学习。\n\n## English\n\nApprentices earn a wage.\n"
    (tmp_path / "mixed.md").write_text(text, encoding="utf-8")
    (doc,) = parse_documents(tmp_path / "mixed.md").documents
    assert doc.language == "zh"
    assert [p.language for p in doc.passages] == ["zh", "en"]


@pytest.mark.parametrize(("core_title", "title"), [("Apprenticeship guide", "Apprenticeship guide"), ("", "学徒制指南")])
def test_docx(tmp_path: Path, core_title: str, title: str) -> None:
    write_docx(tmp_path / "guide.docx", core_title=core_title)
    (doc,) = parse_documents(tmp_path / "guide.docx").documents
    assert (doc.title, doc.language) == (title, "zh")
    assert [(p.section_path, p.text) for p in doc.passages] == [
        (("学徒制指南", "第一部分 概述"), "学徒制结合工作与学习。"),
        (("学徒制指南", "第一部分 概述", "工资"), "学徒领取工资。\n期限\n两年"),
    ]


@pytest.mark.parametrize(
    ("pages", "title", "passages"),
    [
        (
            [["Apprenticeships pay", "and train."], ["They last two years."]],
            "Apprenticeships pay",
            [(("p. 1",), "Apprenticeships pay and train."), (("p. 2",), "They last two years.")],
        ),
        (
            [["1. Scope", "It covers apprentices.", "2. Pay"], ["Apprentices receive", "a wage."]],
            "1. Scope",
            [(("1. Scope",), "It covers apprentices."), (("2. Pay",), "Apprentices receive a wage.")],
        ),
    ],
)
def test_pdf(tmp_path: Path, pages: list[list[str]], title: str, passages: Expected) -> None:
    (tmp_path / "policy.pdf").write_bytes(make_pdf(pages))
    (doc,) = parse_documents(tmp_path / "policy.pdf").documents
    assert (doc.title, doc.language) == (title, "en")
    assert [(p.section_path, p.text) for p in doc.passages] == passages


def test_long_text_is_split_within_the_limit(tmp_path: Path) -> None:
    paragraph = "".join(f"第{n}句话讲的是学徒制培训的一个方面。" for n in range(60))
    (tmp_path / "long.txt").write_text(f"一、总则\n{paragraph}\n", encoding="utf-8")
    (doc,) = parse_documents(tmp_path / "long.txt").documents
    assert len(doc.passages) > 3
    assert all(len(p.text) <= MAX_CHARS["zh"] and p.text.endswith("。") for p in doc.passages)
    assert "".join(p.text for p in doc.passages) == paragraph


def test_folder_bundle(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.md").write_text("# A\n\nText a.\n", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("Text b.\n", encoding="utf-8")
    write_docx(root / "sub" / "c.docx")
    for skipped in (".hidden/d.md", ".e.md", "notes.csv", "sub/~$c.docx"):
        (root / skipped).write_bytes(b"not read\n")
    bundle = parse_documents(root)
    assert [doc.key for doc in bundle.documents] == ["a.md", "sub/b.txt", "sub/c.docx"]
    assert (bundle.name, bundle.kind, bundle.location) == ("docs", "documents", str(root.resolve()))
    assert bundle.version == bundle.checksum[:12]
    assert bundle.documents[0].checksum == hashlib.sha256((root / "a.md").read_bytes()).hexdigest()
    again = parse_documents(root, name="policy", version="2024-01")
    assert (again.name, again.version, again.checksum) == ("policy", "2024-01", bundle.checksum)
    (root / "sub" / "b.txt").write_bytes(b"Text b, changed.\n")
    assert parse_documents(root).checksum != bundle.checksum


Files = dict[str, "bytes | Callable[[Path], None] | None"]  # None: the path is left absent
BAD_TEXT = "not valid UTF-8 or GB18030 text"
NO_TEXT = "no text found"
TYPES = "(expected .md, .txt, .html, .pdf, .docx)"
LANGS = "(expected zh or en)"
NO_DOCS = "no documents found (.md, .txt, .html, .pdf, .docx)"


@pytest.mark.parametrize(
    ("files", "target", "bad_file", "line", "field", "message"),
    [
        ({"bad.txt": b"ok\nline two\n\xff\xfe bad\n"}, "bad.txt", "bad.txt", 3, None, BAD_TEXT),
        ({"bad.md": b"\xc3\x28 broken\n"}, "bad.md", "bad.md", 1, None, BAD_TEXT),
        ({"empty.txt": b"  \n\n\t\n"}, "empty.txt", "empty.txt", None, None, NO_TEXT),
        ({"heading.md": b"# Only a heading\n"}, "heading.md", "heading.md", None, None, NO_TEXT),
        ({"blank.html": b"<html><script>x()</script></html>"}, "blank.html", "blank.html", None, None, NO_TEXT),
        ({"blank.pdf": blank_pdf}, "blank.pdf", "blank.pdf", None, None, NO_TEXT),
        ({"bad.docx": b"not a zip"}, "bad.docx", "bad.docx", None, None, "cannot read DOCX: File is not a zip file"),
        ({"n.xyz": b"x"}, "n.xyz", "n.xyz", None, None, f"unsupported document type '.xyz' {TYPES}"),
        ({"o.md": b"---\ntitle: x\n\nbody\n"}, "o.md", "o.md", 1, None, "front matter is not closed with '---'"),
        ({"k.md": b"---\ntitle x\n---\nbody\n"}, "k.md", "k.md", 2, None, "front matter line is not 'key: value'"),
        ({"l.md": b"---\nlanguage: fr\n---\nx\n"}, "l.md", "l.md", 2, "language", f"unsupported language 'fr' {LANGS}"),
        ({"d/n.csv": b"a\n", "d/.h.md": b"x\n", "d/.git/x.md": b"x\n"}, "d", "d", None, None, NO_DOCS),
        ({"d/ok.md": b"fine\n", "d/sub/bad.txt": b"\xff"}, "d", "d/sub/bad.txt", 1, None, BAD_TEXT),
        ({"absent": None}, "absent", "absent", None, None, "no such file or directory"),
    ],
)
def test_errors(
    tmp_path: Path, files: Files, target: str, bad_file: str, line: int | None, field: str | None, message: str
) -> None:
    for name, data in files.items():
        (path := tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if callable(data):
            data(path)
        elif data is not None:
            path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        parse_documents(tmp_path / target)
    got = caught.value
    assert (got.file, got.line, got.field, got.reason) == (str(tmp_path / bad_file), line, field, message)


@pytest.mark.parametrize(
    ("name", "data", "prefix"),
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<<", "cannot read PDF: "),
        ("garbage.pdf", b"garbage", "cannot read PDF: "),
        ("truncated.docx", b"PK\x03\x04 truncated", "cannot read DOCX: "),
    ],
)
def test_corrupt_binary_files(tmp_path: Path, name: str, data: bytes, prefix: str) -> None:
    (tmp_path / "ok.md").write_text("fine\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / name).write_bytes(data)
    with pytest.raises(InputError) as caught:
        parse_documents(tmp_path)  # one bad file fails the whole folder
    assert caught.value.file == str(tmp_path / "sub" / name)
    assert caught.value.reason.startswith(prefix)  # the rest is the parser library's own wording


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)  # compare text regardless of wrapping and spacing


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
def test_seed_documents() -> None:
    bundle = parse_documents(SEEDS)
    assert len(bundle.documents) == 2
    for doc in bundle.documents:
        raw = (SEEDS / doc.key).read_text(encoding="utf-8")
        lines = [line.strip() for line in raw.splitlines()]
        # Blank-line paragraphs of the source, whitespace and bullet markers removed.
        paragraphs = [_compact(re.sub(r"(?m)^\s*- ", "", p)) for p in re.split(r"\n\s*\n", raw)]
        source = "".join(paragraphs)
        assert doc.language == "zh"
        assert len(doc.passages) >= 15
        headings = {element for p in doc.passages for element in p.section_path}
        assert len(headings) >= 4
        # Every section path element is a heading line of the source ('#' markers removed).
        assert headings <= {re.sub(r"^#+\s*", "", line) for line in lines}
        # Mostly Chinese; a logo block of English names may rightly come out as English.
        assert sum(p.language == "zh" for p in doc.passages) >= 0.9 * len(doc.passages)
        for passage in doc.passages:
            assert 0 < len(passage.text) <= MAX_CHARS["zh"]
            # No text is invented or reordered: a passage is a contiguous piece of the source.
            assert _compact(passage.text) in source
            # A passage stops mid-sentence only where the source paragraph itself stopped.
            if passage.text.rstrip("」”’）)》")[-1] not in SENTENCE_END:
                tail = _compact(passage.text)[-8:]
                assert any(p.endswith(tail) for p in paragraphs), passage.text
    resolution = next(d for d in bundle.documents if "ilc109" in d.key)
    source_lines = (SEEDS / resolution.key).read_text(encoding="utf-8").splitlines()
    roman = {line.strip() for line in source_lines if re.match(r"^[IV]+\. ", line)}
    assert len(roman) == 4
    assert roman <= {p.section_path[0] for p in resolution.passages if p.section_path}
