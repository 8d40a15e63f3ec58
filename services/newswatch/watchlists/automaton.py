"""A small Aho-Corasick automaton: every occurrence of many keys in one pass.

Hand-written rather than pyahocorasick because its running time must not depend on
how odd a key is: with dictionary-suffix links, `occurrences` costs O(len(text) +
number of occurrences) even for a 10,000-character key of one repeated letter, for
which pyahocorasick walks the whole failure chain at every character.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

_ROOT = 0
_NONE = -1


class Automaton:
    """Compiled from a fixed list of keys; reports (key number, end offset) pairs."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._key: list[int] = [_NONE]  # the key that ends at each node, if any
        for number, key in enumerate(keys):
            node = _ROOT
            for char in key:
                following = self._goto[node].get(char)
                if following is None:
                    following = len(self._goto)
                    self._goto[node][char] = following
                    self._goto.append({})
                    self._key.append(_NONE)
                node = following
            self._key[node] = number
        self._fail = [_ROOT] * len(self._goto)
        # Nearest node on the failure chain where a key ends: lets `occurrences` jump
        # straight from output to output instead of walking every failure link.
        self._output_link = [_NONE] * len(self._goto)
        self._link_failures()

    def _link_failures(self) -> None:
        queue = deque(self._goto[_ROOT].values())
        while queue:
            node = queue.popleft()
            for char, child in self._goto[node].items():
                fallback = self._fail[node]
                while fallback != _ROOT and char not in self._goto[fallback]:
                    fallback = self._fail[fallback]
                target = self._goto[fallback].get(char, _ROOT)
                self._fail[child] = target if target != child else _ROOT
                fail = self._fail[child]
                self._output_link[child] = fail if self._key[fail] != _NONE else self._output_link[fail]
                queue.append(child)

    def occurrences(self, text: str) -> Iterator[tuple[int, int]]:
        """(key number, end offset) for every occurrence of every key, by end offset."""
        goto, fail, key, output_link = self._goto, self._fail, self._key, self._output_link
        node = _ROOT
        for index, char in enumerate(text):
            while node != _ROOT and char not in goto[node]:
                node = fail[node]
            node = goto[node].get(char, _ROOT)
            found = node if key[node] != _NONE else output_link[node]
            while found != _NONE:
                yield key[found], index + 1
                found = output_link[found]
