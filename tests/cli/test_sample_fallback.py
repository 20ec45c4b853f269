"""No silent synthetic fallback: the command line uses the bundled sample only when asked, and says so.

A command that reads articles or prices refuses (exit 2) to take one the user did not
configure from the bundled SYNTHETIC sample, naming the missing input and how to give it;
``--sample`` or ``source = "sample"`` written in the TOML asks for it, and then the log,
the export manifest's ``warnings`` and every page name exactly which inputs are synthetic.
The Python API keeps the sample as its default, labelled the same way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from georisk.cli import main
from georisk.config import ArticlesConfig, GeoriskConfig, PricesConfig, data_label, sample_chosen, sample_inputs
from georisk.datasets import sample_articles_path, sample_prices_path

WHOLE = "SYNTHETIC: built from the bundled sample (simulated prices and composed articles)"
PRICES_ONLY = "SYNTHETIC prices: the bundled sample's simulated prices beside your articles"
ARTICLES_ONLY = "SYNTHETIC articles: the bundled sample's composed articles beside your prices"


def mine(tmp_path: Path, what: str = "articles") -> Path:
    """A file of the user's own (a copy of the sample's file: not the bundled sample by configuration)."""
    src = sample_articles_path() if what == "articles" else sample_prices_path()
    dst = tmp_path / f"mine-{what}{src.suffix}"
    shutil.copyfile(src, dst)
    return dst


def manifest(out: Path, session: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / f"session={session}" / "manifest.json").read_text("utf-8"))
    return data


# ----------------------------------------------------------------------------- the refusal
REFUSED = [
    (["score"], "no articles are configured", "--articles FILE", "--sample"),
    (["signal"], "no articles are configured", "--articles FILE", "--sample"),
    (["premium"], "no articles and no prices are configured", "--prices FILE", "--sample"),
    (["backtest"], "no articles and no prices are configured", "--prices FILE", "--sample"),
    (["export", "--date", "2024-12-31"], "no articles and no prices are configured", "--prices FILE", "--sample"),
    (["report"], "no articles and no prices are configured", "--prices FILE", "--sample"),
    (["briefing", "--date", "2024-06-28"], "no articles and no prices are configured", "--prices FILE", "--sample"),
    (["prices", "fetch"], "no prices are configured", "--prices FILE", "--sample"),
    (["prices", "check"], "no prices are configured", "--prices FILE", "--sample"),
    (["scoring", "distill"], "no articles are configured", "--articles FILE", "--use-sample"),
]


@pytest.mark.parametrize(("argv", "what", "how", "flag"), REFUSED, ids=[" ".join(r[0][:2]) for r in REFUSED])
def test_each_command_refuses_an_input_left_to_the_sample(
    argv: list[str], what: str, how: str, flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = {"scoring": "out.npz", "report": "out.html", "export": "out", "briefing": "out"}.get(argv[0], "out.csv")
    out = tmp_path / name
    option = "--issues" if argv[:2] == ["prices", "check"] else "--out"
    assert main([*argv, option, str(out)]) == 2
    err = capsys.readouterr().err
    assert what in err, err
    assert how in err and "--config georisk.toml" in err, err
    assert f"or pass {flag} to use the bundled SYNTHETIC sample" in err and "every output is then labelled" in err
    assert not out.exists()  # refused before anything was read or written


def test_the_message_names_only_the_missing_input_and_the_given_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["premium", "--articles", str(mine(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "no prices are configured: give --prices FILE or a [prices] section" in err, err
    assert "articles" not in err.split("no prices")[1].split(";")[0]
    assert "or pass --sample to use the bundled SYNTHETIC sample's simulated prices" in err
    toml = tmp_path / "mine.toml"
    toml.write_text(f"[prices]\nsource = 'csv'\npath = '{mine(tmp_path, 'prices')}'\n", encoding="utf-8")
    assert main(["backtest", "--config", str(toml)]) == 2
    err = capsys.readouterr().err
    assert "no articles are configured: give --articles FILE or an [articles] section" in err, err
    assert f"in --config {toml}" in err and "composed articles" in err


def test_a_prices_table_without_source_is_not_a_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "g.toml"
    toml.write_text("[articles]\nsource = 'files'\n[prices]\nretries = 1\n", encoding="utf-8")
    assert main(["prices", "check", "--config", str(toml)]) == 2
    assert "no prices are configured" in capsys.readouterr().err
    assert main(["signal", "--config", str(toml)]) == 2  # source = "files" without a path: no articles
    assert "no articles are configured" in capsys.readouterr().err


def test_commands_that_read_no_input_need_no_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the signal from saved scores, and the signal of the user's articles: no price is read
    arts = mine(tmp_path)
    scores = tmp_path / "s.csv"
    assert main(["score", "--articles", str(arts), "--scorer", "lexicon", "--out", str(scores)]) == 0
    assert main(["signal", "--scores", str(scores), "--out", str(tmp_path / "a.csv")]) == 0
    assert "SYNTHETIC" not in capsys.readouterr().err
    assert main(["schema"]) == 0


# ----------------------------------------------------------------------------- asked for, and labelled
def test_sample_flag_runs_and_labels_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--sample", "--tickers", "SPY"]) == 0
    err = capsys.readouterr().err
    assert "WARNING georisk: SYNTHETIC prices: the bundled sample's simulated prices (not market data" in err, err
    assert "beside your articles" not in err  # prices check reads no articles
    assert main(["prices", "check", "--source", "sample", "--tickers", "SPY"]) == 0  # --source sample asks too
    assert "WARNING georisk: SYNTHETIC prices" in capsys.readouterr().err


def test_json_log_names_the_synthetic_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json-logs", "score", "--sample", "--scorer", "lexicon", "--out", str(tmp_path / "s.csv")]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    (label,) = [x for x in lines if x["level"] == "WARNING"]
    assert label["message"].startswith("SYNTHETIC articles: the bundled sample's composed articles (")
    assert label["synthetic"] == ["articles"]


def test_export_with_sample_flag_labels_log_and_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["export", "--sample", "--date", "2024-12-31", "--out", str(out)]) == 0
    assert f"WARNING georisk: {WHOLE}" in capsys.readouterr().err
    assert manifest(out, "2024-12-31")["warnings"][0] == WHOLE  # type: ignore[index]


def test_a_mix_is_labelled_as_a_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["export", "--articles", str(mine(tmp_path)), "--sample", "--date", "2024-12-31", "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"WARNING georisk: {PRICES_ONLY}" in err and WHOLE not in err
    warnings = manifest(out, "2024-12-31")["warnings"]
    assert PRICES_ONLY in warnings and WHOLE not in warnings  # type: ignore[operator]
    # and the other way round, from the configuration
    toml = tmp_path / "prices.toml"
    toml.write_text(f"[prices]\nsource = 'csv'\npath = '{mine(tmp_path, 'prices')}'\n", encoding="utf-8")
    assert main(["briefing", "--config", str(toml), "--sample", "--date", "2024-06-28", "--out", str(tmp_path)]) == 0
    assert f"WARNING georisk: {ARTICLES_ONLY}" in capsys.readouterr().err
    page = (tmp_path / "briefing-2024-06-28.html").read_text("utf-8")
    assert "SYNTHETIC articles" in page and "SYNTHETIC prices" not in page


def test_explicit_toml_choice_runs_without_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "sample.toml"
    toml.write_text("[articles]\nsource = 'sample'\n[prices]\nsource = 'sample'\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "--config", str(toml), "--date", "2024-12-31", "--out", str(out)]) == 0
    assert f"WARNING georisk: {WHOLE}" in capsys.readouterr().err
    assert manifest(out, "2024-12-31")["warnings"][0] == WHOLE  # type: ignore[index]
    assert main(["briefing", "--config", str(toml), "--date", "2024-06-28", "--out", str(tmp_path)]) == 0
    assert WHOLE in (tmp_path / "briefing-2024-06-28.html").read_text("utf-8")
    # the shipped example chooses the sample explicitly for both inputs
    example = Path(__file__).resolve().parents[2] / "data" / "georisk.example.toml"
    assert sample_chosen(GeoriskConfig.from_toml(example)) == ("articles", "prices")


def test_own_inputs_carry_no_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["export", "--articles", str(mine(tmp_path)), "--prices", str(mine(tmp_path, "prices"))]
    assert main([*argv, "--date", "2024-12-31", "--out", str(out)]) == 0
    assert "SYNTHETIC" not in capsys.readouterr().err
    assert not any("SYNTHETIC" in w for w in manifest(out, "2024-12-31")["warnings"])  # type: ignore[attr-defined]


def test_demo_needs_no_flag(tmp_path: Path) -> None:
    from georisk.cli import build_parser

    args = build_parser().parse_args(["demo", "--out", str(tmp_path)])
    assert not hasattr(args, "use_sample")  # the demo is the sample, labelled on its face


# ----------------------------------------------------------------------------- the Python API
def test_python_api_default_is_the_labelled_sample(tmp_path: Path) -> None:
    from georisk.pipeline import export_daily

    res = export_daily(None, "2024-12-31", out_dir=tmp_path / "out")
    assert res.manifest["warnings"][0] == WHOLE


def test_config_functions() -> None:
    default = GeoriskConfig()
    assert sample_inputs(default) == ("articles", "prices") and sample_chosen(default) == ()
    assert data_label(default) == WHOLE
    assert data_label(default, ("articles",)) == "SYNTHETIC articles: the bundled sample's composed articles"
    assert data_label(default, ()) is None
    chosen = GeoriskConfig(articles=ArticlesConfig(source="sample"), prices=PricesConfig(source="sample"))
    assert sample_chosen(chosen) == ("articles", "prices")
    own = GeoriskConfig(
        articles=ArticlesConfig(path=sample_articles_path()),
        prices=PricesConfig(source="csv", path=sample_prices_path()),
    )
    assert sample_inputs(own) == () and data_label(own) is None
    assert data_label(own.model_copy(update={"prices": PricesConfig()})) == PRICES_ONLY
    with pytest.raises(ValueError, match=r"articles\.source='sample' reads the bundled sample"):
        GeoriskConfig.model_validate({"articles": {"source": "sample", "path": "a.jsonl"}})


def test_toml_sample_articles_are_the_sample(tmp_path: Path) -> None:
    from georisk.pipeline import configured_articles

    toml = tmp_path / "g.toml"
    toml.write_text("[articles]\nsource = 'sample'\n", encoding="utf-8")
    articles, _, where = configured_articles(GeoriskConfig.from_toml(toml))
    assert where == sample_articles_path() and len(articles) > 1000
