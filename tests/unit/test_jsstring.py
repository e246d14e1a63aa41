"""JavaScript's toLowerCase under bun's Unicode (no bun needed; the differential against bun is
tests/compat/test_rule_engine_vs_omp.py::test_js_lower_matches_bun)."""

from __future__ import annotations

import pytest

from catalogmgr.omp.jsstring import js_lower


@pytest.mark.parametrize(
    ("text", "lowered"),
    [
        ("GPT-5.2-THINKING", "gpt-5.2-thinking"),
        ("İ", "i\u0307"),
        ("ẞ", "ß"),
        # Letters newer than Python 3.11's Unicode 14: bun lowers them.
        ("\ua7cb", "\u0264"),
        ("\U00010d50", "\U00010d70"),
        # The final sigma: after a cased letter (case-ignorables skipped), none following.
        ("ΑΣ", "ας"),
        ("ΑΣΑ", "ασα"),
        ("Σ", "σ"),
        ("A\u00adΣ.", "a\u00adς."),
        # A letter bun knows and Python does not is cased for the sigma after it.
        ("\ua7cbΣ", "\u0264ς"),
        ("Σ\ua7cb", "σ\u0264"),
    ],
)
def test_js_lower(text: str, lowered: str) -> None:
    assert js_lower(text) == lowered
