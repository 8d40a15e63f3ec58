"""The keys of one subscription, read from YAML nodes with the watch-lists' NodeReader.

Each method reads one key and returns its value, or None after adding a problem that
says what to change; `subscriptions.py` builds the model from the values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Literal, cast

import yaml
from pydantic import SecretStr

from newswatch.watchlists.rules.yaml_nodes import NodeReader, shorten

Per = Literal["story", "article"]
Channel = Literal["webhook", "email", "apprise"]

KEYS = (
    "name",
    "watchlists",
    "per",
    "min_score",
    "spikes",
    "digest",
    "to",
    "secret",
    "secret_env",
    "secret_file",
)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
_DIGEST = re.compile(r"(\d{1,6})\s*(s|m|min|h|d)\Z")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
# The shortest period users may ask for; NEWSWATCH_NOTIFY_DIGEST_MIN_SECONDS lowers it for tests.
MIN_DIGEST_SECONDS = 60
MAX_DIGEST_SECONDS = 7 * 86400
MAX_DESTINATIONS = 20
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://\S+\Z")
_MAILTO = re.compile(r"mailto:[^@\s,;:/?]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
_WEB = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?([/?#]\S*)?\Z", re.IGNORECASE)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Read whole into memory: a wrong path (a log, a disk image) must not be.
SECRET_FILE_MAX_BYTES = 64 * 1024
_BOOL = "tag:yaml.org,2002:bool"


class SubscriptionReader(NodeReader):
    """Reads the keys of subscriptions; problems are collected in `problems`, not raised."""

    def name(self, node: yaml.Node) -> str | None:
        name = self.text(node, "name")
        if name is not None and not _NAME.match(name):
            self.fail(
                node,
                f"the name '{shorten(name)}' may only use lower-case letters, digits, '-' and '_' "
                "(at most 64; it names the subscription in logs, metrics and notification ids), "
                "e.g. 'korea-desk'",
            )
            return None
        return name

    def watchlists(self, node: yaml.Node, known: Collection[str] | None) -> tuple[str, ...] | None:
        items = [node] if isinstance(node, yaml.ScalarNode) else self.items(node, "'watchlists'")
        names: list[str] = []
        for item in items:
            name = self.text(item, "each watch-list")
            if name is None:
                return None
            if known is not None and name not in known:
                # Refused, not warned: a misspelt name would silently receive nothing.
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                listed = ", ".join(sorted(known)) or "none"
                self.fail(item, f"there is no watch-list '{shorten(name)}'; {hint}(loaded: {listed})")
                return None
            if name in names:
                self.fail(item, f"the watch-list '{name}' is listed twice; keep only one")
                return None
            names.append(name)
        return tuple(names) if names else None

    def per(self, node: yaml.Node) -> Per | None:
        value = _scalar(node)
        if value in ("story", "article"):
            return cast(Per, value)
        self.fail(
            node,
            "'per' must be 'story' (one notification when a story opens, copies fold in) or "
            f"'article' (every alert), not '{shorten(value) or 'a list'}'",
        )
        return None

    def flag(self, node: yaml.Node, what: str) -> bool | None:
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag == _BOOL
            and node.value.lower() in ("true", "false")
        ):
            return bool(node.value.lower() == "true")
        self.fail(node, f"'{what}' must be true or false, not '{shorten(_scalar(node)) or 'a list'}'")
        return None

    def digest(self, node: yaml.Node, minimum: int = MIN_DIGEST_SECONDS) -> int | None:
        value = _scalar(node).strip().lower()
        matched = _DIGEST.match(value)
        seconds = int(matched.group(1)) * _UNIT_SECONDS[matched.group(2)] if matched else 0
        if minimum <= seconds <= MAX_DIGEST_SECONDS:
            return seconds
        shortest = f"{minimum // 60}m" if minimum % 60 == 0 else f"{minimum}s"
        self.fail(
            node,
            f"'digest' must be a period from {shortest} to 7d such as 15m, 1h or 1d (remove the line to "
            f"be notified immediately), not '{shorten(_scalar(node)) or 'a list'}'",
        )
        return None

    def destinations(self, node: yaml.Node) -> list[tuple[str, Channel]] | None:
        items = self.items(node, "'to'")
        if len(items) > MAX_DESTINATIONS:
            self.fail(node, f"'to' lists {len(items)} destinations; at most {MAX_DESTINATIONS}")
            return None
        found: list[tuple[str, Channel]] = []
        for item in items:
            destination = self.destination(item)
            if destination is None:
                continue
            if destination in found:
                self.fail(item, "this destination is listed twice; keep only one")
                continue
            found.append(destination)
        return found if len(found) == len(items) and found else None

    def destination(self, node: yaml.Node) -> tuple[str, Channel] | None:
        url = self.text(node, "each destination")
        if url is None:
            return None
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "mailto":
            if _MAILTO.match(url):
                return url, "email"
            self.fail(
                node, "an email destination is 'mailto:' and one address, e.g. 'mailto:desk@example.org'"
            )
            return None
        if scheme in ("http", "https"):
            if _WEB.match(url):
                return url, "webhook"
            self.fail(node, "a webhook destination is a web address such as 'https://hooks.example.org/path'")
            return None
        close = difflib.get_close_matches(scheme, ["http", "https", "mailto"], n=1, cutoff=0.7)
        if _SCHEME.match(url) and not close:
            return url, "apprise"  # slack://, tgram://, ntfy://, msteams://, ...: sent through apprise
        hint = f"did you mean '{close[0]}:'? " if close else ""
        self.fail(
            node,
            f"a destination must be an https:// webhook, a mailto: address or a chat URL such as "
            f"slack://... or ntfy://... (an apprise URL); {hint}"
            "(the value is not shown: it may hold a token)",
        )
        return None

    def secret(self, fields: Mapping[str, yaml.Node], environ: Mapping[str, str]) -> SecretStr | None:
        """The HMAC key from `secret`, `secret_env` or `secret_file` (at most one of them)."""
        given = [key for key in ("secret", "secret_env", "secret_file") if key in fields]
        if len(given) > 1:
            self.fail(fields[given[1]], f"give one of {', '.join(given)}, not {len(given)}")
            return None
        if not given:
            return None
        node = fields[given[0]]
        value = self.text(node, given[0]) if given[0] != "secret" else _secret_text(self, node)
        if value is None:
            return None
        if given[0] == "secret":
            return SecretStr(value)
        if given[0] == "secret_env":
            return self._secret_from_env(node, value, environ)
        return self._secret_from_file(node, Path(value))

    def _secret_from_env(self, node: yaml.Node, name: str, environ: Mapping[str, str]) -> SecretStr | None:
        if not _ENV_NAME.match(name):
            self.fail(
                node,
                "'secret_env' names an environment variable, such as MY_WEBHOOK_SECRET, "
                f"not '{shorten(name)}'",
            )
            return None
        value = environ.get(name, "").strip()
        if not value:
            self.fail(
                node, f"the environment variable {name} is not set or empty; set it to the webhook secret"
            )
            return None
        return SecretStr(value)

    def _secret_from_file(self, node: yaml.Node, path: Path) -> SecretStr | None:
        try:
            with path.open("rb") as file:
                raw = file.read(SECRET_FILE_MAX_BYTES + 1)
        except OSError as exc:
            self.fail(node, f"cannot read the secret file {path} ({exc.strerror or type(exc).__name__})")
            return None
        try:
            # Only the position on failure: the decoder's own message quotes a byte of the secret.
            value = raw.decode("utf-8").strip() if len(raw) <= SECRET_FILE_MAX_BYTES else ""
        except UnicodeDecodeError as exc:
            self.fail(node, f"the secret file {path} is not UTF-8 text (a bad byte at position {exc.start})")
            return None
        if not value:
            self.fail(
                node, f"the secret file {path} is empty or larger than 64 KiB; it should hold the secret only"
            )
            return None
        return SecretStr(value)


def _secret_text(reader: NodeReader, node: yaml.Node) -> str | None:
    # The secret itself is never quoted back in a message.
    if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
        return str(node.value).strip()
    reader.fail(node, "'secret' must be a non-empty piece of text")
    return None


def _scalar(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""
