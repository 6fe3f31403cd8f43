"""Document importer: .md, .txt, .html, .pdf and .docx files into passages with section paths."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from assistant.errors import InputError
from assistant.ingest.budget import UNLIMITED, BudgetClock, DocumentBudget
from assistant.ingest.markdown import markdown_lines
from assistant.ingest.records import DocumentRecord, PassageRecord, SourceBundle
from assistant.text import language_of
from assistant.ingest.textsplit import (
    MAX_CHARS,
    Block,
    Language,
    heading_rank,
    markdown_heading,
    normalize_lines,
    outline_blocks,
    pack_sections,
)

SUPPORTED = (".md", ".txt", ".html", ".htm", ".pdf", ".docx")
_TYPES = ".md, .txt, .html, .pdf, .docx"
TITLE_MAX_CHARS = 80
_FRONT_KEYS = ("title", "language", "url", "citation")
# python-docx reads every part of the archive into memory: a few KiB of zip can declare gigabytes (a zip bomb).
DOCX_MAX_UNPACKED = 256 * 1024 * 1024
DOCX_MAIN = "word/document.xml"
PDF_HEADER_WITHIN = 1024  # readers accept some bytes before %PDF-, as pypdf does


@dataclass
class _Parsed:
    """What a format reader found: blocks plus the metadata the format itself provides."""

    blocks: list[Block]
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def parse_documents(path: Path, *, name: str | None = None, version: str | None = None,
                    budget: DocumentBudget = UNLIMITED) -> SourceBundle:
    """Parse one document or a folder of them (recursively); one bad file fails the whole bundle, and so does one
    past the budget (BudgetExceededError: too large, or all of them taking too long)."""
    path = Path(path)
    if path.is_dir():
        keyed = [(f.relative_to(path).as_posix(), f) for f in _folder_files(path)]
        if not keyed:
            raise InputError(path, f"no documents found ({_TYPES})")
    elif path.is_file():
        if path.suffix.lower() not in SUPPORTED:
            raise InputError(path, f"unsupported document type '{path.suffix.lower()}' (expected {_TYPES})")
        keyed = [(path.name, path)]
    else:
        raise InputError(path, "no such file or directory")
    clock = budget.start()
    documents = [parse_document(file, key, clock) for key, file in keyed]
    digest = hashlib.sha256()
    for key, checksum in sorted((doc.key, doc.checksum) for doc in documents):
        digest.update(f"{key}\0{checksum}\n".encode())
    checksum = digest.hexdigest()
    return SourceBundle(
        name=name or (path.name if path.is_dir() else path.stem),
        kind="documents",
        version=version or checksum[:12],
        checksum=checksum,
        location=str(path.resolve()),
        documents=documents,
    )


def parse_document(path: Path, key: str, clock: BudgetClock | None = None) -> DocumentRecord:
    """Parse a single supported file into a DocumentRecord stored under `key`, within the clock's budget if given."""
    clock = clock or UNLIMITED.start()

    def check() -> None:
        clock.check_time(path)

    try:
        clock.check_size(path, path.stat().st_size)  # before reading: a file past the limit is never loaded
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        parsed = _read_pdf(path, data)
    elif suffix == ".docx":
        parsed = _read_docx(path, data)
    elif suffix in (".html", ".htm"):
        parsed = _read_html(path, decode_text(path, data))
    elif suffix == ".md":
        parsed = _read_markdown(path, decode_text(path, data), check)
    else:
        lines = decode_text(path, data).splitlines()
        parsed = _Parsed(outline_blocks(lines, heading_rank, check=check), _first_line(lines))
    check()
    if not any(rank is None for rank, _ in parsed.blocks):
        raise InputError(path, "no text found")
    meta = parsed.meta
    whole = "\n".join(text for _, text in parsed.blocks)
    language = cast(Language, meta.get("language") or language_of(whole))  # front matter allows zh|en only
    first_block = parsed.blocks[0][1].splitlines()[:1] if parsed.blocks else []
    title = meta.get("title") or parsed.title or _first_line(first_block) or path.stem
    return DocumentRecord(
        key=key,
        title=title,
        language=language,
        checksum=hashlib.sha256(data).hexdigest(),
        passages=tuple(
            PassageRecord(ordinal=n, text=text, section_path=section, language=language_of(text, language))
            for n, (section, text) in enumerate(pack_sections(parsed.blocks, MAX_CHARS.get(language, 800), check))
        ),
        url=meta.get("url"),
        citation=meta.get("citation"),
    )


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 for legacy Chinese files."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad = exc.start
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, bad) + 1
        raise InputError(path, "not valid UTF-8 or GB18030 text", line=line) from None


def _folder_files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            # '~$x.docx' are Word lock files, not documents; hidden files are not content.
            if not file.startswith((".", "~$")) and Path(file).suffix.lower() in SUPPORTED:
                found.append(Path(folder, file))
    return found


def _first_line(lines: Sequence[str]) -> str | None:
    """The first non-empty line as a title, without heading marks, if it is short enough."""
    line = next((line for line in lines if line.strip()), "")
    heading = markdown_heading(line)
    text = normalize_lines([heading[1] if heading else line])
    return text if 0 < len(text) <= TITLE_MAX_CHARS else None


def _read_markdown(path: Path, text: str, check: Callable[[], None] = lambda: None) -> _Parsed:
    lines = re.sub(r"<!--.*?-->", "", text, flags=re.S).splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            raise InputError(path, "front matter is not closed with '---'", line=1)
        meta = _front_matter(path, lines[1:end])
        lines = lines[end + 1 :]
    out, literal = markdown_lines(lines)
    check()
    blocks = outline_blocks(out, markdown_heading, literal, check=check)
    title = next((text for rank, text in blocks if rank == 1), None) or _first_line(out)
    return _Parsed(blocks, title, meta)


