"""Design citations point at documents and sections that exist.

Code and docs cite the design as `docs/<name>.md §N` (optionally followed by a quoted heading).
Every cited document must be in the repository, every cited section must be a numbered heading
of it, and a design document is never named without its `docs/` folder.
"""

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DOC_REF = re.compile(r"\bdocs/[\w./-]*?\w\.md\b")
SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)")
TITLE = re.compile(r'^,?\s+"([^"]+)"')
# A design document's name with no folder before it (a markdown link inside docs/ is relative).
BARE = re.compile(r"(?<![\w/.-])(?<!\]\()(science|architecture|operations)\.md\b")
HEADING = re.compile(r"^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?\s+)?(.+?)\s*$", re.M)


# This file shows the checker broken citations on purpose.
SELF = Path(__file__).resolve().relative_to(ROOT).as_posix()


def repository_files() -> list[str]:
    """Tracked files plus new ones not ignored (a new document counts before its commit)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = {p for p in listed.split("\0") if p and not p.startswith(".venv/")}
    return sorted(files - {SELF})


def text_of(path: str) -> str | None:
    file = ROOT / path
    if not file.is_file():
        return None  # listed but deleted in the work tree
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # binary (icons, Parquet fixtures)


@cache
def headings(doc: str) -> tuple[frozenset[str], frozenset[str]]:
    """(section numbers, heading titles in lower case) of a document."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    numbers, titles = set(), set()
    for number, title in HEADING.findall(text):
        if number:
            numbers.add(number)
        titles.add(title.lower())
    return frozenset(numbers), frozenset(titles)


def citation_problems(path: str, text: str) -> list[str]:
    problems = []
    own_doc = path if path.startswith("docs/") and path.endswith(".md") else None
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{number}"
        refs = list(DOC_REF.finditer(line))
        for found in BARE.finditer(line):
            problems.append(f"{where}: cites {found.group()!r} without its folder, docs/")
        # Sections before the first reference belong to the document itself (inside docs/).
        first = refs[0].start() if refs else len(line)
        spans = [(own_doc, line[:first])]
        for i, ref in enumerate(refs):
            end = refs[i + 1].start() if i + 1 < len(refs) else len(line)
            spans.append((ref.group(), line[ref.end() : end]))
        for doc, tail in spans:
            sections = SECTION.findall(tail)
            if doc is None:
                problems.extend(f"{where}: §{s} names no docs/….md" for s in sections)
                continue
            if not (ROOT / doc).is_file():
                problems.append(f"{where}: cites {doc}, which the repository does not have")
                continue
            numbers, titles = headings(doc)
            problems.extend(f"{where}: {doc} has no §{s}" for s in sections if s not in numbers)
            title = TITLE.match(tail) if doc != own_doc else None
            if title and not any(title.group(1).lower() in t for t in titles):
                problems.append(f"{where}: {doc} has no heading {title.group(1)!r}")
    return problems


def test_every_design_citation_resolves():
    problems = []
    for path in repository_files():
        text = text_of(path)
        if text is not None:
            problems.extend(citation_problems(path, text))
    assert not problems, "\n".join(problems)


def test_the_design_documents_are_there_with_numbered_sections():
    for name in ("science.md", "architecture.md"):
        numbers, _ = headings(f"docs/{name}")
        assert {"1", "2", "3", "4", "5"} <= numbers, name


def test_the_checker_catches_each_kind_of_broken_citation():
    bad = {
        # Split so that no search of the tree for cited documents finds this one.
        "missing document": "see docs/nowhere" + ".md",
        "missing section": "(docs/science.md §99)",
        "missing subsection": "(docs/science.md §1.99)",
        "second section missing": "(docs/science.md §1 and §98)",
        "missing heading": 'docs/architecture.md, "No such heading"',
        "bare science": "(science.md §1)",
        "bare architecture": 'architecture.md, "Offline sync protocol"',
        "section without a document": "see §2",
    }
    for kind, line in bad.items():
        assert citation_problems("api/example.py", line), kind
    good = [
        "docs/science.md §1 and §2.4; docs/architecture.md §4; docs/science.md",
        'DOCS = ["docs/science.md", "docs/architecture.md"]',
        'docs/architecture.md, "Offline sync protocol"',
    ]
    for line in good:
        assert citation_problems("api/example.py", line) == [], line
    assert citation_problems("docs/science.md", "as in §3.2") == []
