"""Recognising literal secrets committed in an overlay, and masking secrets for display.

OMP resolves an ``apiKey`` or header value as a ``!command``, else as the environment variable of
exactly that name, else as the literal string (see :mod:`catalogmgr.keys`). The last case makes
it easy to paste a real key into ``~/.omp/agent/models.yml``, and dotfiles repositories are
public: :func:`find_literal_secrets` reports such values as errors (rule ``literal-secret``) so
``catalogmgr validate`` (and the pre-commit hook) stops the commit.

Two kinds of evidence, from the most to the least certain:

* **known formats** (:data:`KNOWN_FORMATS`): vendor prefixes such as ``sk-ant-``, ``sk-or-``,
  ``AIza``, ``xai-``, ``gsk_``, ``ghp_``, ``hf_``, AWS key ids, JWTs, and ``Bearer``/``Basic``
  credentials in a header value. Checked in every apiKey and header value.
* **high entropy**: a long single token with a random-looking run of letters and digits (Shannon
  entropy, length and character classes), or a long hex string. Checked in ``apiKey`` values and
  in headers whose name says they carry a credential (``Authorization``, ``X-Api-Key``,
  ``*token*``, ...); other headers (``anthropic-beta``, ``X-Title``, ``User-Agent``) carry
  identifiers that would only produce false alarms.

Never secrets: ``!commands``, all-caps identifiers (``MINIMAX_API_KEY``, ``DISPLAY``, ``SECRET``:
environment variable names), ``$VAR``/``${VAR}``/``env:VAR`` spellings (broken, but not secret:
:mod:`catalogmgr.keys` reports them), sops-encrypted values (``ENC[AES256_GCM,...]``), local dummy
keys (``ollama``, ``none``, ``lm-studio``, ``sk-no-key-required``, ...) and placeholders
(``sk-xxxxxxxx``, ``sk-your-key-here``).

No message produced here contains the value: at most :func:`mask_secret`'s masked form.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from catalogmgr.problems import Position, Problem, Severity, pointer_from_path

RULE = "literal-secret"


class LocatedDocument(Protocol):
    """What :func:`find_literal_secrets` needs of a :class:`catalogmgr.documents.Document`."""

    name: str
    data: Any

    def position(self, pointer: str) -> Position | None: ...


@dataclass(frozen=True)
class KnownFormat:
    """A vendor's credential format. ``prefix`` is the public marker, safe to show when masking."""

    label: str
    pattern: re.Pattern[str]
    prefix: str


def _fmt(label: str, prefix: str, body: str) -> KnownFormat:
    return KnownFormat(label, re.compile(re.escape(prefix) + body), prefix)


