"""Laws of the pure parts: any JSON a server sends is read without crashing, ids come out as given."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogmgr.providers.discover import _lmstudio, _openai
from catalogmgr.providers.routes import listed_ids, model_list_route, redact_url

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=50)
@given(json_values, st.sampled_from(["openai", "anthropic", "google", "ollama"]))
def test_listed_ids_never_crashes(payload: Any, shape: str) -> None:
    result = listed_ids(shape, payload)
    if result is not None:
        ids, more = result
        assert all(isinstance(model_id, str) and model_id for model_id in ids)
        assert len(ids) == len(set(ids))
        assert isinstance(more, bool)


@given(st.lists(st.text(min_size=1, max_size=30), max_size=30))
def test_openai_ids_come_out_as_given(ids: list[str]) -> None:
    payload = {"data": [{"id": model_id} for model_id in ids]}
    assert listed_ids("openai", payload) == (list(dict.fromkeys(ids)), False)
    discovered = _openai("http://127.0.0.1:1", payload)
    assert discovered is not None
    assert [model.id for model in discovered.models] == [i for i in dict.fromkeys(ids) if i.strip()]


@settings(max_examples=50)
@given(json_values)
def test_discovery_parsers_never_crash(payload: Any) -> None:
    _openai("http://127.0.0.1:1", payload)
    _lmstudio("http://127.0.0.1:1", payload)


@given(st.text(max_size=60))
def test_redact_url_never_keeps_a_query(url: str) -> None:
    shown = redact_url(f"https://u:p@h.test/v1?key={url}")
    assert "?" not in shown
    assert "u:p" not in shown


@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=4))
def test_configured_headers_always_win(headers: dict[str, str]) -> None:
    # One spelling per header name (two spellings of one name is ambiguous in HTTP itself).
    headers = dict({k.lower(): (k, v) for k, v in headers.items()}.values())
    route = model_list_route(
        api="openai-completions",
        base_url="http://127.0.0.1:1/v1",
        key="k",
        configured_headers=headers,
        auth_header=True,
    )
    for name, value in headers.items():
        assert route.headers[name] == value
    assert sum(name.lower() == "authorization" for name in route.headers) == 1
