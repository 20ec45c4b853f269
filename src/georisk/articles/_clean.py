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

# A line is boilerplate when it is one of these (matched on the whole stripped line).
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"read more\b.*",
        r"continue reading\b.*",
        r"(see|watch) also\b.*",
        r"related( stories| articles)?:?.*",
        r"(take|answer) (our|the|this) (short )?(survey|poll)\b.*",
        r"(sign up|subscribe)\b.*(newsletter|updates).*",
        r"share (this|on)\b.*",
        r"advertisement",
        r"[|{}\s]+",  # pipe-table and template debris: "| ||||", "}}"
    )
]


def _is_boilerplate(line: str) -> bool:
    s = line.strip()
    return bool(s) and any(p.fullmatch(s) for p in _BOILERPLATE)


def clean_text(text: str) -> str:
    """Normalise quotes and dashes and drop boilerplate lines.

    Parameters
    ----------
    text : str
        Raw article text (already converted from HTML if it was HTML).

    Returns
    -------
    str
        Text with NFC normalisation, straight quotes, ASCII dashes, boilerplate lines
        (read-more links, "continue reading", survey prompts, pipe-table debris) removed,
        pipe debris inside lines collapsed, and runs of blank lines reduced to one.
    """
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    out: list[str] = []
    for raw in text.splitlines():
        if _is_boilerplate(raw):
            continue
        line = re.sub(r"(\s*\|){2,}\s*", " | ", raw)
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


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