# Most specific first: the first match names the vendor in the message. Bodies are fullmatched
# against the value (or the credential of a "Bearer <token>" header), so a prefix inside a longer
# word never counts.
KNOWN_FORMATS: tuple[KnownFormat, ...] = (
    _fmt("Anthropic API key", "sk-ant-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("OpenRouter API key", "sk-or-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("OpenAI project key", "sk-proj-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("OpenAI service-account key", "sk-svcacct-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("OpenAI admin key", "sk-admin-", r"[A-Za-z0-9_\-]{20,}"),
    # OpenAI (legacy), DeepSeek, Moonshot, MiniMax, Qwen/DashScope, SiliconFlow... all use "sk-".
    _fmt("API key", "sk-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("API key", "sk_", r"[A-Za-z0-9_\-]{20,}"),  # Stripe-style sk_live_/sk_test_, ElevenLabs
    _fmt("Google API key", "AIza", r"[0-9A-Za-z_\-]{30,}"),
    _fmt("Google OAuth access token", "ya29.", r"[0-9A-Za-z_\-.]{20,}"),
    _fmt("xAI API key", "xai-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("Groq API key", "gsk_", r"[A-Za-z0-9]{20,}"),
    _fmt("GitHub token", "ghp_", r"[A-Za-z0-9]{30,}"),
    _fmt("GitHub OAuth token", "gho_", r"[A-Za-z0-9]{30,}"),
    _fmt("GitHub user-to-server token", "ghu_", r"[A-Za-z0-9]{30,}"),
    _fmt("GitHub server-to-server token", "ghs_", r"[A-Za-z0-9]{30,}"),
    _fmt("GitHub refresh token", "ghr_", r"[A-Za-z0-9]{30,}"),
    _fmt("GitHub fine-grained token", "github_pat_", r"[A-Za-z0-9_]{20,}"),
    _fmt("GitLab token", "glpat-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("Hugging Face token", "hf_", r"[A-Za-z0-9]{30,}"),
    _fmt("Perplexity API key", "pplx-", r"[A-Za-z0-9]{20,}"),
    _fmt("Replicate token", "r8_", r"[A-Za-z0-9]{20,}"),
    _fmt("NVIDIA API key", "nvapi-", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("Cerebras API key", "csk-", r"[A-Za-z0-9]{20,}"),
    _fmt("Fireworks API key", "fw_", r"[A-Za-z0-9]{20,}"),
    _fmt("Together API key", "tgp_v1_", r"[A-Za-z0-9_\-]{20,}"),
    _fmt("Slack token", "xoxb-", r"[A-Za-z0-9\-]{20,}"),
    _fmt("Slack token", "xoxp-", r"[A-Za-z0-9\-]{20,}"),
    _fmt("AWS access key id", "AKIA", r"[0-9A-Z]{16}"),
    _fmt("AWS temporary access key id", "ASIA", r"[0-9A-Z]{16}"),
    KnownFormat(
        "JSON Web Token",
        re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
        "eyJ",
    ),
)

# Keys that local servers accept because they ignore them: never secrets, whatever they look like.
DUMMY_KEYS: frozenset[str] = frozenset(
    {
        "ollama",
        "none",
        "dummy",
        "empty",
        "local",
        "test",
        "fake",
        "x",
        "na",
        "n/a",
        "null",
        "nokey",
        "no-key",
        "no_key",
        "not-needed",
        "not_needed",
        "notneeded",
        "unused",
        "placeholder",
        "changeme",
        "lm-studio",
        "lmstudio",
        "llama.cpp",
        "llamacpp",
        "llama-cpp",
        "vllm",
        "litellm",
        "localai",
        "jan",
        "sk-no-key-required",
        "sk-dummy",
        "sk-local",
        "sk-xxx",
        "sk-1234",  # LiteLLM's documented default master key
        "sk-noauth",
    }
)

# Header names that say the value is a credential: these get the high-entropy check too.
_CREDENTIAL_HEADER = re.compile(r"auth|key|token|secret|passw|cookie|session|credential|signature", re.I)

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
# Spellings of "the variable X" that OMP does not understand (it sends them literally).
_ENV_REFERENCE = re.compile(
    r"\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}|"
    r"\{env:[A-Za-z_][A-Za-z0-9_]*\}|env:[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%"
)
_SOPS = re.compile(r"ENC\[[A-Z0-9_]+,data:")
_AUTH_SCHEME = re.compile(r"(?i)(bearer|basic|token|apikey|api-key|key)\s+(\S+)")
_PLACEHOLDER_WORDS = re.compile(
    # Case-consistent words only: "your" inside a random key ("z5tYOurJ...") is chance, not a placeholder.
    "|".join(
        f"{word}|{word.upper()}|{word.capitalize()}"
        for word in ("your", "example", "placeholder", "replace", "changeme", "dummy", "redacted", "insert")
    )
    + "|xxxx"
)
_REPEATED_RUN = re.compile(r"(.)\1{5,}")
_HEX = re.compile(r"[0-9a-fA-F]{32,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_\-.~:]+")
_SEGMENT_SPLIT = re.compile(r"[\-_.~:/+=]")


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text`` (0 for the empty string)."""
    if not text:
        return 0.0
    total = len(text)
    return -sum(count / total * math.log2(count / total) for count in Counter(text).values())


def is_env_name(value: str) -> bool:
    """An all-caps identifier (``MINIMAX_API_KEY``): OMP's env lookup, never a literal secret."""
    return _ENV_NAME.fullmatch(value) is not None


def is_env_reference_syntax(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``env:VAR``, ``{env:VAR}``, ``%VAR%``: spellings OMP sends literally."""
    return _ENV_REFERENCE.fullmatch(value.strip()) is not None


def is_dummy_key(value: str) -> bool:
    """A key local servers ignore (``ollama``, ``lm-studio``, ``sk-no-key-required``, ...)."""
    return value.strip().lower() in DUMMY_KEYS


def _is_placeholder(body: str) -> bool:
    """True for the filler of documentation examples: ``xxxxxxxx``, ``your-key-here``, ``1111...``."""
    return (
        _PLACEHOLDER_WORDS.search(body) is not None
        or _REPEATED_RUN.search(body) is not None
        or shannon_entropy(body) < 3.0
    )


def _random_looking_segment(segment: str) -> bool:
    """A run of letters/digits that no human wrote: long, mixed classes, high entropy."""
    if len(segment) < 16 or shannon_entropy(segment) < 3.0:
        return False
    letters = [ch for ch in segment if ch.isalpha()]
    digits = sum(ch.isdigit() for ch in segment)
    if digits >= 2 and len(letters) >= 4:
        # Dates and version numbers ("20250514", "v1") sit in short segments; a 16+ character run
        # mixing letters and digits is not a word. Digits-only runs (timestamps) do not count.
        return True
    if len(letters) < 14:
        return False
    # (Almost) letters only: camelCase identifiers ("OpenAICompletionsCompatible") have a few
    # capitals heading lowercase runs; random letters switch case about every other character.
    upper = sum(ch.isupper() for ch in letters)
    switches = sum(a.isupper() != b.isupper() for a, b in itertools.pairwise(letters))
    return 0.2 <= upper / len(letters) <= 0.8 and switches >= len(letters) / 4


def looks_high_entropy(token: str) -> bool:
    """A long single token that looks random (see the module docstring for the exact test)."""
    if len(token) < 16 or _TOKEN_CHARS.fullmatch(token) is None or "://" in token:
        return False
    if _HEX.fullmatch(token):
        return shannon_entropy(token) >= 3.0
    compact = _UUID.sub("", token)
    if compact != token and not compact.strip("-_.:"):
        return True  # a bare UUID as a credential (Volcengine Ark, some gateways use them)
    segments = _SEGMENT_SPLIT.split(token)
    if any(_random_looking_segment(part) for part in segments):
        return True
    # Base64url keys get cut into short runs by their own "-" and "_": judge the whole token, but
    # only when it switches between lowercase, uppercase and digits as often as random text does
    # (about 60% of neighbours for base62); identifiers such as "Qwen3-Coder-480B-A35B-Instruct"
    # switch far less, and humans write long runs of one class.
    joined = "".join(segments)
    if len(joined) < 32 or shannon_entropy(joined) < 4.0:
        return False
    kinds = [_char_class(ch) for ch in joined]
    if len(set(kinds) - {"other"}) < 3:
        return False
    switches = sum(a != b for a, b in itertools.pairwise(kinds))
    return switches / (len(kinds) - 1) >= 0.5


def _char_class(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if ch.isupper():
        return "upper"
    if ch.islower():
        return "lower"
    return "other"


def known_format(token: str) -> KnownFormat | None:
    """The vendor format ``token`` matches, unless its body is a placeholder."""
    for candidate in KNOWN_FORMATS:
        if candidate.pattern.fullmatch(token) is None:
            continue
        body = token[len(candidate.prefix) :]
        if _is_placeholder(body):
            return None
        if candidate.prefix in {"sk-", "sk_"} and not any(ch.isdigit() or ch.isupper() for ch in body):
            # "sk-this-is-a-local-dummy-key": real sk- keys always carry digits or capitals.
            return None
        return candidate
    return None


@dataclass(frozen=True)
class SecretEvidence:
    """Why a value looks like a secret: a human label and the public prefix that masking may show."""

    label: str
    prefix: str = ""


def classify_secret(value: str, *, credential: bool = True) -> SecretEvidence | None:
    """Decide whether a configured apiKey/header value is a literal secret.

    ``credential`` is true for ``apiKey`` and for headers whose name says they carry a credential;
    only then does a long random-looking token without a known prefix count.
    Returns ``None`` for everything that is not a secret (see the module docstring).
    """
    text = value.strip()
    if not text or text.startswith("!"):
        return None
    if text.startswith(("AKIA", "ASIA")) and (aws := known_format(text)) is not None:
        # The one all-caps credential format: checked before the env-name rule would wave it through.
        return SecretEvidence(aws.label, aws.prefix)
    if is_env_name(text) or is_dummy_key(text):
        return None
    if is_env_reference_syntax(text) or _SOPS.match(text):
        return None
    scheme = _AUTH_SCHEME.fullmatch(text)
    if scheme is not None:
        credential_token = scheme.group(2)
        if is_env_name(credential_token) or is_env_reference_syntax(credential_token):
            return None  # "Bearer OPENAI_API_KEY": broken (sent literally) but not a secret
        if is_dummy_key(credential_token) or len(credential_token) < 8 or _is_placeholder(credential_token):
            return None
        found = known_format(credential_token)
        scheme_word = scheme.group(1)
        label = f"{scheme_word} credential" + (f" ({found.label})" if found else "")
        return SecretEvidence(label, f"{scheme_word} " + (found.prefix if found else ""))
    found = known_format(text)
    if found is not None:
        return SecretEvidence(found.label, found.prefix)
    if credential and looks_high_entropy(text) and not _is_placeholder(text):
        return SecretEvidence("high-entropy string")
    return None


def public_prefix(value: str) -> str:
    """The vendor marker a value starts with (``sk-or-``, ``Bearer sk-``), or ``""``.

    These markers are published formats, not part of the secret, and tell a user which key it is.
    """
    scheme = _AUTH_SCHEME.match(value)
    if scheme is not None:
        return value[: scheme.start(2)] + public_prefix(scheme.group(2))
    for candidate in KNOWN_FORMATS:
        if value.startswith(candidate.prefix):
            return candidate.prefix
    return ""


def mask_secret(value: str, *, prefix: str | None = None) -> str:
    """A display form that identifies a key to its owner without disclosing it: ``sk-or-…9f2c``.

    Shows the public vendor prefix (when one is known and given or detected) and the last four
    characters, and never more than a quarter of the value; short values show nothing
    (``…`` plus the length is still useful: ``<9 chars>``).
    """
    if prefix is None:
        prefix = public_prefix(value)
    budget = len(value) // 4
    if budget < 4:
        return f"<{len(value)} chars>"
    shown_prefix = prefix if prefix and len(prefix) + 4 <= budget and value.startswith(prefix) else ""
    return f"{shown_prefix}…{value[-4:]}"


# --------------------------------------------------------------------------------------------
# Walking an overlay


@dataclass(frozen=True)
class ConfigValue:
    """One resolvable value of an overlay: an apiKey or a header value, with where it sits."""

    provider: str
    path: tuple[str | int, ...]  # from the document root
    field: str  # "apiKey" or "headers.<Name>"
    value: str
    header: str | None = None  # the header name for header values

    @property
    def pointer(self) -> str:
        return pointer_from_path(self.path)

    @property
    def scope(self) -> str:
        """``provider``, ``model <id>`` or ``modelOverrides <id>``: where in the provider it is set."""
        if len(self.path) > 4 and self.path[2] == "models":
            return f"model #{int(self.path[3]) + 1}"
        if len(self.path) > 4 and self.path[2] == "modelOverrides":
            return f"modelOverrides {self.path[3]}"
        return "provider"


def iter_config_values(overlay: Any) -> Iterator[ConfigValue]:
    """Every string apiKey and header value of an overlay (provider, models, modelOverrides).

    Tolerates malformed data (non-mapping providers, non-string values): validation reports those.
    """
    providers = overlay.get("providers") if isinstance(overlay, Mapping) else None
    if not isinstance(providers, Mapping):
        return
    for provider, config in providers.items():
        if not isinstance(config, Mapping):
            continue
        base: tuple[str | int, ...] = ("providers", str(provider))
        api_key = config.get("apiKey")
        if isinstance(api_key, str):
            yield ConfigValue(str(provider), (*base, "apiKey"), "apiKey", api_key)
        yield from _headers(str(provider), base, config.get("headers"))
        models = config.get("models")
        if isinstance(models, list):
            for index, model in enumerate(models):
                if isinstance(model, Mapping):
                    yield from _headers(str(provider), (*base, "models", index), model.get("headers"))
        overrides = config.get("modelOverrides")
        if isinstance(overrides, Mapping):
            for model_id, override in overrides.items():
                if isinstance(override, Mapping):
                    path = (*base, "modelOverrides", str(model_id))
                    yield from _headers(str(provider), path, override.get("headers"))


def _headers(provider: str, base: tuple[str | int, ...], headers: Any) -> Iterator[ConfigValue]:
    if not isinstance(headers, Mapping):
        return
    for name, value in headers.items():
        if isinstance(value, str):
            yield ConfigValue(provider, (*base, "headers", str(name)), f"headers.{name}", value, str(name))


def is_credential_header(name: str) -> bool:
    """Whether a header's name says it carries a credential (``Authorization``, ``X-Api-Key``, ...)."""
    return _CREDENTIAL_HEADER.search(name) is not None


def suggested_env_name(provider: str) -> str:
    """``minimax`` -> ``MINIMAX_API_KEY``; ``minimax-cn`` -> ``MINIMAX_CN_API_KEY``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", provider).strip("_").upper() or "PROVIDER"
    if stem[0].isdigit():
        stem = "_" + stem
    return f"{stem}_API_KEY"


def find_literal_secrets(document: LocatedDocument) -> list[Problem]:
    """Literal secrets in an overlay's apiKey and header values, as located ERROR problems.

    The message names the field and the kind of secret with a masked form of the value and says
    how to fix it (an environment variable name or a ``!command``); it never contains the value.
    """
    problems: list[Problem] = []
    for item in iter_config_values(document.data):
        credential = item.header is None or is_credential_header(item.header)
        evidence = classify_secret(item.value, credential=credential)
        if evidence is None:
            continue
        masked = mask_secret(item.value.strip(), prefix=evidence.prefix)
        env_name = suggested_env_name(item.provider)
        where = f"provider {item.provider}"
        if item.scope != "provider":
            where = f"{item.scope} of {where}"
        if item.header is None:
            message = (
                f"apiKey of {where} is a literal secret ({evidence.label}, {masked}); "
                f"committing it leaks it: put it in an environment variable and write "
                f"`apiKey: {env_name}`, or read it from a password manager with "
                f'`apiKey: "!pass show {item.provider}/api-key"`'
            )
            hint = (
                f"export {env_name}=<your key> in your shell profile and set `apiKey: {env_name}`; "
                f"then revoke the leaked key at the provider"
            )
        else:
            header_env = re.sub(r"[^A-Za-z0-9]+", "_", item.header).strip("_").upper() or env_name
            bearer = item.header.lower() == "authorization" and evidence.prefix.lower().startswith("bearer")
            fix = (
                f"drop the header and use `apiKey: {env_name}` with `authHeader: true` "
                f"(OMP then sends Authorization: Bearer <key>)"
                if bearer
                else f"write the header value as an environment variable name "
                f"(`{item.header}: {header_env}`) or a command "
                f'(`"!pass show {item.provider}/{item.header.lower()}"`)'
            )
            message = (
                f"header {item.header} of {where} is a literal secret ({evidence.label}, {masked}); "
                f"committing it leaks it: {fix}"
            )
            hint = "OMP resolves header values like apiKey: an environment variable name or a !command"
        problems.append(
            Problem(
                file=document.name,
                position=document.position(item.pointer),
                pointer=item.pointer,
                message=message,
                rule=RULE,
                severity=Severity.ERROR,
                hint=hint,
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Secrets outside apiKey and headers: a URL's userinfo or query string, a compat.extraBody value.

_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# A run of characters a credential is made of, long enough to be one (shorter runs are words).
_CANDIDATE = re.compile(r"[A-Za-z0-9+=_\-.~]{16,}")  # no "/": known formats have none; paths do


@dataclass(frozen=True)
class EmbeddedSecret:
    """A secret found inside a larger value: the secret itself, where in the value, and why."""

    secret: str
    part: str  # "password in the URL", "query parameter key", "value"...
    evidence: SecretEvidence


def _url_secrets(url: str) -> list[EmbeddedSecret]:
    from urllib.parse import parse_qsl, unquote, urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return []
    found: list[EmbeddedSecret] = []
    userinfo, at, _host = parts.netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        if colon and password and not is_env_name(unquote(password)) and not is_dummy_key(unquote(password)):
            found.append(EmbeddedSecret(password, "password in the URL", SecretEvidence("URL password")))
        evidence = classify_secret(unquote(user), credential=True) if user else None
        if evidence is not None:
            found.append(EmbeddedSecret(user, "user name in the URL", evidence))
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        evidence = classify_secret(value, credential=is_credential_header(name))
        if evidence is not None:
            found.append(EmbeddedSecret(value, f"query parameter {name} in the URL", evidence))
    return found


def secrets_in_text(text: str, *, credential: bool = False) -> list[EmbeddedSecret]:
    """Every literal secret inside ``text``: the whole value, a URL's userinfo or query, a token.

    ``credential`` says the value sits where a credential belongs (an ``api_key`` field of
    extraBody, a header named like one): then a random-looking token counts too, as in apiKey.
    """
    whole = classify_secret(text, credential=credential)
    if whole is not None:
        return [EmbeddedSecret(text.strip(), "value", whole)]
    found: list[EmbeddedSecret] = []
    if _URL_START.match(text.strip()):
        found.extend(_url_secrets(text))
    seen = {item.secret for item in found}
    for match in _CANDIDATE.finditer(text):
        token = match.group(0)
        if token in seen or any(token in item.secret or item.secret in token for item in found):
            continue
        evidence = known_format(token)
        if evidence is not None:
            found.append(EmbeddedSecret(token, "value", SecretEvidence(evidence.label, evidence.prefix)))
    return found


def redact_text(text: str, *, credential: bool = False) -> str:
    """``text`` with every literal secret in it replaced by its masked form (see :func:`mask_secret`)."""
    for item in secrets_in_text(text, credential=credential):
        text = text.replace(item.secret, mask_secret(item.secret, prefix=item.evidence.prefix))
    return text


def redact_data(value: Any, *, credential: bool = False) -> Any:
    """A copy of plain data (a model, a change's value) with literal secrets masked, for display.

    Strings under a credential-like key (``apiKey``, ``Authorization``, ``api_key``) get the full
    test; every other string has URLs and known key formats masked.
    """
    if isinstance(value, str):
        return redact_text(value, credential=credential)
    if isinstance(value, Mapping):
        return {
            key: redact_data(item, credential=credential or is_credential_key(str(key)))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_data(item, credential=credential) for item in value]
    return value


def is_credential_key(name: str) -> bool:
    """``apiKey`` or a name that says it carries a credential (``Authorization``, ``api_key``)."""
    return name == "apiKey" or is_credential_header(name)


def iter_embedded_values(overlay: Any) -> Iterator[tuple[str, tuple[str | int, ...], str, bool]]:
    """``(provider, path, value, credential)`` for every baseUrl and every string under extraBody.

    Where :func:`iter_config_values` covers the values OMP resolves (apiKey, headers), these are
    sent as written, so a secret in them is as public as the file.
    """
    providers = overlay.get("providers") if isinstance(overlay, Mapping) else None
    if not isinstance(providers, Mapping):
        return

    def walk(
        provider: str, node: Any, path: tuple[str | int, ...], in_body: bool, credential: bool
    ) -> Iterator[tuple[str, tuple[str | int, ...], str, bool]]:
        if isinstance(node, Mapping):
            for key, item in node.items():
                name = str(key)
                child = (*path, name)
                if name == "baseUrl" and isinstance(item, str):
                    yield provider, child, item, False
                elif name == "extraBody" or in_body:
                    yield from walk(provider, item, child, True, credential or is_credential_key(name))
                elif name not in {"apiKey", "headers"}:  # those are find_literal_secrets' own
                    yield from walk(provider, item, child, False, False)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(provider, item, (*path, index), in_body, credential)
        elif isinstance(node, str) and in_body:
            yield provider, path, node, credential

    for provider, config in providers.items():
        yield from walk(str(provider), config, ("providers", str(provider)), False, False)


def _secret_keys(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Mapping keys anywhere in the document that are keys in a known format (a pasted ``sk-...:``)."""
    if isinstance(node, Mapping):
        for key, item in node.items():
            name = str(key)
            if len(name) >= 16 and known_format(name.strip()) is not None:
                yield (*path, name), name.strip()
            yield from _secret_keys(item, (*path, name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _secret_keys(item, (*path, index))


def find_embedded_secrets(document: LocatedDocument) -> list[Problem]:
    """Literal secrets in baseUrl (userinfo, query), compat.extraBody values and mapping keys."""
    problems: list[Problem] = []
    for path, name in _secret_keys(document.data, ()):
        pointer = pointer_from_path(path)
        found = known_format(name)
        label = found.label if found is not None else "API key"
        masked = mask_secret(name, prefix=found.prefix if found is not None else None)
        problems.append(
            Problem(
                file=document.name,
                position=document.position(pointer),
                pointer=redact_text(pointer),
                message=(
                    f"a key name is a literal secret ({label}, {masked}); committing it leaks it: "
                    "was `apiKey: ` forgotten? write `apiKey: <ENV_VAR_NAME>` instead"
                ),
                rule=RULE,
                severity=Severity.ERROR,
                hint="revoke the leaked credential at the provider after removing it",
            )
        )
    for provider, path, value, credential in iter_embedded_values(document.data):
        for item in secrets_in_text(value, credential=credential):
            pointer = pointer_from_path(path)
            field = ".".join(str(part) for part in path[2:]) or "value"
            masked = mask_secret(item.secret, prefix=item.evidence.prefix)
            problems.append(
                Problem(
                    file=document.name,
                    position=document.position(pointer),
                    pointer=pointer,
                    message=(
                        f"{field} of provider {provider} holds a literal secret ({item.part}: "
                        f"{item.evidence.label}, {masked}); committing it leaks it: OMP sends this "
                        "value as written, so move the credential to `apiKey` (an environment "
                        "variable name or a !command) or a header"
                    ),
                    rule=RULE,
                    severity=Severity.ERROR,
                    hint="revoke the leaked credential at the provider after removing it",
                )
            )
    return problems
