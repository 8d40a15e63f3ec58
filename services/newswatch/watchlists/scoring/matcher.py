"""Find every watch-list pattern in a text in one pass, in time linear in the text.

All segments of all patterns of all watch-lists go into one Hyperscan database of
pure literals (automata in C, no backtracking), built once; an article is read once,
as UTF-8. No regular expression is ever built from an analyst's term. Word boundaries
and the "*" stems are checked around each raw occurrence in constant time per
occurrence (amortised); phrases split by an inner "*" are chained from their
segments' hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import hyperscan

from newswatch.watchlists.rules.model import Field, Pattern, Segment
from newswatch.watchlists.scoring.database_cache import DatabaseCache, database_key
from newswatch.watchlists.text.script import is_no_space_char, is_word_char

# UTF-8, not UTF-16: Latin text is half the bytes and a CJK character three bytes, not
# two, which Hyperscan's literal matcher filters better: 2.8 x less scanning time on real
# news (15 against 42 us an article). A literal's bytes can only match whole characters
# (a lead byte never continues a character). Lone surrogates pass as their three bytes.
_UNITS = "utf-8"
_ERRORS = "surrogatepass"
_MODE = hyperscan.HS_MODE_BLOCK
# Literals a reload may compile into the second database before one compiles everything
# again (a few hundred milliseconds of compiling; each scan reads a second, small database).
MAX_ADDED_LITERALS = 5_000


Spans = dict[int, dict[int, int]]  # per segment number, its accepted occurrences as {start: end}


class Found(NamedTuple):
    """Pattern number `pattern` found in `field` at normalised text[start:end].

    A named tuple rather than a frozen dataclass: articles have dozens of these and a
    tuple is several times cheaper to build; equality and hashing are the same.
    """

    field: Field
    pattern: int
    start: int
    end: int


class _WordChars(dict[str, bool]):
    """Whether a character may continue a word of a spaced script (CJK characters never do).

    A dict filled on first sight of each character: the boundary test on every raw
    hit is then one lookup.
    """

    def __missing__(self, char: str) -> bool:
        value = self[char] = is_word_char(char) and not is_no_space_char(char)
        return value


_IN_WORD = _WordChars()


def _joins(text: str, inside: int, outside: int) -> bool:
    """Whether text[outside] continues the word that text[inside] belongs to."""
    return 0 <= outside < len(text) and _IN_WORD[text[outside]] and _IN_WORD[text[inside]]


class Matcher:
    """A compiled set of patterns; `find` reports them by their index in `patterns`.

    With `previous` (a matcher whose patterns are the first of `patterns`, as an engine
    reloading on top of the one in use numbers them), only the literals it lacks are
    compiled, into a second small database scanned after the first: publishing one
    list with a new term among 100,000 compiles that term, not the desk. The second
    database grows with each such reload until it passes MAX_ADDED_LITERALS; that
    reload compiles everything into one database again.

    With `databases`, a database that holds everything is taken from there when one was
    stored for exactly these literals (a restart with the same lists), else compiled and
    stored; the small second database is always compiled.
    """

    _segment_ids: dict[Segment, int]
    _database: hyperscan.Database | None
    _added_database: hyperscan.Database | None
    _added: list[str]
    _by_literal: list[tuple[int, ...]]
    _literals: list[tuple[tuple[int, bool, bool, bool, bool], ...]]
    _lengths: list[int]

    def __init__(
        self,
        patterns: Sequence[Pattern],
        previous: Matcher | None = None,
        databases: DatabaseCache | None = None,
    ) -> None:
        if previous is not None and not _extends(patterns, previous):
            previous = None
        self._patterns = tuple(patterns)
        self._segments: list[Segment] = [] if previous is None else list(previous._segments)
        segment_ids: dict[Segment, int] = {} if previous is None else dict(previous._segment_ids)
        self._chains: list[tuple[int, ...]] = [] if previous is None else list(previous._chains)
        # Patterns by their first segment: a hit of that segment may start them.
        self._starting: list[list[int]] = [] if previous is None else list(previous._starting)
        for number in range(len(self._chains), len(patterns)):
            chain: list[int] = []
            for segment in patterns[number].segments:
                if segment not in segment_ids:
                    segment_ids[segment] = len(self._segments)
                    self._segments.append(segment)
                    self._starting.append([])
                chain.append(segment_ids[segment])
            self._chains.append(tuple(chain))
            first = chain[0]
            if previous is not None and first < len(previous._starting):
                self._starting[first] = [*self._starting[first], number]  # the previous one's stays
            else:
                self._starting[first].append(number)
        self._segment_ids = segment_ids
        added = self._literal_table(previous)
        if (
            previous is not None
            and previous._database is not None
            and len(previous._added) + len(added) <= MAX_ADDED_LITERALS
        ):
            self._database, self._added = previous._database, [*previous._added, *added]
        else:  # everything in one database again
            self._database, self._added = _compiled(list(self._literal_ids), 0, databases), []
        self._added_database = _compiled(self._added, len(self._literal_ids) - len(self._added))

    def _literal_table(self, previous: Matcher | None) -> list[str]:
        """Fill the per-literal tables, from `previous`'s and the new segments; the new literals.

        Only the literals the new segments touch are built again (a reload costs what it adds).
        """
        self._literal_ids: dict[str, int] = {} if previous is None else dict(previous._literal_ids)
        by_literal = [] if previous is None else list(previous._by_literal)
        added: list[str] = []
        touched: dict[int, str] = {}
        for number in range(0 if previous is None else len(previous._segments), len(self._segments)):
            literal = self._segments[number].literal
            if literal not in self._literal_ids:
                self._literal_ids[literal] = len(by_literal)
                by_literal.append(())
                added.append(literal)
            at = self._literal_ids[literal]
            by_literal[at] = (*by_literal[at], number)
            touched[at] = literal
        self._by_literal = by_literal
        # Per literal, its segments as (number, open start, open end, first and last
        # characters continue words): a closed side whose character cannot continue
        # a word (CJK, punctuation) needs no boundary test at all.
        self._literals = [] if previous is None else list(previous._literals)
        self._literals.extend(() for _ in added)
        for at, literal in touched.items():
            self._literals[at] = tuple(
                (
                    number,
                    self._segments[number].open_start,
                    self._segments[number].open_end,
                    _IN_WORD[literal[0]],
                    _IN_WORD[literal[-1]],
                )
                for number in by_literal[at]
            )
        # A literal's start is its end less its length: Hyperscan need not track starts
        # (HS_FLAG_SOM_LEFTMOST made the scan twice as slow).
        self._lengths = [] if previous is None else list(previous._lengths)
        self._lengths.extend(len(literal) for literal in added)
        return added

    def spans(self, text: str) -> Spans:
        """The one scan of `text`: per segment, its accepted spans (`find` and `counts` read them)."""
        return {} if self._database is None else self._segment_spans(text)

    @property
    def added_literals(self) -> int:
        """Literals compiled apart since the last full compile (0 after one)."""
        return len(self._added)

    def find(self, text: str, field: Field = "body", spans: Spans | None = None) -> list[Found]:
        """Every pattern occurrence that respects word boundaries, by start offset.

        `spans`: this text's `spans`, when already scanned (the text is not scanned again).
        """
        if spans is None:
            spans = self.spans(text)
        found: list[Found] = []
        for segment, starts in spans.items():
            # Patterns in the order they start with this segment (ties keep that order).
            for number in self._starting[segment]:
                chain = self._chains[number]
                if len(chain) == 1:
                    found.extend([Found(field, number, start, end) for start, end in starts.items()])
                    continue
                for start, end in starts.items():
                    last = _follow(chain, end, spans, text)
                    if last is not None:
                        found.append(Found(field, number, start, last))
        found.sort(key=_text_order)
        return found

    def counts(self, text: str, spans: Spans | None = None) -> dict[int, int]:
        """How many occurrences of each pattern `find` would report (without building them)."""
        if spans is None:
            spans = self.spans(text)
        counts: dict[int, int] = {}
        for segment, starts in spans.items():
            for number in self._starting[segment]:
                chain = self._chains[number]
                if len(chain) == 1:
                    count = len(starts)
                else:
                    count = sum(_follow(chain, end, spans, text) is not None for end in starts.values())
                if count:
                    counts[number] = counts.get(number, 0) + count
        return counts

    def _segment_spans(self, text: str) -> Spans:
        """Per segment, its accepted spans as {start: end}.

        The text is scanned as UTF-8 and each raw hit checked as Hyperscan reports it
        (in order of end offset). When the text is ASCII a byte is a character; otherwise
        each end offset is decoded from the one before.
        """
        assert self._database is not None
        spans: dict[int, dict[int, int]] = {}
        # Last accepted span per stemmed segment: later raw hits inside the same word
        # are the same evidence, and skipping them keeps long words linear.
        last: dict[int, tuple[int, int]] = {}
        in_word = _IN_WORD
        length = len(text)
        literals = self._literals
        segments = self._segments
        encoded = text.encode(_UNITS, _ERRORS)
        ascii_only = len(encoded) == length
        characters = _Characters(encoded)
        lengths = self._lengths
        words = _WordStarts(text)

        def check(literal: int, _start: int, end: int, _flags: int, _context: object) -> None:
            if not ascii_only:
                end = characters.at(end)
            start = end - lengths[literal]
            for number, open_start, open_end, first_joins, last_joins in literals[literal]:
                if not (open_start or open_end):  # the common case, inline
                    if (first_joins and start > 0 and in_word[text[start - 1]]) or (
                        last_joins and end < length and in_word[text[end]]
                    ):
                        continue
                    spans.setdefault(number, {})[start] = end
                    continue
                seen = last.get(number)
                if seen is not None and seen[0] <= start and end <= seen[1]:
                    continue
                span = _accept(text, segments[number], start, end, words)
                if span is not None:
                    last[number] = span
                    spans.setdefault(number, {})[span[0]] = span[1]

        self._database.scan(encoded, match_event_handler=check)
        if self._added_database is not None:
            # Hits arrive by end offset within each scan; the helpers above stay right
            # when offsets go back (they only cost a little more then).
            self._added_database.scan(encoded, match_event_handler=check)
        return spans


def _extends(patterns: Sequence[Pattern], previous: Matcher) -> bool:
    """Whether `previous` holds the first of `patterns`, numbered alike."""
    known = previous._patterns
    return len(known) <= len(patterns) and all(
        one is other or one.key == other.key for one, other in zip(known, patterns, strict=False)
    )


def _compiled(
    literals: Sequence[str], first_id: int, databases: DatabaseCache | None = None
) -> hyperscan.Database | None:
    """A database of the literals, numbered from `first_id`; None for none. With `databases`,
    the one stored for exactly this compile, when there is one (else compiled and stored)."""
    if not literals:
        return None
    encoded = [literal.encode(_UNITS) for literal in literals]
    # Hyperscan's pure-literal compiler (hs_compile_lit_multi) takes the bytes as they are:
    # the same automaton as the literals written as \xHH patterns, in 12 s of CPU instead
    # of 14 + 1 s for 200,000 literals. Its Python binding measures each literal with
    # strlen, so a literal holding a NUL (a YAML "\0" escape) is written as \xHH bytes and
    # the whole set goes through the pattern compiler.
    literal = all(b"\0" not in item for item in encoded)
    expressions = encoded if literal else [_byte_pattern(item) for item in encoded]

    def compiled() -> hyperscan.Database:
        database = hyperscan.Database(mode=_MODE)
        database.compile(
            expressions=expressions,
            ids=list(range(first_id, first_id + len(expressions))),
            elements=len(expressions),
            flags=[0] * len(expressions),
            literal=literal,
        )
        return database

    if databases is None:
        return compiled()
    key = database_key(expressions, first_id, mode=_MODE, literal=literal)
    return databases.database(key, _MODE, compiled)


def _text_order(item: Found) -> tuple[int, int]:
    return item.start, -item.end


def _byte_pattern(literal: bytes) -> bytes:
    """The literal as a pattern with no operator at all: each byte written \\xHH."""
    return "".join(f"\\x{byte:02x}" for byte in literal).encode()


class _Characters:
    """Character offsets of the byte offsets of one UTF-8 text, asked in order of end offset.

    Each answer decodes (in C) only the bytes between the last offset asked and this one,
    so a scan's hits cost O(n) in all; an offset before the last one decodes back.
    """

    def __init__(self, encoded: bytes) -> None:
        self._encoded = encoded
        self._byte = self._character = 0

    def at(self, offset: int) -> int:
        if offset > self._byte:
            self._character += len(self._encoded[self._byte : offset].decode(_UNITS, _ERRORS))
        elif offset < self._byte:
            self._character -= len(self._encoded[offset : self._byte].decode(_UNITS, _ERRORS))
        self._byte = offset
        return self._character


def _follow(chain: tuple[int, ...], end: int, spans: dict[int, dict[int, int]], text: str) -> int | None:
    """The end of a chained phrase whose first segment ends at `end`, or None if it breaks."""
    for segment in chain[1:]:
        following = spans.get(segment)
        if following is None or text[end : end + 1] != " " or end + 1 not in following:
            return None
        end = following[end + 1]
    return end


class _WordStarts:
    """Where the word around an offset starts, remembered for one scan of one text.

    Hits arrive by end offset, so the word a walk back crosses is often the one the
    previous walk crossed: each walk stops where the last one began, and every
    character of a text is walked over at most once per scan (O(n) in all).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._low = self._high = -1  # every offset in [low, high] is in the word starting at low

    def of(self, offset: int) -> int:
        """The start of the word text[offset] is in (offset itself if it does not join)."""
        text = self._text
        start = offset
        while _joins(text, start, start - 1):
            start -= 1
            if self._low <= start <= self._high:
                start = self._low
                break
        self._low, self._high = start, offset
        return start


def _accept(text: str, segment: Segment, start: int, end: int, words: _WordStarts) -> tuple[int, int] | None:
    """The occurrence's span after applying boundaries and stems, or None to reject it.

    The closed sides are tested first, in O(1): a hit inside a long word is rejected
    before any walk. Walking back to a word's start is shared through `words`; walking
    forward to its end happens once per accepted span (later hits inside it are skipped).
    """
    if not segment.open_start and _joins(text, start, start - 1):
        return None
    if not segment.open_end and _joins(text, end - 1, end):
        return None
    if segment.open_start:
        start = words.of(start)
    if segment.open_end:
        while _joins(text, end - 1, end):
            end += 1
    return start, end
