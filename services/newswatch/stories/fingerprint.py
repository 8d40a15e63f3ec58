"""What makes two article bodies copies of one story: a MinHash fingerprint of the body.

Only the body counts: syndicated copies are re-headlined all the time. The body is folded
like the watch-list engine folds text (NFKC, casefold, ASCII punctuation, bare Arabic),
boilerplate lines (related-story links, page furniture) and short lines (datelines,
bylines, "Read more", "UPDATE 1-", credits) are dropped, so that neither makes two
different stories look alike nor stops two copies from matching. What is left is cut
into shingles: word 3-grams for scripts written with spaces, character 4-grams for
Chinese, Japanese, Thai and the other scripts without them (a "word" there is a whole
sentence). The fingerprint keeps the MinHash of the shingle set, its size, and an exact
hash of the kept words.

Bounded cost: only the first `MAX_BODY_CHARS` characters of a body are read, so a 1 MiB
body costs what a long article costs. Copies are judged by their head: a copy that
differs from the original only after the first 20,000 characters counts as the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby

import numpy as np
from datasketch import MinHash

from newswatch.watchlists.text.boilerplate import boilerplate_lines
from newswatch.watchlists.text.script import NO_SPACE_CLASS, fold

NUM_PERM = 128
# The first characters of a body that are read; the rest is ignored (hostile sizes).
MAX_BODY_CHARS = 20_000
# Word shingles for spaced scripts, character shingles for the others.
WORD_SHINGLE = 3
CHAR_SHINGLE = 4
# A body whose word characters are at least this share of no-space scripts is shingled by characters.
NO_SPACE_SHARE = 0.3
# A line with fewer units than this (words; two characters of a no-space script count as
# one) is a dateline, a byline, a credit or a "Read more" link, not the article's text.
MIN_LINE_UNITS = 6
# Below this many shingles the MinHash estimate is too coarse: only exact copies match.
MIN_SHINGLES = 8
# Same story when the estimated Jaccard similarity reaches JACCARD_MIN, or when the
# shorter text is mostly contained in the longer one (a trimmed copy) and the overlap is
# not a sliver of a much longer text (the estimate is too noisy there).
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.75
CONTAINMENT_JACCARD_FLOOR = 0.1

SCHEME = "affine32"
SEED = 1
# Letters, digits and combining marks (Thai vowel signs, Devanagari matras) make words;
# Python's \w leaves the marks out.
_NO_SPACE = re.compile(f"[{NO_SPACE_CLASS}]")
# The MurmurHash3 finaliser of 32-bit values, as datasketch's affine32 scheme mixes each
# hash before permuting it (see _minimums).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_NO_SHINGLE = (2**32 - 1,) * NUM_PERM  # datasketch's initial values: what an empty set keeps


@cache
def _word_pattern() -> re.Pattern[str]:
    marks = [code for code in range(0x10000) if unicodedata.category(chr(code))[0] == "M"]
    # Consecutive code points as ranges: a class of 1,300 single characters compiles slowly.
    runs = (list(run) for _, run in groupby(enumerate(marks), key=lambda pair: pair[1] - pair[0]))
    spans = "".join(f"{re.escape(chr(run[0][1]))}-{re.escape(chr(run[-1][1]))}" for run in runs)
    return re.compile(f"[\\w{spans}]+")


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for NUM_PERM, SEED and SCHEME.

    Generating them costs more than hashing an article: done once.
    """
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The MinHash `signature` of a body's shingle set, the set's size and an exact hash.

    `exact` is empty for a body with no text left after normalisation: such bodies match
    nothing (they would otherwise all be one story).
    """

    signature: tuple[int, ...]
    shingles: int
    exact: str

    def to_json(self) -> dict[str, object]:
        return {"sig": list(self.signature), "n": self.shingles, "h": self.exact}

    @classmethod
    def from_json(cls, value: dict[str, object]) -> Fingerprint:
        signature = value["sig"]
        shingles = value["n"]
        exact = value["h"]
        assert isinstance(signature, list) and isinstance(shingles, int) and isinstance(exact, str)
        return cls(tuple(int(v) for v in signature), shingles, exact)


@dataclass(frozen=True, slots=True)
class Similarity:
    """Estimated Jaccard similarity of two shingle sets, and how much of the smaller one
    the larger contains (|A∩B| / min(|A|, |B|), derived from the Jaccard and both sizes)."""

    jaccard: float
    containment: float


def fingerprint(title: str, body: str) -> Fingerprint:
    """The fingerprint of an article. `title` is accepted and ignored: headlines change."""
    del title
    lines = content_lines(body)
    shingle_set = shingles(lines)
    digest = hashlib.blake2b("\n".join(" ".join(line) for line in lines).encode(), digest_size=16)
    return Fingerprint(
        signature=_minimums(shingle_set),
        shingles=len(shingle_set),
        exact=digest.hexdigest() if lines else "",
    )


def _minimums(shingle_set: set[str]) -> tuple[int, ...]:
    """The MinHash signature datasketch's `MinHash(scheme="affine32", hashfunc=zlib.crc32)`
    gives after `update_batch` of the UTF-8 shingles, value for value (a test compares them),
    for less: the hashes go straight from C into one array, with no per-value checks, and
    the permuted matrix is computed in place.

    CRC-32 in C rather than SHA-1 (datasketch's default, five times the cost a shingle);
    the finaliser mixes it before the affine permutations.
    """
    if not shingle_set:
        return _NO_SHINGLE
    crcs = map(zlib.crc32, map(str.encode, shingle_set))
    hashes = np.fromiter(crcs, dtype=np.uint32, count=len(shingle_set))
    shift1, multiply1, shift2, multiply2, shift3 = _FMIX32
    hashes ^= hashes >> shift1
    hashes *= multiply1
    hashes ^= hashes >> shift2
    hashes *= multiply2
    hashes ^= hashes >> shift3
    a, b = permutations()
    permuted = hashes.reshape(-1, 1) * a  # wraps modulo 2**32, as datasketch's does
    permuted += b
    return tuple(permuted.min(axis=0).tolist())


def content_lines(body: str) -> list[list[str]]:
    """The words of each line of `body` that is text: folded, boilerplate and short lines dropped.

    When every line is short (a brief written in short lines), the short lines are kept.
    """
    text = fold(body[:MAX_BODY_CHARS])
    dropped = {start for start, _ in boilerplate_lines(text)}
    words = _word_pattern().findall
    # Most bodies have no character of a script without spaces: one test, not a search a line.
    no_space = _has_no_space(text)
    kept: list[list[str]] = []
    short: list[list[str]] = []
    position = 0
    for line in text.split("\n"):
        start, position = position, position + len(line) + 1
        tokens = words(line)
        if start in dropped or not tokens:
            continue
        # A run of no-space script is one token but many words: about two characters a word.
        units = len(tokens) + (len(_NO_SPACE.findall(line)) / 2 if no_space else 0)
        (kept if units >= MIN_LINE_UNITS else short).append(tokens)
    return kept or short


def _has_no_space(text: str) -> bool:
    """Whether `text` has a character of a script without spaces; O(1) for ASCII text
    (a flag of the string), whose search would test every character against the class."""
    return not text.isascii() and _NO_SPACE.search(text) is not None


def shingles(lines: Sequence[Sequence[str]]) -> set[str]:
    """Word 3-grams, or character 4-grams when the text is mostly in a script without spaces."""
    tokens = [token for line in lines for token in line]
    stream = "".join(tokens)
    if not stream:
        return set()
    if _has_no_space(stream) and len(_NO_SPACE.findall(stream)) >= NO_SPACE_SHARE * len(stream):
        size = CHAR_SHINGLE
        return {stream[i : i + size] for i in range(max(1, len(stream) - size + 1))}
    if len(tokens) < WORD_SHINGLE:
        return {" ".join(tokens)}
    # The n-grams through zip and map: C loops, a third of the cost of slicing and joining.
    return set(map(" ".join, zip(*(tokens[i:] for i in range(WORD_SHINGLE)), strict=False)))


def similarity(a: Fingerprint, b: Fingerprint) -> Similarity:
    """Estimated Jaccard similarity and containment of the two bodies' shingle sets."""
    return _similarity(a.signature, a.shingles, b.signature, b.shingles)


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """True when `b` is a copy of `a` (symmetric): the same normalised words, or shingle
    sets alike enough (see the thresholds above). Texts of fewer than `MIN_SHINGLES`
    shingles match exact copies only; bodies with no text match nothing."""
    if not a.exact or not b.exact:
        return False
    if a.exact == b.exact:
        return True
    if min(a.shingles, b.shingles) < MIN_SHINGLES:
        return False
    return is_similar(similarity(a, b))


def is_similar(found: Similarity) -> bool:
    """The threshold rule of `same_story`, for callers that already have the similarity."""
    if found.jaccard >= JACCARD_MIN:
        return True
    return found.containment >= CONTAINMENT_MIN and found.jaccard >= CONTAINMENT_JACCARD_FLOOR


def _similarity(
    signature_a: Sequence[int], size_a: int, signature_b: Sequence[int], size_b: int
) -> Similarity:
    equal = sum(1 for x, y in zip(signature_a, signature_b, strict=True) if x == y)
    jaccard = equal / len(signature_a)
    smaller = min(size_a, size_b)
    if not smaller:
        return Similarity(jaccard, 0.0)
    # |A∩B| = J·|A∪B| and |A∪B| = |A| + |B| - |A∩B|, so |A∩B| = J·(|A| + |B|) / (1 + J).
    overlap = jaccard * (size_a + size_b) / (1 + jaccard)
    return Similarity(jaccard, min(1.0, overlap / smaller))
