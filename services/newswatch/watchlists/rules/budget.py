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
Lists published on the watch-lists topic arrive one at a time: `CostTotals` keeps their
sum against the same limits, and a publish that would pass one is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from newswatch.watchlists.rules.model import Watchlist

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


@dataclass(frozen=True, slots=True)
class ListCost:
    """What one loaded watch-list holds, as the limits count it: for lists that arrive one
    at a time (the watch-lists topic), whose sum is kept as they come and go."""

    words: int  # distinct words of its rules and exclusions (at most what the file writes)
    word_uses: int  # the words of every rule, 'none' and exclusion, each time one names them
    query_terms: tuple[Hashable, ...]  # its query's terms, by what each finds, as often as used


def list_cost(watchlist: Watchlist) -> ListCost:
    term_sets = [part for rule in watchlist.rules for part in rule.parts]
    term_sets += [rule.none for rule in watchlist.rules if rule.none is not None]
    if watchlist.exclusions is not None:
        term_sets.append(watchlist.exclusions)
    words = {(pattern.language, pattern.key) for term_set in term_sets for pattern in term_set.patterns}
    terms = () if watchlist.query is None else tuple(term.pattern.key for term in watchlist.query.terms)
    return ListCost(len(words), sum(len(term_set.patterns) for term_set in term_sets), terms)


class CostTotals:
    """The summed cost of a set of lists, against the same limits as the files read together.

    Distinct query terms are counted across lists (a term ten lists share is one pattern
    of the matcher), so each term keeps the number of lists' uses that hold it.
    """

    def __init__(self) -> None:
        self.words = 0
        self.word_uses = 0
        self.query_uses = 0
        self.query_terms: Counter[Hashable] = Counter()

    def copy(self) -> CostTotals:
        copied = CostTotals()
        copied.words, copied.word_uses, copied.query_uses = self.words, self.word_uses, self.query_uses
        copied.query_terms = self.query_terms.copy()
        return copied

    def replace(self, old: ListCost | None, new: ListCost) -> str | None:
        """Swap `old` (a list's cost now, None for a new name) for `new`, if the totals stay
        within the limits; otherwise change nothing and say which limit it would pass."""
        before = self._figures()
        self._add(new)
        if old is not None:
            self.remove(old)
        passed = self._passed(before)
        if passed is not None:
            if old is not None:
                self._add(old)
            self.remove(new)
        return passed

    def remove(self, cost: ListCost) -> None:
        self.words -= cost.words
        self.word_uses -= cost.word_uses
        self.query_uses -= len(cost.query_terms)
        self.query_terms.subtract(cost.query_terms)
        for term in set(cost.query_terms):
            if self.query_terms[term] <= 0:
                del self.query_terms[term]

    def _add(self, cost: ListCost) -> None:
        self.words += cost.words
        self.word_uses += cost.word_uses
        self.query_uses += len(cost.query_terms)
        self.query_terms.update(cost.query_terms)

    def _figures(self) -> tuple[int, int, int, int]:
        return self.words, self.word_uses, len(self.query_terms), self.query_uses

    def _passed(self, before: tuple[int, int, int, int]) -> str | None:
        # Only a change that adds to a total over its limit is refused: lists already held
        # (say, before the limits were lowered) can still be replaced by smaller ones.
        limits = (MAX_WORDS, MAX_WORD_USES, MAX_QUERY_TERMS, MAX_QUERY_TERM_USES)
        what = (
            "words in their rules",
            "uses of words by their rules",
            "different query terms",
            "query terms in all",
        )
        for total, previous, limit, counted in zip(self._figures(), before, limits, what, strict=True):
            if total > limit and total > previous:
                return f"with it the lists would hold {total:,} {counted}, over the limit of {limit:,}"
        return None
