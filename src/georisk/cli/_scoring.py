"""``georisk score`` and ``georisk evaluate-scorer``: event scores and their audit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from georisk.cli._common import add_input_options, check_out, config_from_args, write_or_show
from georisk.errors import ConfigError, InputDataError

if TYPE_CHECKING:
    import pandas as pd


def _load_configured_articles(args: argparse.Namespace) -> pd.DataFrame:
    """Articles as ``--config``/``--articles`` say (the store, files, or the bundled sample); prices are not read."""
    from georisk.pipeline import configured_articles

    return configured_articles(config_from_args(args, inputs=("articles",)))[0]


def _scorer(name: str | None, args: argparse.Namespace | None = None) -> Any:
    """The scorer ``--scorer`` names (else ``[scoring] scorer``), of the configured conflict, built by georisk.scoring.

    ``--max-cost`` overrides the ``[scoring.llm]`` budget; the registry of scorers is
    :func:`georisk.scoring.scorer_from_config`, not the command line.
    """
    from georisk.config import ScoringConfig
    from georisk.scoring import default_scorer, scorer_from_config

    scoring = config_from_args(args, inputs=()).scoring if args is not None else ScoringConfig()
    updates: dict[str, Any] = {} if name is None else {"scorer": name}
    max_cost = getattr(args, "max_cost", None) if args is not None else None
    if max_cost is not None:
        if not max_cost >= 0:
            raise ConfigError(f"--max-cost {max_cost}: use a number >= 0, e.g. 5.0")
        updates["llm"] = scoring.llm.model_copy(update={"max_cost": max_cost})
    scoring = scoring.model_copy(update=updates)
    if scoring.scorer == "llm" and not scoring.llm.model:
        raise ConfigError("the LLM scorer needs [scoring.llm] model = '...' (and base_url) in the --config file")
    scorer = scorer_from_config(scoring)
    return default_scorer(scoring.conflict) if scorer is None else scorer


def _llm_summary(scorer: Any) -> None:
    """Print the run's calls, cache hits, tokens and cost on stderr (language-model scorer only)."""
    if hasattr(scorer, "summary") and hasattr(scorer, "usage_"):
        print(scorer.summary(), file=sys.stderr)  # noqa: T201 - command output


def explain_article(articles: pd.DataFrame, article_id: str, scorer: Any) -> str:
    """A plain-text audit of one article: its scores and the evidence behind them."""
    from georisk.scoring import SCORE_COLUMNS, score_articles

    match = articles[articles["id"].astype(str) == article_id]
    if match.empty:
        sample = ", ".join(articles["id"].astype(str).head(3))
        raise InputDataError(
            f"no article has id {article_id!r}; ids look like {sample}, see `georisk score --out scores.csv`",
            field="id",
        )
    row = score_articles(match.head(1), scorer).iloc[0]
    art = match.iloc[0]
    lines = [
        f"id:           {art['id']}",
        f"published_at: {art['published_at']}",
        f"title:        {art.get('title', '')}",
        "",
        *(f"{c:<15}{row[c]:.3f}" for c in SCORE_COLUMNS),
        "",
        "evidence:",
        *(f"  {part.strip()}" for part in str(row.get("evidence", "")).split(";") if part.strip()),
    ]
    return "\n".join(lines)


def cmd_score(args: argparse.Namespace) -> int:
    """Score the configured (or given) articles and write or show the scores, or explain one."""
    from georisk.scoring import score_articles

    articles = _load_configured_articles(args)
    scorer = _scorer(args.scorer, args)
    if args.explain is not None:
        print(explain_article(articles, args.explain, scorer))  # noqa: T201 - command output
        return 0
    check_out(args.out)
    try:
        scores = score_articles(articles, scorer, n_jobs=args.n_jobs, progress=args.progress)
    finally:
        _llm_summary(scorer)
    write_or_show(scores, args.out, "scores")
    return 0


