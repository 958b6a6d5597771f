"""Keeping secrets off disk and off screen: every secret the process knows is blanked out.

A secret is known when it is

- the value of an environment variable whose name looks secret (``*_API_KEY``,
  ``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, ``AWS_SECRET_ACCESS_KEY``,
  ``AZURE_STORAGE_CONNECTION_STRING``, ``GOOGLE_APPLICATION_CREDENTIALS``...), or the
  password of a URL held by any environment variable (``DATABASE_URL=postgres://u:pw@h``);
- such a value in a ``.env`` file of the current folder (or a folder registered with
  :func:`register_env_dir`, as the providers do for the store's root);
- handed to the process at run time and registered with :func:`register_secret` (the
  providers register their ``api_key``, the values of secret-looking headers and the
  user-info of their ``base_url`` when they are made).

Values shorter than ``MIN_SECRET_LENGTH`` (8) characters are never treated as secrets:
``"1"``, ``"true"`` or ``"admin"`` would blank ordinary text everywhere. A real key is
much longer.

:func:`redact` replaces known secrets in a text by ``[redacted]`` and the user-info of
any URL by ``***`` (``https://user:key@host`` -> ``https://***@host``), whether or not
it is known. :func:`redact_obj` does that over dicts and lists, and also hides every
value of a ``*headers`` mapping and of a secret-named key (``api_key``,
``authorization``...): what a manifest keeps of headers is their names. The store's
writers call it where a row or a manifest is serialised, so a new field is covered
without thought; :class:`ProviderError` messages, the ``workbench`` loggers and the
HTTP clients' loggers (``openai``, ``anthropic``, ``httpx``, ``httpcore`` and their ``2`` forks) are redacted too.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

REDACTED = "[redacted]"
"""What a secret inside a text becomes."""
HIDDEN = "***"
"""What a whole value becomes (a header's value, a URL's user-info)."""
MIN_SECRET_LENGTH = 8
"""Shorter values ("1", "true") are not worth hiding and would blank ordinary text."""

_SECRET_NAME = re.compile(
    r"API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|ACCOUNT_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|CONNECTION_?STRING"
    r"|(?:^|_)(?:KEY|AUTH|SAS)(?:$|_)|COOKIE",
    re.IGNORECASE,
)
"""Names of environment variables whose values are secrets."""
_SECRET_HEADER = re.compile(r"auth|key|token|secret|passw|credential|cookie|session|signature", re.IGNORECASE)
"""Names of HTTP headers whose values are secrets (Authorization, x-api-key, api-key, X-Gateway-Token...)."""
_SECRET_FIELD = re.compile(
    r"^(?:x[-_])?(?:api[-_]?key|(?:proxy[-_])?authorization|cookie|(?:\w*[-_])?(?:secret|password|passwd|token))$",
    re.IGNORECASE,
)
"""Keys of a mapping whose string values are secrets (``api_key``, ``client_secret``; not ``max_tokens``)."""
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s@?#\"'<>]+)@")
"""A URL's ``user:password@`` part."""

_lock = threading.Lock()
_registered: set[str] = set()
_env_dirs: list[Path] = []
_dotenv_cache: dict[Path, tuple[tuple[int, int], list[tuple[str, str]]]] = {}


# -- what is secret -------------------------------------------------------------
def is_secret_name(name: str) -> bool:
    """Whether an environment variable called ``name`` holds a secret."""
    return bool(_SECRET_NAME.search(name))


def is_secret_header(name: str) -> bool:
    """Whether an HTTP header called ``name`` carries a secret (``Authorization``, ``x-api-key``...)."""
    return bool(_SECRET_HEADER.search(name))


def _variants(value: str) -> set[str]:
    """``value`` and the forms it may take on the wire: without a ``Bearer`` prefix, URL-decoded."""
    value = value.strip()
    found = {value, unquote(value)}
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in ("bearer", "basic", "token", "bot"):
        found |= {rest.strip(), unquote(rest.strip())}
    return {v for v in found if len(v) >= MIN_SECRET_LENGTH}


def register_secret(value: str | None) -> None:
    """Remember ``value`` as a secret for the rest of the process (short or empty values are ignored).

    A ``Bearer ...`` header value registers the token alone too.
    """
    if not value or not isinstance(value, str):
        return
    found = _variants(value)
    if found:
        with _lock:
            _registered.update(found)


