"""Language detection for articles that arrive without a `language`.

py3langid ships its model inside the wheel (nothing is downloaded at run time) and is
small enough for the worker's memory budget. The result is only a hint: every
watch-list rule runs whatever the language, so a wrong guess cannot hide a match.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Protocol

# Enough text to recognise a language; detection time grows with the length.
SAMPLE_CHARS = 600
# Below this probability the detector is unsure, and no language is reported.
MIN_CONFIDENCE = 0.6


class LanguageDetector:
    """Detects one of the given languages (ISO 639-1 codes), or None when unsure."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages)))

    def detect(self, text: str) -> str | None:
        sample = text[:SAMPLE_CHARS]
        if not sample.strip():
            return None
        language, probability = _identifier(self.languages).classify(sample)
        return str(language) if float(probability) >= MIN_CONFIDENCE else None


@cache
def _identifier(languages: tuple[str, ...]) -> _Classifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = set(identifier.nb_classes)
    chosen = [language for language in languages if language in known]
    if chosen:
        identifier.set_languages(chosen)
    classifier: _Classifier = identifier
    return classifier


class _Classifier(Protocol):  # the part of py3langid's LanguageIdentifier used here (untyped)
    def classify(self, text: str) -> tuple[str, float]: ...