def cmd_distill(args: argparse.Namespace) -> int:
    """Label a sample of the articles with the LLM, refit the fast scorer on them, print agreement, save it."""
    from georisk.scoring import distill, save_distilled

    if args.out is None or args.out.suffix != ".npz":
        raise ConfigError("--out: give the .npz file the distilled scorer is saved to, e.g. --out distilled.npz")
    if not 0.0 < args.holdout < 1.0:
        raise ConfigError(f"--holdout {args.holdout}: use a number strictly between 0 and 1, e.g. 0.3")
    articles = _load_configured_articles(args)
    teacher = _scorer("llm", args)
    try:
        result = distill(articles, teacher, n_sample=args.sample, holdout=args.holdout, random_state=args.seed)
    finally:
        _llm_summary(teacher)
    path = save_distilled(result.scorer, args.out, result.provenance)
    p = result.provenance
    print(  # noqa: T201 - command output
        f"labelled {p['n_labelled']} of {p['n_sample']} sampled articles ({len(result.errors)} failed); "
        f"trained on {p['n_train']} + {p['n_corpus']} corpus texts, agreement on {p['n_holdout']} held out:"
    )
    print(result.agreement.round(3).to_string())  # noqa: T201 - command output
    print(f"saved {path}")  # noqa: T201 - command output
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print precision, recall, ROC AUC and a confusion table against a labelled file."""
    import pandas as pd

    from georisk.scoring import evaluate_scorer

    if not 0.0 < args.threshold < 1.0:
        raise ConfigError(f"--threshold {args.threshold}: use a number strictly between 0 and 1, e.g. 0.5")
    labels: Path | None = args.labels
    given = args.scorer if args.scorer is not None else config_from_args(args, inputs=()).scoring.scorer
    names = [n.strip() for n in given.split(",") if n.strip()]
    if args.distilled is not None and "distilled" not in names:
        names.append("distilled")
    bad = sorted(set(names) - {"blend", "lexicon", "supervised", "llm", "distilled"})
    if bad or not names:
        raise ConfigError(f"--scorer {given}: use blend, lexicon, supervised, llm or distilled, comma-separated")
    if len(names) == 1 and names[0] != "distilled":
        result = evaluate_scorer(_scorer(names[0], args), labels, threshold=args.threshold)
        print(result.summary())  # noqa: T201 - command output
        return 0
    from georisk.scoring import compare_scorers, load_distilled

    if "distilled" in names and args.distilled is None:
        raise ConfigError("--scorer distilled needs --distilled FILE.npz (saved by georisk scoring distill)")
    scorers = {n: load_distilled(args.distilled) if n == "distilled" else _scorer(n, args) for n in names}
    try:
        table, evaluations = compare_scorers(scorers, labels, threshold=args.threshold)
    finally:
        for scorer in scorers.values():
            _llm_summary(scorer)
    with pd.option_context("display.width", 120):
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))  # noqa: T201 - command output
        for name, result in evaluations.items():
            print(f"\n{name}: confusion (rows: true label, columns: predicted)\n{result.confusion.to_string()}")  # noqa: T201
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the scoring subcommands."""
    p = sub.add_parser("score", help="score articles for hawkish tilt and peace trade", epilog=epilog)
    add_input_options(p, "write scores to this .csv or .parquet file (default: show the last rows)", as_of=False)
    p.add_argument("--explain", metavar="ID", help="show the scores and the evidence behind them for article ID")
    p.add_argument(
        "--scorer",
        choices=("blend", "lexicon", "supervised", "llm"),
        default=None,
        help="scorer (default: [scoring] scorer of --config, blend without one; llm: its [scoring.llm] endpoint)",
    )
    p.add_argument(
        "--max-cost", dest="max_cost", type=float, default=None, help="LLM budget of this run (stops before it)"
    )
    p.add_argument("--n-jobs", dest="n_jobs", type=int, default=1, help="worker processes (-1: all cores)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar while scoring (default: only when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_score)
    g = sub.add_parser("scoring", help="language-model scoring tools (distill)", epilog=epilog)
    gsub = g.add_subparsers(dest="scoring_command", required=True, metavar="{distill}")
    d = gsub.add_parser(
        "distill",
        help="label a sample with the [scoring.llm] model and refit the fast scorer on it (saved as .npz)",
        epilog=epilog,
    )
    add_input_options(d, "the .npz file the distilled scorer is saved to", as_of=False, sample_flag="--use-sample")
    d.add_argument("--sample", type=int, default=500, help="articles labelled by the model (default 500)")
    d.add_argument("--holdout", type=float, default=0.3, help="share held out to measure agreement (default 0.3)")
    d.add_argument("--seed", type=int, default=0, help="seed of the sample and the split (default 0)")
    d.add_argument("--max-cost", dest="max_cost", type=float, default=None, help="LLM budget (stops before it)")
    d.set_defaults(func=cmd_distill)
    e = sub.add_parser(
        "evaluate-scorer",
        help="audit a scorer against hand-labelled texts (precision, recall, ROC AUC, confusion table)",
        epilog=epilog,
    )
    e.add_argument(
        "labels",
        metavar="LABELS.jsonl",
        type=Path,
        nargs="?",
        help='one JSON object a line: {"text": ..., "label": "hawkish|peace|mixed|neutral|off_topic"} '
        "(default: the hold-out split of the shipped corpus)",
    )
    e.add_argument(
        "--scorer",
        default=None,
        help="scorer, or several side by side, comma-separated: blend, lexicon, supervised, llm, distilled "
        "(default: [scoring] scorer of --config, blend without one)",
    )
    e.add_argument("--distilled", type=Path, help="a scorer saved by `georisk scoring distill` (.npz), compared too")
    e.add_argument("--config", type=Path, help="georisk.toml with the [scoring.llm] endpoint (for --scorer llm)")
    e.add_argument("--threshold", type=float, default=0.5, help="score counted as positive (default 0.5)")
    e.set_defaults(func=cmd_evaluate)
