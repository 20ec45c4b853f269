"""clean_text's single boilerplate pattern and guarded substitutions equal the rules they replaced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.articles._clean import _BOILERPLATE, _is_boilerplate, _normalise_line, clean_text

PIECES = [
    "Read more",
    "read more: Oil slips",
    "Continue reading",
    "See also",
    "related stories:",
    "Take our survey",
    "Sign up for our newsletter",
    "share this",
    "Advertisement",
    "More in policy ->",
    "tell us what you think",
    "poll:",
    "Source: YouTube.",
    "BREAKING NEWS",
    "| ||||",
    "}}",
    "---|---|",
    "{{x}}",
    "a | b",
    " | ",
    "\t",
    "  ",
    "Talks resumed",
    "\u2014",
    "\u00a1\u00af",
    "e\u0301",
    "Kyiv",
    "ceasefire",
    "?",
    "FAQ",
    "Q: why?",
    "\n",
    "\n\n",
]


def _line_rules(raw: str) -> str:
    line = re.sub(r"\s*[{}]+\s*", " ", raw)
    line = re.sub(r"(\s*\|)+\s*", " | ", line).strip(" |")
    return re.sub(r"[ \t]+", " ", line).strip()


texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_one_boilerplate_pattern_equals_the_list(text: str) -> None:
    for line in text.splitlines() or [text]:
        s = line.strip()
        assert _is_boilerplate(line) == (bool(s) and any(re.fullmatch(p, s, re.IGNORECASE) for p in _BOILERPLATE))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_guarded_substitutions_equal_the_three_rules(text: str) -> None:
    for raw in text.splitlines() or [text]:
        assert _normalise_line(raw) == _line_rules(raw)


def test_clean_text_examples() -> None:
    assert clean_text("Talks resumed \u2014 officials said.\nRead more: Oil slips \u2192\n| ||||") == (
        "Talks resumed - officials said."
    )
    assert clean_text("a {{b}} | c ||  d\t e") == "a b | c | d e"
    assert clean_text("Cafe\u0301 talks") == "Caf\u00e9 talks"  # NFC applied when the text is not normalised
