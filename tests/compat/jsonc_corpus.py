"""JSON/JSONC texts for the reader's conformance test against Bun's ``JSONC.parse`` (the parser
OMP 18.2.3 reads ``models.json`` with): what JSONTestSuite-style suites probe (structure, strings
and escapes, numbers, whitespace, encodings, nesting) plus JSONC's comments and trailing commas.
Each entry is (id, text); the test expects catalogmgr's value or refusal to be Bun's."""

from __future__ import annotations

DEEP = 100  # catalogmgr's nesting limit (MAX_DEPTH)

JSONC_CORPUS: list[tuple[str, str]] = [
    # structure
    ("empty-object", "{}"),
    ("empty-array", "[]"),
    ("object", '{"a": 1, "b": [true, false, null]}'),
    ("nested", '{"a": {"b": {"c": [1, [2, [3]]]}}}'),
    ("scalar-root-number", "42"),
    ("scalar-root-string", '"text"'),
    ("scalar-root-null", "null"),
    ("empty-text", ""),
    ("whitespace-only", " \n\t "),
    ("unclosed-object", '{"a": 1'),
    ("unclosed-array", "[1, 2"),
    ("extra-close", '{"a": 1}}'),
    ("two-values", "{} {}"),
    ("missing-colon", '{"a" 1}'),
    ("missing-comma", '{"a": 1 "b": 2}'),
    ("single-quotes", "{'a': 1}"),
    ("unquoted-key", "{a: 1}"),
    ("colon-instead-of-comma", "[1: 2]"),
    # comments and trailing commas (JSONC)
    ("line-comment", '{\n  // a comment\n  "a": 1\n}'),
    ("block-comment", '{ /* a */ "a": /* b */ 1 /* c */ }'),
    ("comment-at-end", '{"a": 1} // done'),
    ("comment-only", "// nothing"),
    ("unclosed-block-comment", '{"a": 1} /* open'),
    ("comment-in-string", '{"a": "// not a comment", "b": "/* nor this */"}'),
    ("trailing-comma-object", '{"a": 1,}'),
    ("trailing-comma-array", "[1, 2,]"),
    ("trailing-comma-nested", '{"a": [1, {"b": 2,},],}'),
    ("double-trailing-comma", "[1,,]"),
    ("leading-comma", "[,1]"),
    ("lone-comma", "[,]"),
    ("hash-comment", '{"a": 1} # no'),
    # duplicate keys
    ("duplicate-key", '{"a": 1, "a": 2}'),
    ("duplicate-key-nested", '{"p": {"m": 1, "m": {"x": 2}}}'),
    ("proto-key", '{"__proto__": {"x": 1}, "a": 2}'),
    ("constructor-key", '{"constructor": 1}'),
    # numbers
    ("integer", "[0, -0, 1, -1, 123456789]"),
    ("float", "[1.5, -0.25, 1e3, 1E-3, 2.5e+2]"),
    ("big-integer", "[12345678901234567890123]"),
    ("max-safe-plus-one", "[9007199254740993]"),
    ("huge-exponent", "[1e400]"),
    ("tiny-exponent", "[1e-400]"),
    ("many-digits", "[" + "9" * 400 + "]"),
    ("leading-zero", "[01]"),
    ("leading-plus", "[+1]"),
    ("bare-dot", "[.5]"),
    ("trailing-dot", "[1.]"),
    ("hex", "[0x10]"),
    ("nan", "[NaN]"),
    ("infinity", "[Infinity]"),
    ("minus-infinity", "[-Infinity]"),
    ("exponent-without-digits", "[1e]"),
    ("minus-only", "[-]"),
    # literals
    ("literals", "[true, false, null]"),
    ("capital-true", "[True]"),
    ("undefined", "[undefined]"),
    # strings and escapes
    ("escapes", r'["\" \\ \/ \b \f \n \r \t \u0041 \u00e9"]'),
    ("surrogate-pair", r'["\ud83d\ude00"]'),
    ("lone-high-surrogate", r'["\ud800"]'),
    ("lone-low-surrogate", r'["\udc00"]'),
    ("escaped-nul", r'["a\u0000b"]'),
    ("bad-escape", r'["\x41"]'),
    ("short-unicode-escape", r'["\u12"]'),
    ("raw-newline-in-string", '["a\nb"]'),
    ("raw-tab-in-string", '["a\tb"]'),
    ("raw-control-in-string", '["a\x01b"]'),
    ("del-in-string", '["a\x7fb"]'),
    ("unicode-text", '{"name": "Mini Max 日本語 😀"}'),
    ("line-separator", '["\u2028\u2029"]'),
    ("unclosed-string", '["abc]'),
    ("escaped-key", r'{"\u0061": 1, "a\/b": 2}'),
    # whitespace and encodings
    ("bom", '\ufeff{"a": 1}'),
    ("crlf", '{\r\n"a": 1\r\n}'),
    ("form-feed-space", '{\f"a": 1}'),
    ("nbsp-space", '{\u00a0"a": 1}'),
    ("vertical-tab", "[1,\v2]"),
    # nesting
    ("deep-arrays-ok", "[" * (DEEP - 1) + "]" * (DEEP - 1)),
    ("deep-objects-ok", '{"a":' * (DEEP - 1) + "1" + "}" * (DEEP - 1)),
    ("deep-unclosed", "[" * 500),
    # JavaScript-lexer leniency of Bun's JSONC
    ("garbage-after-comment", '{"a": 1} /* c */ x'),
    ("binary-literal", "[0b1]"),
    ("numeric-separator", "[1_000]"),
    ("negative-leading-zero", "[-01]"),
    ("double-quote-in-single", "['a\"b']"),
    ("line-separator-before", "\u2028[1]"),
    ("nul-escape", '["\\0"]'),
    ("two-points", "[1.5.5]"),
    ("bad-literal", '{"a": tru}'),
    ("plus-sign", "[+1]"),
    # an OMP-like file
    (
        "models-json-like",
        '{\n  // providers\n  "providers": {\n    "local": {\n      "baseUrl": "http://127.0.0.1:8080/v1",'
        '\n      "api": "openai-completions",\n      "models": [{"id": "m", "contextWindow": 200000,},],\n'
        "    },\n  },\n}",
    ),
]
