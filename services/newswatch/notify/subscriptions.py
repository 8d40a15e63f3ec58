"""The subscriptions file (`NEWSWATCH_SUBSCRIPTIONS`): who receives what, how and when.

```yaml
subscriptions:
  - name: korea-desk
    watchlists: [korean_peninsula]   # default: every watch-list
    per: story                       # story (default) | article
    min_score: 2                     # optional
    spikes: true                     # default false
    digest: 1h                       # optional: 15m, 1h, 1d ... (absent: immediately)
    to:
      - https://hooks.example.org/newswatch
      - mailto:korea-desk@example.org
      - slack://T000/B000/XXXX/#korea  # any other scheme: an apprise URL
    secret_env: KOREA_DESK_WEBHOOK_SECRET   # or secret: / secret_file:
```

The file is read as the watch-lists are (`watchlists/rules/yaml_nodes.py`): size capped,
anchors and aliases refused, every problem collected as `file:line: what to change`, the
same messages for `newswatch notify check` and for the service at start and reload.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import SecretStr

from newswatch.notify.exceptions import SubscriptionError, SubscriptionsInvalid
from newswatch.notify.masking import mask_url
from newswatch.notify.subscriptions_reader import KEYS, MIN_DIGEST_SECONDS, Channel, Per, SubscriptionReader
from newswatch.watchlists.rules.yaml_nodes import MAX_FILE_BYTES, compose, line_of


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a subscription's notifications go. `url` may hold a secret (a chat token):
    repr() and str() show it masked, so logging a Destination is safe."""

    url: str = field(repr=False)
    channel: Channel

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Destination({self.masked!r}, {self.channel!r})"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One entry of the file, checked. `watchlists` None: every watch-list.

    `secret` is the HMAC key that signs webhook bodies, already read from wherever the
    file said (`secret`, `secret_env` or `secret_file`).
    """

    name: str
    to: tuple[Destination, ...]
    watchlists: tuple[str, ...] | None = None
    per: Per = "story"
    min_score: float | None = None
    spikes: bool = False
    digest_seconds: int | None = None
    secret: SecretStr | None = None
    line: int = 0

    def follows(self, watchlist: str) -> bool:
        return self.watchlists is None or watchlist in self.watchlists

    def signing_key(self) -> bytes | None:
        return None if self.secret is None else self.secret.get_secret_value().encode("utf-8")


def load_subscriptions(
    path: Path,
    *,
    environ: Mapping[str, str],
    known_watchlists: Collection[str] | None = None,
    min_digest_seconds: int = MIN_DIGEST_SECONDS,
) -> list[Subscription]:
    """The file's subscriptions; raises SubscriptionsInvalid listing every problem.

    `environ` is where `secret_env` names are looked up (the service passes os.environ);
    `known_watchlists`, when given, are the only watch-list names a subscription may
    follow: a misspelt name would otherwise receive nothing, silently.
    """
    subscriptions, problems = read_subscriptions(
        path, environ=environ, known_watchlists=known_watchlists, min_digest_seconds=min_digest_seconds
    )
    if problems:
        raise SubscriptionsInvalid(problems)
    return subscriptions


def check_subscriptions(
    path: Path,
    *,
    environ: Mapping[str, str],
    known_watchlists: Collection[str] | None = None,
    min_digest_seconds: int = MIN_DIGEST_SECONDS,
) -> list[SubscriptionError]:
    """Every problem of the file, in line order (empty when all is well)."""
    return read_subscriptions(
        path, environ=environ, known_watchlists=known_watchlists, min_digest_seconds=min_digest_seconds
    )[1]


def read_subscriptions(
    path: Path,
    *,
    environ: Mapping[str, str],
    known_watchlists: Collection[str] | None = None,
    min_digest_seconds: int = MIN_DIGEST_SECONDS,
) -> tuple[list[Subscription], list[SubscriptionError]]:
    """The subscriptions and the problems; no subscription is returned when there is a problem."""
    path = Path(path)
    root, composed = _compose(path)
    if composed:
        return [], composed
    reader = SubscriptionReader(path)
    subscriptions: list[Subscription] = []
    if root is None:
        reader.fail(None, "the file is empty; it needs a 'subscriptions:' list")
    else:
        fields = reader.mapping(root, "the subscriptions file", ("subscriptions",))
        if "subscriptions" not in fields and isinstance(root, yaml.MappingNode):
            reader.fail(root, "the file needs a 'subscriptions:' list")
        items = reader.items(fields["subscriptions"], "'subscriptions'") if "subscriptions" in fields else []
        first_line: dict[str, int | None] = {}
        for item in items:
            subscription = _subscription(reader, item, environ, known_watchlists, min_digest_seconds)
            if subscription is None:
                continue
            if subscription.name in first_line:
                reader.fail(
                    item,
                    f"the name '{subscription.name}' is used twice (also on line "
                    f"{first_line[subscription.name]}); give each subscription its own name",
                )
                continue
            first_line[subscription.name] = subscription.line
            subscriptions.append(subscription)
    problems = [SubscriptionError(p.path, p.line, p.reason) for p in reader.problems]
    problems.sort(key=lambda problem: problem.line or 0)
    return ([] if problems else subscriptions), problems


def _subscription(
    reader: SubscriptionReader,
    node: yaml.Node,
    environ: Mapping[str, str],
    known: Collection[str] | None,
    min_digest_seconds: int,
) -> Subscription | None:
    count = len(reader.problems)
    fields = reader.mapping(node, "a subscription", KEYS)
    if not fields:
        return None
    for key in ("name", "to"):
        if key not in fields:
            example = "name: korea-desk" if key == "name" else "to: [mailto:desk@example.org]"
            reader.fail(node, f"each subscription needs a '{key}:' line, e.g. '{example}'")
    name = reader.name(fields["name"]) if "name" in fields else None
    destinations = reader.destinations(fields["to"]) if "to" in fields else None
    watchlists = reader.watchlists(fields["watchlists"], known) if "watchlists" in fields else None
    per = reader.per(fields["per"]) if "per" in fields else "story"
    min_score = reader.number(fields["min_score"], "min_score") if "min_score" in fields else None
    spikes = reader.flag(fields["spikes"], "spikes") if "spikes" in fields else False
    digest = reader.digest(fields["digest"], min_digest_seconds) if "digest" in fields else None
    secret = reader.secret(fields, environ)
    if secret is not None and destinations and all(channel != "webhook" for _, channel in destinations):
        key = next(key for key in ("secret", "secret_env", "secret_file") if key in fields)
        reader.fail(fields[key], f"'{key}' signs webhooks and this subscription has none; remove it")
    if len(reader.problems) > count or name is None or not destinations or per is None or spikes is None:
        return None
    return Subscription(
        name=name,
        to=tuple(Destination(url, channel) for url, channel in destinations),
        watchlists=watchlists,
        per=per,
        min_score=min_score,
        spikes=spikes,
        digest_seconds=digest,
        secret=secret,
        line=line_of(node) or 0,
    )


def _compose(path: Path) -> tuple[yaml.Node | None, list[SubscriptionError]]:
    """The root node, or the problems that stop the file from being read at all.

    The size is checked here first so that the message speaks of subscriptions; the
    composer's refusals of anchors and aliases end with advice for watch-lists, which
    is replaced.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [SubscriptionError(path, None, f"cannot read the file ({exc.strerror or exc})")]
    if size > MAX_FILE_BYTES:
        reason = (
            f"the file has {size:,} bytes; a subscriptions file may have at most {MAX_FILE_BYTES:,} (1 MiB)"
        )
        return None, [SubscriptionError(path, None, reason)]
    root, problems = compose(path)
    return root, [SubscriptionError(p.path, p.line, _for_subscriptions(p.reason)) for p in problems]


def _for_subscriptions(reason: str) -> str:
    head, refused, _advice = reason.partition("which is not allowed")
    return f"{head}{refused}; write each subscription out in full" if refused else reason