def _front_matter(path: Path, lines: Sequence[str]) -> dict[str, str]:
    """Flat 'key: value' lines; nested YAML (indented or list lines) is ignored."""
    meta: dict[str, str] = {}
    for number, line in enumerate(lines, start=2):
        if not line.strip() or line.lstrip().startswith(("#", "-")) or line[:1].isspace():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise InputError(path, "front matter line is not 'key: value'", line=number)
        key, value = key.strip().lower(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key == "language":
            match = re.fullmatch(r"(zh|en)(?:[-_]\w+)?", value, flags=re.I)
            if not match:
                raise InputError(path, f"unsupported language '{value}' (expected zh or en)", line=number, field=key)
            value = match.group(1).lower()
        if key in _FRONT_KEYS and value:
            meta[key] = value
    return meta


_HTML_DROP = ["script", "style", "nav", "noscript", "template", "head", "svg", "form"]
_HTML_BLOCKS = frozenset(
    "p div li ul ol dl dt dd table thead tbody tr td th section article main header footer aside "
    "blockquote pre figure figcaption caption address details summary hr body html".split()
)


# The format libraries are imported when first needed: they are slow to import and most
# callers of this module never see a PDF or DOCX.
def _read_html(path: Path, text: str) -> _Parsed:
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text().strip() if soup.title else ""
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if isinstance(canonical, Tag) else None
    for tag in soup(_HTML_DROP):
        tag.decompose()
    blocks: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        paragraph = normalize_lines("".join(buf).split("\n"))
        if paragraph:
            blocks.append((None, paragraph))
        buf.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                # Comments, doctypes and the like are NavigableString subclasses without text.
                if type(child) is NavigableString:
                    buf.append(str(child))
            elif child.name and re.fullmatch(r"h[1-6]", child.name):
                flush()
                heading = normalize_lines(child.get_text().split("\n"))
                if heading:
                    blocks.append((int(child.name[1]), heading))
            elif child.name == "br":
                buf.append("\n")
            elif child.name in _HTML_BLOCKS:
                flush()
                walk(child)
                flush()
            elif isinstance(child, Tag):
                walk(child)

    try:
        walk(soup)
    except RecursionError:
        raise InputError(path, "cannot read HTML: elements are nested too deeply") from None
    flush()
    title = title or next((t for rank, t in blocks if rank == 1), "")
    return _Parsed(blocks, normalize_lines([title]) or None, {"url": url} if isinstance(url, str) else {})


def _reason(exc: Exception) -> str:
    # KeyError's str() adds quotes; other parser errors read fine as they are.
    return str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc) or type(exc).__name__


def _docx_members(path: Path, data: bytes) -> set[str]:
    """The archive's member names, after refusing one that unpacks to more than python-docx should hold."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        return set()  # python-docx names the problem itself
    unpacked = sum(info.file_size for info in infos)  # zipfile never inflates a member past its declared size
    if unpacked > DOCX_MAX_UNPACKED:
        raise InputError(path, f"cannot read DOCX: it unpacks to {unpacked / 2**20:,.0f} MiB; "
                               f"the limit is {DOCX_MAX_UNPACKED // 2**20} MiB")
    return {info.filename for info in infos}


def _read_docx(path: Path, data: bytes) -> _Parsed:
    import docx
    from docx.table import Table

    members = _docx_members(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        core_title = (document.core_properties.title or "").strip()
        paragraphs = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                # Merged cells repeat across the grid; keep each cell once, in reading order.
                cells = {cell._tc: cell for row in item.rows for cell in row.cells}
                paragraphs.extend(p for cell in cells.values() for p in cell.paragraphs)
            else:
                paragraphs.append(item)
        styled = [(p.style.name if p.style is not None else "", p.text) for p in paragraphs]
    except Exception as exc:  # python-docx raises zip, XML and key errors on damaged files
        # A zip that is no Word file fails deep inside python-docx with a message about its internals.
        reason = f"not a Word document (no {DOCX_MAIN} in the archive)" if members and DOCX_MAIN not in members \
            else _reason(exc)
        raise InputError(path, f"cannot read DOCX: {reason}") from exc
    blocks: list[Block] = []
    for style, raw in styled:
        text = normalize_lines(raw.splitlines())
        if not text:
            continue
        level = re.fullmatch(r"(?:heading|标题)\s*([1-9])", style.strip(), flags=re.I)
        rank = 0 if style.strip().lower() == "title" else int(level.group(1)) if level else None
        blocks.append((rank, text))
    first_heading = next((t for rank, t in blocks if rank in (0, 1)), None)
    return _Parsed(blocks, core_title or first_heading)


def _read_pdf(path: Path, data: bytes) -> _Parsed:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:PDF_HEADER_WITHIN]:
        raise InputError(path, "cannot read PDF: not a PDF file (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the file is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many error types on damaged files
        # pypdf reads many files without %%EOF; when it cannot, a cut-off download is the likely cause.
        cut = "" if b"%%EOF" in data[-PDF_HEADER_WITHIN:] else "the file looks truncated (no %%EOF at its end): "
        raise InputError(path, f"cannot read PDF: {cut}{_reason(exc)}") from exc
    lines = [line for page in pages for line in page.splitlines()]
    outline = outline_blocks(lines, heading_rank)
    if any(rank is not None for rank, _ in outline):
        return _Parsed(outline, _first_line(lines))
    # Without numbered headings the page is the most useful place to point a reader to.
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        paragraphs = outline_blocks(page.splitlines(), lambda line: None)
        if paragraphs:
            blocks.append((0, f"p. {number}"))
            blocks.extend(paragraphs)
    return _Parsed(blocks, _first_line(lines))
