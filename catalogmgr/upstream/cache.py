"""The on-disk cache of upstream listings, one entry per URL.

Location: ``$XDG_CACHE_HOME/catalogmgr/upstream`` when ``XDG_CACHE_HOME`` is set, else the
platform's user cache directory (platformdirs: ``~/.cache/catalogmgr`` on Linux,
``~/Library/Caches/catalogmgr`` on macOS, ``%LOCALAPPDATA%\\catalogmgr\\Cache`` on Windows).

Each entry is two files named after a hash of the URL: ``<key>.body`` (the listing exactly as
received, all pages combined) and ``<key>.meta.json`` (URL, ETag, when it was fetched and last
confirmed current, its model count, and the body's SHA-256). Both are written atomically, body
first; an entry whose body does not match its recorded hash (a crash between the two writes, a
disk error, an edit) is treated as absent, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalogmgr.documents import atomic_write
from catalogmgr.errors import WriteError

CACHE_APP_NAME = "catalogmgr"
_FORMAT_VERSION = 1


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """The user cache directory for catalogmgr (see the module docstring)."""
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    # The XDG spec says a relative path is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / CACHE_APP_NAME
    import platformdirs

    return Path(platformdirs.user_cache_dir(CACHE_APP_NAME, appauthor=False))


@dataclass(frozen=True)
class CachedListing:
    """One cached listing and what is known about its freshness."""

    url: str
    body: bytes
    etag: str | None
    fetched_at: datetime
    validated_at: datetime
    model_count: int


# What an ETag may hold to be sent back in If-None-Match: printable ASCII, no edge spaces.
_ETAG_TEXT = re.compile("[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?")
# Far above any real listing (OpenRouter lists ~550 models, models.dev ~3,000).
_MAX_MODEL_COUNT = 10_000_000


def _timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp (UTC when it names no time zone), else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def usable_etag(value: object) -> str | None:
    """``value`` when it is a non-empty printable-ASCII string of at most 512 characters, else None.

    httpx decodes response headers as Latin-1, but a request header must be ASCII: a cached ETag
    that is not would make every later revalidation fail (issue 13, break 3).
    """
    if not isinstance(value, str) or not value or len(value) > 512:
        return None
    return value if _ETAG_TEXT.fullmatch(value) else None


class ListingCache:
    """Read and write cached listings under ``directory`` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "upstream"

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.directory / f"{key}.body", self.directory / f"{key}.meta.json"

    def load(self, url: str) -> CachedListing | None:
        """The cached entry for ``url``, or None when there is none or it cannot be trusted."""
        body_path, meta_path = self._paths(url)
        try:
            meta: Any = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("version") != _FORMAT_VERSION or meta.get("url") != url:
            return None
        if meta.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        # The metadata is input like any other file: Python's json reads `Infinity` and `NaN`, and
        # an edited or corrupted file can hold anything. Whatever does not check out makes the entry
        # absent (it is fetched again), never a crash (issue 13, break 10).
        count = meta.get("model_count")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= _MAX_MODEL_COUNT:
            return None
        fetched = _timestamp(meta.get("fetched_at"))
        validated = _timestamp(meta.get("validated_at"))
        if fetched is None or validated is None:
            return None
        return CachedListing(url, body, usable_etag(meta.get("etag")), fetched, validated, count)

    def store(self, url: str, body: bytes, *, etag: str | None, model_count: int, now: datetime) -> None:
        """Record a freshly fetched listing. Raises :class:`~catalogmgr.errors.WriteError`."""
        self._write(url, body, etag=etag, model_count=model_count, fetched=now, validated=now)

    def mark_validated(self, cached: CachedListing, now: datetime) -> None:
        """Record that the server confirmed (304) the cached listing is still current."""
        _, meta_path = self._paths(cached.url)
        atomic_write(
            meta_path,
            self._meta(cached.url, cached.body, cached.etag, cached.model_count, cached.fetched_at, now),
        )

    def _write(
        self,
        url: str,
        body: bytes,
        *,
        etag: str | None,
        model_count: int,
        fetched: datetime,
        validated: datetime,
    ) -> None:
        body_path, meta_path = self._paths(url)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteError(
                f"{self.directory}: cannot create the cache directory: {error.strerror or error}"
            ) from None
        atomic_write(body_path, body)
        atomic_write(meta_path, self._meta(url, body, etag, model_count, fetched, validated))

    @staticmethod
    def _meta(
        url: str, body: bytes, etag: str | None, model_count: int, fetched: datetime, validated: datetime
    ) -> str:
        meta = {
            "version": _FORMAT_VERSION,
            "url": url,
            "etag": etag,
            "fetched_at": fetched.isoformat(),
            "validated_at": validated.isoformat(),
            "model_count": model_count,
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        return json.dumps(meta, indent=2) + "\n"
