"""The watch-list engine: article text in, scored matches with evidence out.

Everything expensive (reading YAML, building the automaton) happens once in
`Engine.from_paths`; `match` is pure and does no I/O, so one engine can serve every
article of a long-running worker. Each field is normalised and read once by the one
automaton holding every term of every list; rules are then scored from the hits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newswatch.watchlists.rules.collector import collector_paused
from newswatch.watchlists.rules.loader import (
    configured_watchlist_paths,
    default_watchlist_paths,
    load_watchlists,
)
from newswatch.watchlists.rules.model import (
    FIELDS,
    Field,
    Pattern,
    TermSet,
    Watchlist,
    WatchlistMatch,
)
from newswatch.watchlists.scoring.compiled import (
    QUERY_RULE,
    CompiledList,
    CompiledQuery,
    CompiledRule,
    by_pattern,
)
from newswatch.watchlists.scoring.database_cache import DatabaseCache
from newswatch.watchlists.scoring.deadline import Deadline, unlimited
from newswatch.watchlists.scoring.evidence import MAX_HITS, ReadArticle, evidence, hits
from newswatch.watchlists.scoring.explain import (
    Explanation,
    QueryExplanation,
    QueryNodeExplanation,
    RuleExplanation,
    WatchlistExplanation,
)
from newswatch.watchlists.scoring.matcher import Matcher, Spans
from newswatch.watchlists.scoring.presearch import choose_anchors
from newswatch.watchlists.scoring.query_scoring import ArticleMentions, query_reasons, score_watchlist
from newswatch.watchlists.scoring.rule_scoring import (
    ListOutcome,
    reaches_threshold,
    score_list,
    score_upper_bound,
)
from newswatch.watchlists.text.boilerplate import boilerplate_lines
from newswatch.watchlists.text.language import LanguageDetector
from newswatch.watchlists.text.normalize import NormalizedText, normalize
from newswatch.watchlists.text.sentences import FieldText

if TYPE_CHECKING:  # the engine stays pure: it reads one field of the settings, never builds them
    from newswatch.settings import Settings


class Engine:
    """Scores articles against a fixed set of watch-lists, compiled once.

    Takes validated watch-lists; most callers want `from_settings`, `from_paths` or
    `default`, which read the YAML and raise `WatchlistsInvalid` with every problem as
    `file:line: message`. `match(title, body)` runs the stages normalise, screen (the
    rules' first words), scan (one Hyperscan pass over each field), evaluate (rule
    scoring), language and evidence, and returns the matched lists with their evidence.

    Guarantees: `match` is pure (no I/O, no Kafka, no globals): the same article gives
    the same matches. Building one does I/O only when handed `databases` (the compiled
    automaton read from, or written to, that folder). Never reconfigured in place: a
    reload builds a whole new engine. With a `deadline`, `match` stops at the next stage
    boundary once it is spent (RecordTooSlow).
    """

    def __init__(
        self,
        watchlists: Sequence[Watchlist],
        previous: Engine | None = None,
        *,
        databases: DatabaseCache | None = None,
    ) -> None:
        """Compile `watchlists`; with `previous` (the engine they replace), what did not change is reused.

        A reload (one list published among 100,000) then compiles only the lists that
        changed: the others keep their compiled form, the patterns keep their numbers,
        and the automaton is kept whole when the changed lists bring no new pattern.
        With `databases` (a folder of the worker's state), the automaton compiled for the
        same patterns at an earlier start is read from there instead of compiled again.
        """
        with collector_paused():  # 100,000 lists: millions of objects, all kept
            self._build(watchlists, previous, databases)

    def _build(
        self, watchlists: Sequence[Watchlist], previous: Engine | None, databases: DatabaseCache | None
    ) -> None:
        ordered = sorted(watchlists, key=lambda item: item.name)
        self._patterns: list[Pattern] = []
        self._ids: dict[object, int] = {}
        kept = self._reuse(ordered, previous) if previous is not None else None
        if kept is None:
            self._patterns, self._ids = [], {}
            self._lists = tuple(self._compile(item) for item in ordered)
        if isinstance(kept, Matcher):
            self._matcher = kept
        elif kept and previous is not None:  # new patterns: only they are compiled, on top
            self._matcher = Matcher(self._patterns, previous._matcher, databases)
        else:
            self._matcher = Matcher(self._patterns, databases=databases)
        # The first group's patterns of every rule, each with the (list, rule) it anchors:
        # an article none of whose lists may reach the threshold on these alone is done.
        # A query anchors on one clause of the terms it requires (the presearcher's choice).
        anchors: dict[int, list[tuple[int, int]]] = {}
        queries = {number: item.query.clauses for number, item in enumerate(self._lists) if item.query}
        query_anchors = choose_anchors(queries)
        for list_number, item in enumerate(self._lists):
            for rule_number, compiled in enumerate(item.rules):
                for pattern in compiled.parts[0]:
                    anchors.setdefault(pattern, []).append((list_number, rule_number))
            for pattern in sorted(query_anchors.get(list_number, ())):
                anchors.setdefault(pattern, []).append((list_number, QUERY_RULE))
        # Read from the one matcher's scan (Hyperscan's advice: one database, scanned once).
        self._anchor_rules = {pattern: tuple(where) for pattern, where in anchors.items()}
        self._detector = LanguageDetector(
            language for item in self._lists for language in item.watchlist.languages
        )

    def _reuse(self, ordered: Sequence[Watchlist], previous: Engine) -> Matcher | bool | None:
        """Compile on top of `previous`: its matcher when the patterns are the same, True when
        new ones need a new matcher, None when a fresh compile is better (too many dead patterns)."""
        self._patterns, self._ids = list(previous._patterns), dict(previous._ids)
        compiled = {item.watchlist.name: item for item in previous._lists}
        lists = []
        for watchlist in ordered:
            earlier = compiled.get(watchlist.name)
            same = earlier is not None and (earlier.watchlist is watchlist or earlier.watchlist == watchlist)
            lists.append(earlier if same and earlier is not None else self._compile(watchlist))
        self._lists = tuple(lists)
        # Patterns of removed or changed lists stay in the automaton, found and ignored;
        # past a tenth of it, compile afresh rather than keep scanning for them.
        if len(frozenset().union(*(item.patterns for item in lists))) < 0.9 * len(self._patterns):
            return None
        # The same patterns, numbered alike: the same automaton.
        return previous._matcher if len(self._patterns) == len(previous._patterns) else True

    def _compile(self, watchlist: Watchlist) -> CompiledList:
        rules = tuple(
            CompiledRule(rule, tuple(self._term_ids(part) for part in rule.parts), self._term_ids(rule.none))
            for rule in watchlist.rules
        )
        query = None
        if watchlist.query is not None:  # its terms join the one matcher, shared with every list
            terms = tuple(self._pattern_id(term.pattern) for term in watchlist.query.terms)
            query = CompiledQuery.build(watchlist.query, terms)
        return CompiledList.build(watchlist, rules, self._term_ids(watchlist.exclusions), query)

    def _term_ids(self, term_set: TermSet | None) -> frozenset[int]:
        if term_set is None:
            return frozenset()
        return frozenset(self._pattern_id(pattern) for pattern in term_set.patterns)

    def _pattern_id(self, pattern: Pattern) -> int:
        """The pattern's number in the matcher; patterns that find the same text share one."""
        key = pattern.key  # looked up once: hashing it hashes each of its segments
        number = self._ids.get(key)
        if number is None:
            number = self._ids[key] = len(self._patterns)
            self._patterns.append(pattern)
        return number

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> Engine:
        """Load, validate and compile the watch-lists in `paths` (WatchlistsInvalid if invalid)."""
        return cls(load_watchlists(paths))

    @classmethod
    def default(cls) -> Engine:
        """The engine for the watch-lists shipped with newswatch."""
        return cls.from_paths(default_watchlist_paths())

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        """The engine for the configured watch-lists (the packaged defaults when none are set)."""
        return cls.from_paths(configured_watchlist_paths(settings.watchlists))

    @property
    def watchlist_names(self) -> tuple[str, ...]:
        return tuple(item.watchlist.name for item in self._lists)

    @property
    def watchlists(self) -> tuple[Watchlist, ...]:
        return tuple(item.watchlist for item in self._lists)

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """Every pattern the matcher looks for, each once however many lists and queries use it."""
        return tuple(self._patterns)

    @property
    def matcher(self) -> Matcher:
        """The compiled automaton of every pattern (for benchmarks and tools)."""
        return self._matcher

    def detect_language(self, text: str) -> str | None:
        """The language of `text` among those the watch-lists cover, or None when unsure."""
        return self._detector.detect(text)

    def match(
        self, title: str, body: str, language: str | None = None, *, deadline: Deadline | None = None
    ) -> list[WatchlistMatch]:
        """The watch-lists this article matches, sorted by name, each with its evidence.

        `language` is only a hint and does not restrict the rules: articles quote other
        languages and feeds mislabel them. When it is None the language is detected
        (reported in each match's `language`). With a `deadline`, the clock is checked
        as each stage ends and RecordTooSlow is raised once the budget is spent.
        """
        check = unlimited if deadline is None else deadline.check
        documents = self._normalize(title, body)
        check("normalise")
        spans = {field: self._matcher.spans(document.text) for field, document in documents.items()}
        reachable = self._screen(documents, spans)
        check("screen")
        if not reachable:
            return []
        article = self._read(documents, spans)
        check("scan")
        outcomes = self._outcomes(article, reachable_only=True, lists=reachable, check=check)
        matched = [outcome for outcome in outcomes if outcome.matched]
        if matched and language is None:
            language = self._detector.detect(f"{title}\n{body}")
            check("language")
        matches = []
        for outcome in matched:
            chosen = evidence(outcome.evidence, article, self._patterns, MAX_HITS)
            check(f"evidence {outcome.watchlist.name}")
            matches.append(WatchlistMatch(outcome.watchlist.name, outcome.score, chosen, language))
        return matches

    def _screen(
        self, documents: dict[Field, NormalizedText], spans: dict[Field, Spans] | None = None
    ) -> list[CompiledList]:
        """The lists that may reach their threshold, judged from their rules' first words only,
        and for a list with a query alone, from the clauses the query requires.

        An article no list may reach needs no other word looked up.
        """
        # Only the lists an anchor names are touched: the cost follows the article, not the desk.
        counts: dict[int, dict[int, int]] = {}
        mentioned: set[int] = set()
        rules = self._anchor_rules
        for field, document in documents.items():
            scanned = None if spans is None else spans[field]
            found = self._matcher.counts(document.text, scanned)
            mentioned.update(found)
            for pattern, count in found.items():
                for list_number, rule_number in rules.get(pattern, ()):
                    anchors = counts.get(list_number)
                    if anchors is None:
                        anchors = counts[list_number] = {}
                    anchors[rule_number] = anchors.get(rule_number, 0) + count
        lists = self._lists
        return [
            lists[number]
            for number in sorted(counts)  # the lists' order: by name
            if _may_reach(lists[number], counts[number], mentioned)
        ]

    def explain(self, title: str, body: str, language: str | None = None) -> Explanation:
        """For every watch-list: the rules that fired, their weights, the score and the threshold."""
        detected = language is None
        if language is None:
            language = self._detector.detect(f"{title}\n{body}")
        article = self._read(self._normalize(title, body))
        outcomes = {outcome.watchlist.name: outcome for outcome in self._outcomes(article)}
        lists = []
        for item in self._lists:
            outcome = outcomes.get(item.watchlist.name) or score_list(item, (), {}, {})
            assert outcome is not None
            rules = tuple(
                RuleExplanation(
                    name=rule.rule.name,
                    weight=rule.rule.weight,
                    mentions=rule.mentions,
                    counted=rule.counted,
                    points=round(rule.points, 3),
                    vetoed=rule.vetoed,
                    min_mentions=rule.rule.min_mentions,
                    evidence=hits(rule.evidence, article, self._patterns),
                )
                for rule in outcome.rules
            )
            query = None if item.query is None else self._explain_query(item.query, outcome, article)
            lists.append(
                WatchlistExplanation(
                    item.watchlist.name,
                    item.watchlist.threshold,
                    outcome.score,
                    outcome.matched,
                    rules,
                    query,
                )
            )
        return Explanation(language, detected, tuple(lists))

    def _explain_query(
        self, compiled: CompiledQuery, outcome: ListOutcome, article: ReadArticle
    ) -> QueryExplanation:
        nodes = tuple(
            QueryNodeExplanation(
                node.depth, node.written, node.holds, node.reason, hits(found, article, self._patterns)
            )
            for node, found in query_reasons(
                compiled, article.found, by_pattern(article.found), article.texts
            )
        )
        result = outcome.query
        matched = result is not None and result.matched
        return QueryExplanation(compiled.query.text, matched, result.points if result else 0.0, nodes)

    @staticmethod
    def _normalize(title: str, body: str) -> dict[Field, NormalizedText]:
        return {"title": normalize(title, boilerplate_lines), "body": normalize(body, boilerplate_lines)}

    def _read(
        self, documents: dict[Field, NormalizedText], spans: dict[Field, Spans] | None = None
    ) -> ReadArticle:
        found = tuple(
            item
            for field in FIELDS
            for item in self._matcher.find(
                documents[field].text, field, None if spans is None else spans[field]
            )
        )
        texts = {field: FieldText(document.text) for field, document in documents.items()}
        return ReadArticle(documents, texts, found)

    def _outcomes(
        self,
        article: ReadArticle,
        *,
        reachable_only: bool = False,
        lists: Sequence[CompiledList] | None = None,
        check: Callable[[str], None] = unlimited,
    ) -> list[ListOutcome]:
        """The outcomes of the lists (default: all) the article mentions.

        Only of those that may match if `reachable_only`; `check` is called after each list.
        """
        positions = by_pattern(article.found)
        mentioned = frozenset(positions)  # a set: `isdisjoint` then walks the smaller side, not the dict
        shared = ArticleMentions(article.found, positions, article.texts)  # one for all the lists
        outcomes = []
        for item in self._lists if lists is None else lists:
            if item.patterns.isdisjoint(mentioned):
                continue
            outcome = score_watchlist(
                item, article.found, positions, article.texts, reachable_only=reachable_only, shared=shared
            )
            check(f"evaluate {item.watchlist.name}")  # the stage name dead letters and tests report
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes


def _may_reach(item: CompiledList, anchors: dict[int, int], mentioned: set[int]) -> bool:
    """Whether the list may reach its threshold on an article that counts `anchors` of its
    rules (by rule number) and mentions the patterns `mentioned`."""
    if not item.rules and item.query is not None and not item.query.may_match(mentioned):
        # A query alone scores only when it matches: most of a desk's lists stop here,
        # at the presearcher's later passes, before the article is read any further.
        return False
    return reaches_threshold(score_upper_bound(item, anchors), item.watchlist)
