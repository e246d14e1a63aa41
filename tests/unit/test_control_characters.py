"""A raw control character in YAML is a located error, never a crash (libyaml's ReaderError).

Found by tests/hostile/test_hostile_listings.py: a fix-up loop in the reader caught only libyaml's
MarkedYAMLError, so a ReaderError (ESC, BEL... in the text) escaped as a traceback.
"""

from __future__ import annotations

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.errors import InputError


@pytest.mark.parametrize(
    "text",
    [
        "providers:\n  a:\n    name: x\x1by\n",
        "# comment \x1b]0;title\x07\nproviders: {}\n",
        "providers:\n  a\x07: 1\n",
        "a: 'quoted \x1b'\n",
        "a:\n\tb: \x1b\n",  # a tab fix-up candidate and a control character together
    ],
    ids=["plain", "comment", "key", "single-quoted", "with-a-tab"],
)
def test_a_raw_control_character_is_a_located_error(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, name="x.yml", fmt="yaml")
    assert caught.value.file == "x.yml"
    assert "control character" in str(caught.value)
