"""Cleaning of real web text: boilerplate lines out, quotes and dashes normalised."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

__all__ = ["clean_text", "html_to_text"]

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2026": "...",
    }
)

# GBK mojibake of typographic punctuation ("¡¯" for a right single quote), longest first.
_MOJIBAKE = (
    ("\u00a1\u00ad", "..."),
    ("\u00a1\u00af", "'"),
    ("\u00a1\u00ae", "'"),
    ("\u00a1\u00b0", '"'),
    ("\u00a1\u00b1", '"'),
    ("\u00a1\u00ea", "\u00a3"),
    ("\u00a1\u00aa", "-"),
    ("\u00a8C", "-"),
)

# A line is boilerplate when it is one of these (matched on the whole stripped line, any case).
_BOILERPLATE = (
    r"read more\b.*",
    r"continue reading\b.*",
    r"(see|watch) also\b.*",
    r"related( stories| articles)?:?.*",
    r"(take|answer) (our|the|this) (short )?(survey|poll)\b.*",
    r"(sign up|subscribe)\b.*(newsletter|updates).*",
    r"share (this|on)\b.*",
    r"advertisement",
    r"more (in|from|on) [\w &-]{1,40}(\s*[>\u2192])?",  # section links: "More in policy ->"
    r"(tell|let) us what you think\b.*",
    r"(reader )?(survey|poll)\s*:?",
    r"source:\s*(youtube|twitter|x|facebook|instagram|tiktok)\.?",
    r"(breaking news|live updates?|exclusive)",
    r"[|{}\s:-]+",  # pipe-table and template debris: "| ||||", "}}", "---|---|"
)
# One pattern for the whole list: a line is boilerplate when any alternative matches all of it.
_BOILERPLATE_ANY = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE), re.IGNORECASE)
_BRACES = re.compile(r"\s*[{}]+\s*")
_PIPES = re.compile(r"(\s*\|)+\s*")
_BLANKS = re.compile(r"[ \t]+")
_FAQ_HEADING = re.compile(r"(frequently asked questions|faqs?|q\s*&\s*a)\s*:?", re.IGNORECASE)
_QUESTION = re.compile(r"q[.:)]\s*|question\s*:", re.IGNORECASE)
_INITIALS = re.compile(r"[A-Z]{1,3}")
_NAME = re.compile(r"[A-Z][\w'.-]+(\s+[A-Z][\w'.-]+){1,3}")
_WORDS = re.compile(r"[a-z0-9]+")
_SURVEY_INLINE = re.compile(r"\b(tell|let) us (know )?what you think\b|\btake (our|the|this) (short )?survey\b", re.I)
_SECTION_LABEL = re.compile(r"[a-z]+( [a-z]+)?")  # a lower-case section tag before the headline: "policy"


def _is_boilerplate(line: str) -> bool:
    s = line.strip()
    return bool(s) and _BOILERPLATE_ANY.fullmatch(s) is not None


def _normalise_line(raw: str) -> str:
    """Braces out, pipe runs to one ``" | "``, blanks collapsed; each substitution only where it can apply."""
    line = _BRACES.sub(" ", raw) if "{" in raw or "}" in raw else raw
    if "|" in line:
        line = _PIPES.sub(" | ", line)
    return _BLANKS.sub(" ", line.strip(" |")).strip()


def _words(line: str) -> set[str]:
    return set(_WORDS.findall(line.lower()))


def _strip_faq(lines: list[str]) -> list[str]:
    """Drop an FAQ block whose questions and answers repeat the body above it."""
    for k, line in enumerate(lines):
        if _FAQ_HEADING.fullmatch(line.strip()):
            body = set().union(*(_words(x) for x in lines[:k])) if k else set()
            end = k + 1
            while end < len(lines):
                cur = lines[end].strip()
                w = _words(cur)
                repeats = bool(w) and len(w & body) / len(w) >= 0.6
                if cur and not (_QUESTION.match(cur) or cur.endswith("?") or repeats):
                    break
                end += 1
            return lines[:k] + lines[end:]
    return lines


def _strip_bio(lines: list[str]) -> list[str]:
    """Drop a trailing author bio: optional initials, a name line, then a paragraph about that name."""
    content = [i for i, x in enumerate(lines) if x.strip()]
    if len(content) < 3:
        return lines
    last, name_at = content[-1], content[-2]
    name = lines[name_at].strip()
    if _NAME.fullmatch(name) and lines[last].strip().startswith(name) and len(lines[last]) < 600:
        cut = name_at
        prev = content[-3]
        if _INITIALS.fullmatch(lines[prev].strip()):
            cut = prev
        return lines[:cut]
    return lines


def clean_text(text: str) -> str:
    r"""Normalise quotes and dashes and drop web boilerplate.

    Parameters
    ----------
    text : str
        Raw article text (already converted from HTML if it was HTML).

    Returns
    -------
    str
        Text with NFC normalisation, straight quotes, ASCII dashes, and without:
        boilerplate lines (read-more links to other stories, "continue reading", section
        links, survey prompts, social-media source tags), pipe-table debris (cells are
        kept as text, pipes and braces dropped), an FAQ block whose questions and answers
        repeat the body, a trailing author bio, and a line repeated right after itself.
        GBK mojibake of quotes and dashes ("\u00a1\u00af" for an apostrophe) is repaired.
        Runs of blank lines are reduced to one.

    Examples
    --------
    >>> clean_text("Talks resumed \u2014 officials said.\nRead more: Oil slips \u2192\n| ||||")
    'Talks resumed - officials said.'
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\u00a1" in text or "\u00a8C" in text:  # GBK mojibake of typographic punctuation, seen in real title feeds
        for bad, good in _MOJIBAKE:
            text = text.replace(bad, good)
    text = text.translate(_TRANSLATE)
    lines: list[str] = []
    for raw in text.splitlines():
        if _is_boilerplate(raw):
            continue
        line = _normalise_line(raw)
        previous = next((x for x in reversed(lines) if x), None)
        if line and line == previous:
            continue
        if _SURVEY_INLINE.search(line):
            continue
        if line or (lines and lines[-1]):
            lines.append(line)
    content = [x for x in lines if x]
    if len(content) > 1 and _SECTION_LABEL.fullmatch(content[0]):
        lines = lines[lines.index(content[0]) + 1 :]  # a lower-case section tag above the headline
    lines = _strip_bio(_strip_faq(lines))
    return "\n".join(lines).strip()


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "nav", "footer", "header", "aside", "form", "noscript"})
    _BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """Extract ``(title, text)`` from HTML with the standard library's HTML parser.

    Scripts, styles, navigation, headers, footers, asides and forms are dropped; block
    elements become line breaks.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.title.strip(), "".join(parser.parts)
