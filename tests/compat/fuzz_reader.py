"""A differential fuzz of catalogmgr's YAML reader against Bun's ``YAML.parse`` (issue 10), aimed
at the reader's substitution and fix-up paths: anchor names libyaml cannot read, plain scalars
starting with ':' or '?' in flow collections, omitted values and keys over two lines in flow
mappings, tabs after a block scalar's indentation, root block scalars at column 0.

Not a test (pytest does not collect it): a tool to look for disagreements, run by hand::

    CATALOGMGR_OMP_DIR=/path/to/omp/node_modules python tests/compat/fuzz_reader.py [SEED] [COUNT]

It prints each disagreement (the text, Bun's reading, catalogmgr's) and a summary line; one bun
process reads the whole batch. Disagreements worth keeping go to ``OVERLAY_CASES`` or the unit
tests once fixed. Texts Bun reads into a cycle (an alias inside its own anchor) are skipped.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bun_reader import BunResult, bun_parse, same_value

from catalogmgr.documents import parse_document
from catalogmgr.errors import InputError

SCALARS = [
    "a",
    "?x",
    ":y",
    "-z",
    "x y",
    "1",
    "'q'",
    '"d"',
    "?",
    ":",
    "a:b",
    "?x y",
    "::v",
    "http://h/?a&b",
    "a #c",
]
ANCHOR_NAMES = ["x", "x:1", "é", "a.b", "a/b", "😁", "a'b", 'a"b']
BLOCK_LINES = ["  text", " \ttab", "  ", "", "   deep", "  # c", "\tt"]


class Generator:
    """Random YAML texts from a small grammar, reproducible from a seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def scalar(self) -> str:
        text = self.random.choice(SCALARS)
        roll = self.random.random()
        if roll < 0.1:
            return f"&{self.random.choice(ANCHOR_NAMES)} {text}"
        if roll < 0.2:
            return f"*{self.random.choice(ANCHOR_NAMES)}"
        if roll < 0.25:
            return f"!t {text}"
        return text

    def flow(self, depth: int = 0) -> str:
        nested = depth < 2
        if self.random.random() < 0.5:
            items = [
                self.flow(depth + 1) if nested and self.random.random() < 0.3 else self.scalar()
                for _ in range(self.random.randint(0, 3))
            ]
            return "[" + self.random.choice([", ", ",", "\n  , ", ",\n  "]).join(items) + "]"
        entries = []
        for _ in range(self.random.randint(0, 3)):
            key = self.scalar()
            if self.random.random() < 0.15:
                key += "\n  line"
            value = self.flow(depth + 1) if nested and self.random.random() < 0.3 else self.scalar()
            entries.append(
                self.random.choice(
                    [f"{key}: {value}", f"{key}:{value}", f"{key}:", f"? {key} : {value}", key]
                )
            )
        return "{" + self.random.choice([", ", ",", "\n  , "]).join(entries) + "}"

    def block_scalar(self) -> str:
        header = self.random.choice(["|", ">", "|-", ">+", "|1", "|2"])
        lines = [self.random.choice(BLOCK_LINES) for _ in range(self.random.randint(1, 3))]
        return header + "\n" + "\n".join(lines)

    def document(self) -> str:
        if self.random.random() < 0.1:
            root = self.random.choice(["|", ">", "&a:b |"])
            return f"--- {root}\n" + self.random.choice(["line1\n# c\nline3", "%x\n...", "x\n--- |\ny"])
        lines = []
        for index in range(self.random.randint(1, 4)):
            key = self.random.choice(["k", "name", "a:b", "?q", "&x:1 k", "*x:1"]) + str(index)
            roll = self.random.random()
            value = self.flow() if roll < 0.4 else self.block_scalar() if roll < 0.6 else self.scalar()
            lines.append(f"{key}: {value}")
        return "\n".join(lines) + "\n"


def _ours(text: str) -> tuple[str, object]:
    try:
        return "ok", parse_document(text, name="fuzz.yml", fmt="yaml").data
    except InputError as error:
        return "refused", str(error)
    except Exception as error:  # a crash is a bug: reported, never hidden
        return "crash", repr(error)


def _agrees(bun: BunResult, ours: tuple[str, object]) -> bool:
    if bun.ok:
        return ours[0] == "ok" and same_value(bun.value, ours[1])
    return ours[0] == "refused"


def main(arguments: list[str]) -> int:
    """Fuzz; exit 1 when catalogmgr crashed or read a value Bun reads differently."""
    seed = int(arguments[0]) if arguments else 1
    count = int(arguments[1]) if len(arguments) > 1 else 2000
    omp = Path(os.environ.get("CATALOGMGR_OMP_DIR", "/work/omp/18.2.3/node_modules"))
    bun = omp / "@oven" / "bun-linux-x64" / "bin" / "bun"
    generator = Generator(seed)
    texts = [generator.document() for _ in range(count)]
    kinds = {"we refuse, Bun reads": 0, "Bun refuses, we read": 0, "different values": 0, "crash": 0}
    for text, bun_result in zip(texts, bun_parse(bun, texts, "yaml"), strict=True):
        if "too deep" in bun_result.error:
            continue
        ours = _ours(text)
        if _agrees(bun_result, ours):
            continue
        if ours[0] == "crash":
            kind = "crash"
        elif not bun_result.ok:
            kind = "Bun refuses, we read"
        elif ours[0] == "refused":
            kind = "we refuse, Bun reads"
        else:
            kind = "different values"
        kinds[kind] += 1
        theirs = repr(bun_result.value) if bun_result.ok else f"refused: {bun_result.error}"
        print(f"{kind}: {text!r}\n    bun:  {theirs:.300}\n    ours: {ours[0]} {ours[1]!r:.300}")
    print(f"seed {seed}, {count} texts: " + ", ".join(f"{name} {number}" for name, number in kinds.items()))
    return 1 if kinds["crash"] or kinds["different values"] or kinds["Bun refuses, we read"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
