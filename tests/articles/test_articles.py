"""Ingestion: sources, cleaning of real web text, near-duplicates, strict and lenient modes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from georisk.articles import clean_text, find_near_duplicates, html_to_text, load_articles, load_articles_report
from georisk.errors import ConfigError, EncodingFallbackWarning, InputDataError

STORY = (
    "Russian and Ukrainian negotiators met in Istanbul on Tuesday for a new round of talks on a ceasefire "
    "along the front line, officials from both delegations said after the meeting ended late at night."
)


# ---------------------------------------------------------------- seeds (real web text)


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = shared_dir / "seeds"
    stamps = {p.name: "2025-05-16T09:00:00+02:00" for p in folder.glob("0*.txt")}
    rep = load_articles_report(folder, timestamps=stamps, on_invalid="quarantine")
    return rep.articles, rep.quarantine


def test_seeds_without_timestamps_are_rejected_naming_the_file(shared_dir: Path):
    with pytest.raises(InputDataError, match=r"000_877dab9c7ab46fe4\.txt, field 'published_at': no timestamp"):
        load_articles(shared_dir / "seeds")


def test_seed_boilerplate_is_removed(seeds: tuple[pd.DataFrame, pd.DataFrame]):
    arts, quarantine = seeds
    assert len(arts) == 5 and len(quarantine) == 1  # README.md has no timestamp: quarantined
    text = "\n".join(arts["title"] + "\n" + arts["text"])
    for junk in (
        "Read more",
        "Continue reading",
        "Frequently Asked Questions",
        "Q.Why",
        "has built a reputation",
        "Tell us what you think",
        "Survey:",
        "||",
        "}}",
        "More in policy",
        "\u2019",
        "\u201c",
        "\u2014",
    ):
        assert junk not in text, junk
    assert "Russian Hawks Push Putin to Ditch US Talks, Escalate Ukraine War" in set(arts["title"])
    assert "Tightening Economic Sanctions | Moscow faces increased financial constraints" in text  # table cells kept
    assert str(arts["published_at"].dt.tz) == "UTC"
    assert (arts["published_at"] == pd.Timestamp("2025-05-16T07:00:00Z")).all()


# ---------------------------------------------------------------- cleaning units


def test_faq_repeating_the_body_is_dropped_but_new_text_after_it_is_kept():
    body = "Hawks urge Putin to drop the talks and escalate the war now.\nThey cite deep strikes inside Russia."
    faq = (
        "Frequently Asked Questions\nQ. Why do hawks urge Putin to drop the talks?\nHawks urge Putin to drop the talks."
    )
    cleaned = clean_text(f"{body}\n{faq}\nA separate paragraph about grain exports follows here.")
    assert "Frequently" not in cleaned and "Q. Why" not in cleaned
    assert cleaned.startswith("Hawks urge Putin") and cleaned.endswith("grain exports follows here.")


def test_author_bio_and_survey_prompt_are_dropped():
    text = "Talks stalled.\n\nBM\n\nBella Miller\n\nBella Miller writes about things.\n"
    assert clean_text(text) == "Talks stalled."
    assert clean_text("Talks stalled.\nShould the US act? Tell us what you think.\nSurvey:") == "Talks stalled."


def test_html_is_parsed_not_regexed():
    html = (
        "<html><head><title>Truce &amp; talks</title><script>var x = '<p>not text</p>';</script></head>"
        "<body><nav>Home | World</nav><p>Envoys agreed a <b>truce</b>.</p><p>Continue reading at Reuters</p>"
        "<footer>Copyright</footer></body></html>"
    )
    title, text = html_to_text(html)
    assert title == "Truce & talks"
    cleaned = clean_text(text)
    assert cleaned == "Envoys agreed a truce."


# ---------------------------------------------------------------- sources


def test_folder_with_front_matter_sidecar_and_html(tmp_path: Path):
    (tmp_path / "a.md").write_text(
        "---\npublished_at: 2024-03-01T10:00:00Z\ntitle: Front\n---\nTalks resumed.\n", "utf-8"
    )
    (tmp_path / "b.txt").write_text("Sidecar headline\nShelling resumed near Kharkiv.\n", "utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"published_at": "2024-03-02T10:00:00Z", "url": "https://x"}), "utf-8")
    (tmp_path / "c.html").write_text("<title>Html</title><p>Truce agreed.</p>", "utf-8")
    arts = load_articles(tmp_path, timestamps={"c.html": "2024-03-03T10:00:00Z"})
    assert list(arts["title"]) == ["Front", "Sidecar headline", "Html"]
    assert list(arts["text"]) == ["Talks resumed.", "Shelling resumed near Kharkiv.", "Truce agreed."]
    assert arts["url"].iloc[1] == "https://x"


def test_a_heading_that_repeats_the_title_is_not_scored_twice(tmp_path: Path):
    (tmp_path / "a.html").write_text(
        "<title>Kremlin rejects truce</title><h1>Kremlin  rejects truce</h1><p>Moscow rejected a truce.</p>", "utf-8"
    )
    (tmp_path / "b.md").write_text(
        "---\npublished_at: 2024-03-02T10:00:00Z\ntitle: Swap agreed\n---\n# Swap agreed\nEnvoys agreed a swap.\n",
        "utf-8",
    )
    (tmp_path / "c.html").write_text("<title>Only</title><h1>Only</h1>", "utf-8")  # the heading is all there is
    arts = load_articles(tmp_path, timestamps={"a.html": "2024-03-01T10:00:00Z", "c.html": "2024-03-03T10:00:00Z"})
    assert list(arts["text"]) == ["Moscow rejected a truce.", "Envoys agreed a swap.", "Only"]


def test_csv_with_column_mapping_and_missing_columns(tmp_path: Path):
    f = tmp_path / "feed.csv"
    f.write_text("date,headline,body\n2024-03-01,Talks,Envoys met in Riyadh.\n", encoding="utf-8")
    arts = load_articles(f, columns={"published_at": "date", "title": "headline", "text": "body"}, timezone="UTC")
    assert arts["published_at"].iloc[0] == pd.Timestamp("2024-03-01T23:59:59.999999Z")  # date only: end of day
    with pytest.raises(
        InputDataError, match=r"feed\.csv, line 1, field 'text': no column 'text'.*\['date', 'headline', 'body'\]"
    ):
        load_articles(f)
    with pytest.raises(InputDataError, match=r"field 'published_at': no column 'published_at'"):
        load_articles(pd.DataFrame({"text": ["x"]}))


def test_naive_and_missing_timestamps(tmp_path: Path):
    f = tmp_path / "a.jsonl"
    f.write_text(
        json.dumps({"published_at": "2024-03-01 10:00", "text": "x"}) + "\n" + json.dumps({"text": "y"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputDataError, match=r"line 1, field 'published_at': .*naive"):
        load_articles(f)
    rep = load_articles_report(f, timezone="Europe/Kyiv", on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert arts["published_at"].iloc[0] == pd.Timestamp("2024-03-01T08:00:00Z")
    assert q[["line", "field"]].to_dict(orient="records") == [{"line": 2, "field": "published_at"}]


# ---------------------------------------------------------------- duplicates


def test_syndicated_copy_is_merged_with_a_report():
    frame = pd.DataFrame(
        {
            "published_at": [
                "2024-03-01T10:00:00Z",
                "2024-03-01T12:30:00Z",
                "2024-06-01T10:00:00Z",
                "2024-03-01T11:00:00Z",
            ],
            "title": ["Talks in Istanbul"] * 3 + ["Other"],
            "text": [STORY, STORY.replace("Tuesday", "Tuesday,") + " (Reuters)", STORY, "Oil fell on ceasefire hopes."],
            "source": ["wire", "portal", "archive", "wire"],
        }
    )
    rep = load_articles_report(frame)
    assert len(rep.articles) == 3 and rep.n_read == 4
    assert len(rep.merged) == 1
    row = rep.merged.iloc[0]
    assert row["merged_source"] == "portal" and row["similarity"] >= 0.8
    kept = rep.articles.set_index("id").loc[row["kept_id"]]
    assert kept["source"] == "wire" and kept["published_at"] == pd.Timestamp("2024-03-01T10:00:00Z")
    # the same wording three months later is a new event, not a copy
    assert (rep.articles["published_at"] == pd.Timestamp("2024-06-01T10:00:00Z")).sum() == 1
    assert len(load_articles(frame, near_duplicates=None)) == 4


def test_exact_repeats_are_reported_too():
    frame = pd.DataFrame({"published_at": ["2024-03-01T10:00:00Z"] * 2, "text": ["Talks collapsed."] * 2})
    rep = load_articles_report(frame, near_duplicates=None)
    assert len(rep.articles) == 1 and rep.merged["similarity"].tolist() == [1.0]


def test_find_near_duplicates_checks_its_parameters():
    frame = load_articles(pd.DataFrame({"published_at": ["2024-03-01T10:00:00Z"], "text": ["x"]}))
    with pytest.raises(ConfigError, match="threshold=0"):
        find_near_duplicates(frame, threshold=0)


# ---------------------------------------------------------------- bad input: named fixtures


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    stamp = "---\npublished_at: 2024-03-01T10:00:00Z\n---\n"
    (tmp_path / "good.txt").write_text(stamp + "Headline\nTalks resumed in Riyadh.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "huge.txt").write_bytes((stamp + "Headline\n").encode() + b"word " * (20 * 1024 * 1024 // 5))
    (tmp_path / "bom.txt").write_bytes("\ufeff".encode() + (stamp + "Bom\nTruce agreed.").encode())
    (tmp_path / "naive.txt").write_text("---\npublished_at: 2024-03-01 10:00\n---\nH\nx", encoding="utf-8")
    return tmp_path


def test_lenient_folder_quarantines_every_bad_file_with_a_reason(bad_folder: Path):
    rep = load_articles_report(bad_folder, on_invalid="quarantine")
    assert sorted(rep.articles["title"]) == ["Bom", "Headline"]
    reasons = {Path(f).name: r for f, r in zip(rep.quarantine["file"], rep.quarantine["reason"], strict=True)}
    assert set(reasons) == {"binary.txt", "empty.txt", "huge.txt", "naive.txt"}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "MB, larger than max_file_bytes" in reasons["huge.txt"]
    assert "naive" in reasons["naive.txt"]
    assert rep.n_read == len(rep.articles) + len(rep.quarantine) + len(rep.merged)  # nothing silently dropped


def test_strict_folder_names_the_bad_file(bad_folder: Path):
    with pytest.raises(InputDataError, match=r"binary\.txt, field '\(file\)': file is binary"):
        load_articles(bad_folder)


def test_cp1252_falls_back_with_a_named_warning(tmp_path: Path):
    f = tmp_path / "old.jsonl"
    f.write_bytes(
        json.dumps({"published_at": "2024-03-01T10:00:00Z", "text": "Caf\u00e9 talks"}, ensure_ascii=False).encode(
            "cp1252"
        )
    )
    with pytest.warns(EncodingFallbackWarning, match="decoded as cp1252"):
        arts = load_articles(f)
    assert arts["text"].iloc[0] == "Caf\u00e9 talks"


def test_malformed_json_lines(tmp_path: Path):
    f = tmp_path / "feed.jsonl"
    good = json.dumps({"published_at": "2024-03-01T10:00:00Z", "text": "ok"})
    f.write_text(f'{good}\n{{broken\n[1, 2]\n{good[:-1]}, "extra": 1}}\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"feed\.jsonl, line 2, field '\(json\)': malformed JSON"):
        load_articles(f)
    rep = load_articles_report(f, on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert len(arts) == 1
    assert q["line"].tolist() == [2, 3, 4]
    assert "unknown field(s) ['extra']" in q["reason"].iloc[2]


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.csv"])
@pytest.mark.parametrize("content", [b"", b"\n \n"])
def test_an_empty_feed_file_is_an_error_not_zero_articles(tmp_path: Path, name: str, content: bytes):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(InputDataError, match=rf"{name.replace('.', '[.]')}: file is empty \(no records\)"):
        load_articles_report(
            f, on_invalid="quarantine"
        )  # a whole-file problem: raised with on_invalid="quarantine" too
    f.write_text("published_at,text\n" if name.endswith(".csv") else '{"published_at": "2024-03-01T10:00:00Z"}\n')
    q = load_articles_report(
        f, on_invalid="quarantine"
    ).quarantine  # a header alone is a valid feed of no articles; a bad record is quarantined
    assert len(q) == (0 if name.endswith(".csv") else 1)


def test_oversized_record_and_single_binary_file(tmp_path: Path):
    f = tmp_path / "big.jsonl"
    f.write_text(json.dumps({"published_at": "2024-03-01T10:00:00Z", "text": "x" * 5000}) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"line 1, field 'text': text has 5,000 characters"):
        load_articles(f, max_text_chars=1000)
    b = tmp_path / "bin.jsonl"
    b.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(InputDataError, match=r"bin\.jsonl: file is binary"):
        load_articles_report(b, on_invalid="quarantine")


def test_extra_columns_can_be_ignored_and_mojibake_is_repaired():
    frame = pd.DataFrame(
        {
            "published_at": ["2024-03-01T10:00:00Z"],
            "text": ["Putin\u00a1\u00afs envoy \u00a8C talks"],
            "label_bert": ["left"],
        }
    )
    with pytest.raises(InputDataError, match=r"unknown field\(s\) \['label_bert'\].*extra_columns='ignore'"):
        load_articles(frame)
    arts = load_articles(frame, extra_columns="ignore")
    assert arts["text"].iloc[0] == "Putin's envoy - talks"
