"""Stage 2: event scores. Lexicon, supervised, blended and language-model scorers, ``score_articles`` and audits."""

from georisk.scoring._blend import BLENDED_COLUMNS, DEFAULT_LEXICON_WEIGHT, BlendedScorer
from georisk.scoring._corpus import LABELS, load_labelled_corpus
from georisk.scoring._distill import Distillation, distill, load_distilled, save_distilled
from georisk.scoring._evaluate import ScorerEvaluation, compare_scorers, evaluate_scorer
from georisk.scoring._lexicon import (
    CHANNELS,
    SCORE_COLUMNS,
    Lexicon,
    LexiconScorer,
    load_lexicon,
    shipped_conflicts,
)
from georisk.scoring._llm import LLMBudgetError, LLMScorer, load_prompt
from georisk.scoring._llm_cache import LLMCache
from georisk.scoring._score import (
    default_scorer,
    fitted_scorer,
    is_fitted,
    score_articles,
    score_stream,
    scorer_from_config,
)
from georisk.scoring._supervised import SupervisedScorer

__all__ = [
    "BLENDED_COLUMNS",
    "CHANNELS",
    "DEFAULT_LEXICON_WEIGHT",
    "LABELS",
    "SCORE_COLUMNS",
    "BlendedScorer",
    "Distillation",
    "LLMBudgetError",
    "LLMCache",
    "LLMScorer",
    "Lexicon",
    "LexiconScorer",
    "ScorerEvaluation",
    "SupervisedScorer",
    "compare_scorers",
    "default_scorer",
    "distill",
    "evaluate_scorer",
    "fitted_scorer",
    "is_fitted",
    "load_distilled",
    "load_labelled_corpus",
    "load_lexicon",
    "load_prompt",
    "save_distilled",
    "score_articles",
    "score_stream",
    "scorer_from_config",
    "shipped_conflicts",
]
