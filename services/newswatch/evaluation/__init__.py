"""Measuring the watch-lists' quality on labelled articles: precision, recall, F1.

`newswatch eval LABELLED.jsonl` reads articles with their expected watch-lists
(`labels`), runs the engine on them and reports the figures per watch-list, per
language and micro-averaged, then every false positive and false negative with the
engine's evidence. Pure: no Kafka.
"""

from newswatch.evaluation.labelled import LabelledArticle, read_labelled
from newswatch.evaluation.scores import Counts, Scores, score

__all__ = ["Counts", "LabelledArticle", "Scores", "read_labelled", "score"]