def register_url(url: str | None) -> None:
    """Remember the user-info of ``url`` (``https://user:key@host``) as a secret, in every form it travels in.

    An HTTP client sends it as ``Authorization: Basic base64(user:password)``, so that
    form is registered too.
    """
    if not url or "@" not in url:
        return
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    userinfo = parts.netloc.rpartition("@")[0]
    if not userinfo:
        return
    user, _, password = userinfo.partition(":")
    for raw in (userinfo, unquote(userinfo)):
        register_secret(raw)
        register_secret(base64.b64encode(raw.encode()).decode())
    for part in (password, unquote(password)) if password else (user, unquote(user)):
        register_secret(part)


def register_headers(headers: Mapping[str, Any] | None) -> None:
    """Remember the values of the secret-looking headers in ``headers``."""
    for name, value in (headers or {}).items():
        if isinstance(value, str) and is_secret_header(str(name)):
            register_secret(value)


def register_env_dir(folder: str | os.PathLike[str] | None) -> None:
    """Read the ``.env`` file of ``folder`` too when looking for secrets (the store's root, say)."""
    if folder is None:
        return
    path = Path(folder).resolve()
    with _lock:
        if path not in _env_dirs:
            _env_dirs.append(path)


def _dotenv_items(folders: Iterable[str | os.PathLike[str] | None]) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs of the ``.env`` file in each folder (unreadable files are skipped)."""
    from dotenv import dotenv_values

    items: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder is None:
            continue
        env_file = (Path(folder) / ".env").resolve()
        if env_file in seen:
            continue
        seen.add(env_file)
        try:
            stat = env_file.stat()
        except OSError:
            continue
        signature = (stat.st_mtime_ns, stat.st_size)
        cached = _dotenv_cache.get(env_file)
        if cached is not None and cached[0] == signature:
            items += cached[1]
            continue
        try:
            pairs = [(k, v) for k, v in dotenv_values(env_file).items() if v is not None]
        except (OSError, UnicodeDecodeError):
            continue
        _dotenv_cache[env_file] = (signature, pairs)
        items += pairs
    return items


def _cwd() -> Path | None:
    """The working folder, or ``None`` when it was deleted (redacting must never fail)."""
    try:
        return Path.cwd()
    except OSError:
        return None


def _url_password(value: str) -> str | None:
    if "://" not in value or "@" not in value:
        return None
    try:
        userinfo = urlsplit(value.strip()).netloc.rpartition("@")[0]
    except ValueError:
        return None
    password = userinfo.partition(":")[2]
    return password or None


def secret_values(
    environ: Mapping[str, str] | None = None, *, env_dirs: Iterable[str | os.PathLike[str] | None] | None = None
) -> list[str]:
    """The secrets of the environment and ``.env`` files, longest first (then by value).

    Args:
        environ: the variables to look at (default ``os.environ``).
        env_dirs: folders whose ``.env`` file is read too, as the providers read keys
            (default: the current folder and those of :func:`register_env_dir` when
            ``environ`` is ``os.environ``, none otherwise).

    Returns:
        The values of secret-looking variables and the passwords of URLs in any variable,
        each at least ``MIN_SECRET_LENGTH`` characters long.
    """
    env = os.environ if environ is None else environ
    if env_dirs is None:
        env_dirs = (_cwd(), *_env_dirs) if environ is None else ()
    found: set[str] = set()
    for name, value in [*env.items(), *_dotenv_items(env_dirs)]:
        if is_secret_name(name):
            found.update(_variants(value))
        password = _url_password(value)
        if password:
            found.update(_variants(password))
    return sorted(found, key=lambda v: (-len(v), v))  # longest first, so a key containing another is hidden whole


def known_secrets(*, env_dirs: Iterable[str | os.PathLike[str] | None] | None = None) -> list[str]:
    """Every secret the process knows (environment, ``.env`` files, registered), longest first.

    Args:
        env_dirs: extra folders whose ``.env`` file is read (beside the current folder
            and the registered ones).
    """
    dirs = (_cwd(), *_env_dirs, *(env_dirs or ()))
    with _lock:
        registered = set(_registered)
    found = registered.union(secret_values(os.environ, env_dirs=dirs))
    return sorted(found, key=lambda v: (-len(v), v))


# -- hiding them ----------------------------------------------------------------
@lru_cache(maxsize=16)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    values = [s for s in secrets if len(s) >= MIN_SECRET_LENGTH]
    if not values:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(set(values), key=lambda v: (-len(v), v))))


def strip_userinfo(text: str) -> str:
    """``text`` with the user-info of every URL in it replaced by ``***`` (``https://***@host``)."""
    if "@" not in text or "://" not in text:
        return text
    return _USERINFO.sub(lambda m: f"{m['scheme']}{HIDDEN}@", text)


def redact(text: str, secrets: Sequence[str] | None = None) -> str:
    """``text`` with every known secret replaced by ``[redacted]`` and URL user-info by ``***``.

    Args:
        text: any text about to be written or shown.
        secrets: the secrets to hide (default: :func:`known_secrets`); pass a list computed
            once when redacting many texts.
    """
    if not isinstance(text, str) or not text:
        return text
    values = tuple(known_secrets() if secrets is None else secrets)
    if any(v in text for v in values):  # a plain search first: far cheaper than the regex on clean text
        pattern = _pattern(values)
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
    return strip_userinfo(text)


def _is_headers_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().endswith("headers")


def redact_obj(value: Any, secrets: Sequence[str] | None = None) -> Any:
    """A copy of ``value`` with :func:`redact` applied to every string in it (dict keys too).

    In a dict, every value of a ``*headers`` mapping (``extra_headers``, ``default_headers``)
    becomes ``***`` (the header names are kept), and so does a string under a secret-named
    key (``api_key``, ``authorization``, ``client_secret``). Other values (numbers,
    timestamps, ``None``) are returned as they are.

    Args:
        value: a JSON-like value: dicts, lists, tuples, strings and scalars.
        secrets: the secrets to hide (default: :func:`known_secrets`, computed once).
    """
    hidden = tuple(known_secrets() if secrets is None else secrets)
    if _clean(value, hidden):
        return value
    return _redact_obj(value, hidden)


_RULED_KEYS = tuple(
    f'{word}":'.encode()
    for word in ("headers", "key", "authorization", "cookie", "secret", "passwd", "password", "token")
)
"""Ends of the JSON object keys a rule of :func:`redact_obj` may apply to (a superset: checked again on the walk)."""
_USERINFO_BYTES = re.compile(_USERINFO.pattern.encode())


def _clean(value: Any, secrets: tuple[str, ...]) -> bool:
    """Whether ``value`` certainly needs no redaction: one pass over its JSON in C, not a walk in Python.

    A run writes its rows in batches of up to thousands; walking each string in Python
    costs far more than this, and nearly every batch is clean.
    """
    try:
        blob = orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return False
    for secret in secrets:
        if secret.encode() in blob or orjson.dumps(secret)[1:-1] in blob:
            return False
    if b"@" in blob and b"://" in blob and _USERINFO_BYTES.search(blob):
        return False
    lower = blob.lower()
    return not any(end in lower for end in _RULED_KEYS)


def _redact_obj(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            new_key = redact(key, secrets) if isinstance(key, str) else key
            if _is_headers_key(key) and isinstance(item, Mapping):
                out[new_key] = {redact(str(k), secrets): HIDDEN for k in item}
            elif isinstance(item, str) and isinstance(key, str) and _SECRET_FIELD.match(key) and item:
                out[new_key] = HIDDEN
            else:
                out[new_key] = _redact_obj(item, secrets)
        return out
    if isinstance(value, list):
        return [_redact_obj(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact_obj(v, secrets) for v in value)
    return value


# -- logs -----------------------------------------------------------------------
class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message, arguments and traceback in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` (always lets it through)."""
        secrets = known_secrets()
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg, record.args = redact(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


class _RedactingHandler(logging.Handler):
    """Sits on a logger so the records of its children are redacted before any other handler sees them.

    A logger's own filters do not see records from child loggers; a handler's do, and a
    logger's handlers run before those of its parents (the root's, where applications and
    pytest attach theirs). Since a handler anywhere stops Python's last-resort output,
    this one passes warnings on to it when no other handler would show them.
    """

    def __init__(self, logger: str) -> None:
        super().__init__()
        self.logger = logger
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        logger: logging.Logger | None = logging.getLogger(self.logger)
        while logger is not None:
            if any(not isinstance(h, _RedactingHandler) for h in logger.handlers):
                return
            if not logger.propagate:
                break
            logger = logger.parent
        last = logging.lastResort
        if last is not None and record.levelno >= last.level:
            last.handle(record)


LOGGERS = ("workbench", "openai", "anthropic", "httpx", "httpx2", "httpcore", "httpcore2")
"""The loggers whose records are redacted: ours, and the clients' (they log URLs and request options)."""


def install_log_filter() -> None:
    """Redact every record of the ``workbench`` loggers and the HTTP clients' (done on import; idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
        if not any(isinstance(h, _RedactingHandler) for h in logger.handlers):
            logger.addHandler(_RedactingHandler(name))


install_log_filter()

__all__ = [
    "HIDDEN",
    "LOGGERS",
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "RedactingFilter",
    "install_log_filter",
    "is_secret_header",
    "is_secret_name",
    "known_secrets",
    "redact",
    "redact_obj",
    "register_env_dir",
    "register_headers",
    "register_secret",
    "register_url",
    "secret_values",
    "strip_userinfo",
]
