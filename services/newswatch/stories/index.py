"""The in-memory candidate index of one watch-list's stories, derived from the store.

MinHash LSH finds the indexed fingerprints likely to be alike (64 bands of 2 rows: a pair
with Jaccard 0.2 becomes a candidate with probability 0.93, an unrelated pair with
Jaccard 0.01 with 0.006), then `same_story`'s rule checks each candidate. Exact hashes
find exact copies, and short texts that LSH leaves out. Nothing here is persisted: the
book rebuilds it from the store.
"""

from __future__ import annotations

from datasketch import LeanMinHash, MinHashLSH

from newswatch.stories.fingerprint import (
    MIN_SHINGLES,
    NUM_PERM,
    SCHEME,
    SEED,
    Fingerprint,
    is_similar,
    similarity,
)

LSH_BANDS = 64
LSH_ROWS = 2


class StoryIndex:
    def __init__(self) -> None:
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))
        self._fingerprints: dict[str, tuple[str, Fingerprint]] = {}  # LSH key -> story, fingerprint
        self._exact: dict[str, str] = {}  # exact hash -> story
        self._keys: dict[str, list[str]] = {}  # story -> its LSH keys and exact hashes

    def add(self, story_id: str, article_id: str, fingerprint: Fingerprint) -> None:
        """Index `fingerprint` of `article_id`, a member of `story_id`."""
        self.add_exact(story_id, fingerprint.exact)
        if fingerprint.shingles < MIN_SHINGLES:
            return
        key = f"{story_id}\x1f{article_id}"
        self._lsh.insert(key, _minhash(fingerprint), check_duplication=False)
        self._fingerprints[key] = (story_id, fingerprint)
        self._keys.setdefault(story_id, []).append(key)

    def add_exact(self, story_id: str, exact: str) -> None:
        if exact and exact not in self._exact:
            self._exact[exact] = story_id
            self._keys.setdefault(story_id, []).append(exact)

    def remove_story(self, story_id: str) -> None:
        for key in self._keys.pop(story_id, []):
            if self._exact.get(key) == story_id:
                del self._exact[key]
            elif key in self._fingerprints:
                del self._fingerprints[key]
                self._lsh.remove(key)

    def best_match(self, fingerprint: Fingerprint) -> str | None:
        """The story `fingerprint` is a copy of, if any: an exact copy first, else the
        most similar indexed fingerprint that passes the rule (ties: the smaller key)."""
        exact = self._exact.get(fingerprint.exact) if fingerprint.exact else None
        if exact is not None or fingerprint.shingles < MIN_SHINGLES:
            return exact
        best: tuple[float, str] | None = None
        for key in self._lsh.query(_minhash(fingerprint)):
            candidate = self._fingerprints[key][1]
            found = similarity(fingerprint, candidate)
            if is_similar(found) and (best is None or (-found.jaccard, key) < (-best[0], best[1])):
                best = (found.jaccard, key)
        return None if best is None else self._fingerprints[best[1]][0]

    def __len__(self) -> int:
        return len(self._fingerprints)


def _minhash(fingerprint: Fingerprint) -> LeanMinHash:
    # Lean: only the hash values, which is all LSH reads; a full MinHash would parse its
    # permutations again for every lookup (a third of the stage's time in the profile).
    return LeanMinHash(seed=SEED, hashvalues=fingerprint.signature, scheme=SCHEME)
