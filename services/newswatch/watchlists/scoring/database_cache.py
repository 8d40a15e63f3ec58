"""Compiled Hyperscan databases kept between starts: a restart with the same lists skips the compile.

Compiling the 200,000 literals of 100,000 watch-lists takes 12 s of CPU; reading the
database Hyperscan serialised (17 MB) takes a fraction of a second. A database is
stored under its key, the SHA-256 of exactly what was compiled (the binding's version,
the mode, whether the literal compiler was used, each expression's bytes, the ids and
the flags), one file per key in a folder of the worker's state.

A file is never trusted: it is used only when its header names the expected key, its
payload has the SHA-256 the header gives, and Hyperscan accepts it (it checks its own
version, platform and checksum too). Anything else (a truncated or corrupted file, one
of another version or machine) is logged, ignored and replaced by a fresh compile. A
folder that cannot be written only costs the next start its compile (logged). The most
recently used KEEP files stay; older ones are removed as a new one is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import hyperscan

logger = logging.getLogger(__name__)

KEEP = 3
SUFFIX = ".hsdb"
_MAGIC = b"newswatch compiled watch-list database 1\n"
_DIGEST_CHARS = 64  # a SHA-256 in hex


def database_key(expressions: Sequence[bytes], first_id: int, *, mode: int, literal: bool) -> str:
    """The SHA-256 of a compile with these expressions, ids from `first_id` on and flags 0."""
    digest = hashlib.sha256(
        f"hyperscan {version('hyperscan')} mode {mode} literal {literal} flags 0 "
        f"ids {first_id} + {len(expressions)}\n".encode()
    )
    for expression in expressions:  # each with its length: no two lists hash alike
        digest.update(len(expression).to_bytes(4, "little"))
        digest.update(expression)
    return digest.hexdigest()


class DatabaseCache:
    """A folder of compiled databases, by key (see the module's docstring)."""

    def __init__(self, folder: Path, keep: int = KEEP) -> None:
        self.folder = folder
        self.keep = keep

    def database(
        self, key: str, mode: int, compile_database: Callable[[], hyperscan.Database]
    ) -> hyperscan.Database:
        """The database stored under `key`, or `compile_database()`'s, stored for the next start."""
        path = self.folder / f"{key}{SUFFIX}"
        loaded = self._load(path, key, mode)
        if loaded is not None:
            return loaded
        database = compile_database()
        self._store(path, key, hyperscan.dumpb(database))
        return database

    def _load(self, path: Path, key: str, mode: int) -> hyperscan.Database | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("cannot read the compiled watch-lists %s (%s); compiling them again", path, error)
            return None
        payload, reason = _payload(data, key)
        if payload is not None:
            try:
                database = hyperscan.loadb(payload, mode)
                # A deserialised database has no scratch space to scan with yet.
                database.scratch = hyperscan.Scratch(database)
            except hyperscan.error as error:
                reason = f"Hyperscan refuses it: {type(error).__name__} {error}"
            else:
                _touch(path)  # recently used: kept when others are removed
                return database
        logger.warning("ignored the compiled watch-lists %s (%s); compiling them again", path, reason)
        return None

    def _store(self, path: Path, key: str, payload: bytes) -> None:
        digest = hashlib.sha256(payload).hexdigest()
        written: Path | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader sees a whole file or none.
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as file:
                written = Path(file.name)
                file.write(b"".join((_MAGIC, key.encode(), b"\n", digest.encode(), b"\n", payload)))
            os.replace(written, path)
            written = None
            self._remove_old(path)
        except OSError as error:
            logger.warning(
                "cannot keep the compiled watch-lists in %s (%s); the next start compiles them",
                self.folder,
                error,
            )
        finally:
            if written is not None:  # not renamed: a half-written file
                with contextlib.suppress(OSError):
                    written.unlink()

    def _remove_old(self, kept: Path) -> None:
        stored = sorted(self.folder.glob(f"*{SUFFIX}"), key=lambda path: path.stat().st_mtime, reverse=True)
        for path in [path for path in stored if path != kept][self.keep - 1 :]:
            path.unlink(missing_ok=True)


def _payload(data: bytes, key: str) -> tuple[bytes | None, str]:
    """The serialised database in a stored file, or None and why it cannot be used."""
    header = len(_MAGIC) + 2 * (_DIGEST_CHARS + 1)
    if not data.startswith(_MAGIC) or len(data) < header:
        return None, "not a compiled watch-list database, or cut short"
    stored_key, digest = data[len(_MAGIC) : header].decode("ascii", "replace").split("\n")[:2]
    if stored_key != key:
        return None, f"it holds the database of key {stored_key[:12]}…, not of {key[:12]}…"
    payload = data[header:]
    if hashlib.sha256(payload).hexdigest() != digest:
        return None, "its content does not have the SHA-256 it was stored with"
    return payload, ""


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # only the order of removal depends on it
        os.utime(path)
