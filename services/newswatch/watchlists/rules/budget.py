"""What all the watch-lists one worker loads may hold together, counted as the files are read.

Rules and queries are held differently, so they are limited apart (the figures are
measured in docs/watchlists.md):
- a word written in a rule's list costs the running worker about 4 KB (100,000 of them:
  380 MB); a use of a word by a rule about 0.2 KB (1,000,000 uses of 1,000 words: 190 MB);
- a query term becomes one pattern of the engine's one matcher however many queries
  use it, so queries are limited by their distinct terms (a desk's sector words are
  shared by thousands of lists) and, apart, by all their terms (each a node of its
  query). 100,000 generated desk lists (bench/desk.py) hold 197,143 distinct terms and
  690,524 in all.
The limits are passed once, on the file and line that passed them; later files are not read.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

MAX_WORDS = 100_000
MAX_WORD_USES = 1_000_000
MAX_QUERY_TERMS = 300_000
MAX_QUERY_TERM_USES = 1_000_000


class WordBudget:
    """The words and query terms of the watch-lists read so far, against the limits.

    A word list written once but named by 1,000 rules is 1,000 uses of each of its words:
    each rule holds (and the engine indexes) all of them.
    """

    def __init__(self) -> None:
        self.words = 0
        self.uses = 0
        self.query_terms: set[Hashable] = set()
        self.query_uses = 0
        self.spent = False

    def spend(self, words: int, uses: int) -> str | None:
        """Count more words and uses of rules; the first time a limit is passed, the reason."""
        if self.spent:
            return None
        self.words += words
        self.uses += uses
        if self.words > MAX_WORDS:
            return self._passed(
                f"the watch-lists write more than {MAX_WORDS:,} words in all, more than one worker "
                "should hold; remove words or load fewer watch-lists"
            )
        if self.uses > MAX_WORD_USES:
            return self._passed(
                f"the rules use more than {MAX_WORD_USES:,} words in all (a word list counts again for "
                "every rule, 'none' and 'exclude' that names it); name big word lists in fewer rules "
                "or load fewer watch-lists"
            )
        return None

    def spend_query(self, terms: Sequence[Hashable]) -> str | None:
        """Count one query's terms (each by what it finds: a term shared by queries counts once
        as a distinct term); the first time a limit is passed, the reason."""
        if self.spent:
            return None
        self.query_terms.update(terms)
        self.query_uses += len(terms)
        if len(self.query_terms) > MAX_QUERY_TERMS:
            return self._passed(
                f"the queries look for more than {MAX_QUERY_TERMS:,} different terms in all, more "
                "than one worker should hold; load fewer watch-lists (split the desk between workers)"
            )
        if self.query_uses > MAX_QUERY_TERM_USES:
            return self._passed(
                f"the queries have more than {MAX_QUERY_TERM_USES:,} terms in all, more than one "
                "worker should hold; load fewer watch-lists (split the desk between workers)"
            )
        return None

    def _passed(self, reason: str) -> str:
        self.spent = True
        return f"{reason} (files after this one were not read)"
