"""Stage 2: event scores. Lexicon scorer (scikit-learn transformer) and ``score_articles``."""

from georisk.scoring._lexicon import SCORE_COLUMNS, Lexicon, LexiconScorer, load_lexicon
from georisk.scoring._score import score_articles

__all__ = ["SCORE_COLUMNS", "Lexicon", "LexiconScorer", "load_lexicon", "score_articles"]
