"""Stand-ins for the Faust table the stories stage keeps its state in."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping


class JsonStore(MutableMapping[str, object]):
    """A store that keeps values as JSON text, as the Faust table's changelog will: a
    value that is not JSON-able, or that only works as the same Python object, fails here."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def __getitem__(self, key: str) -> object:
        return json.loads(self.data[key])

    def __setitem__(self, key: str, value: object) -> None:
        self.data[key] = json.dumps(value)

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
