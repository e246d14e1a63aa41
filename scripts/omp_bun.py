"""Run a TypeScript snippet under the bun of an installed OMP and read the JSON it prints.

The table generators (``generate_policy_tables.py``, ``generate_rule_engine_tables.py``) ask OMP's
own modules for their data this way: the script gets the ``node_modules`` path as its argument and
prints one JSON document on its last line. bun runs with a bare environment (no user settings,
no credentials) in a scratch directory.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any


def ask_omp(node_modules: Path, script: str, *, prefix: str) -> Any:
    """Run ``script`` with the bun installed beside OMP in ``node_modules``; the JSON it printed last.

    Exits with a message (these are command-line tools) when no bun is installed or bun fails.
    """
    bun_candidates = sorted((node_modules / "@oven").glob("bun-*/bin/bun"))
    if not bun_candidates:
        raise SystemExit(f"no bun under {node_modules}/@oven/bun-*/bin")
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        script_path = Path(tmp) / "tables.ts"
        script_path.write_text(script, encoding="utf-8")
        completed = subprocess.run(
            [str(bun_candidates[0]), "--no-install", str(script_path), str(node_modules.resolve())],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp,
            env={"PATH": "/usr/bin:/bin", "HOME": tmp, "NO_COLOR": "1"},
            timeout=300,
        )
    if completed.returncode != 0:
        raise SystemExit(f"bun failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def write_or_check(path: Path, data: bytes, *, check: bool, regenerate: str) -> int:
    """A generator's last step: write ``data`` to ``path`` (printing the path), or with ``check``
    compare it with what is stored; the exit code (1: stale, ``regenerate`` says how to refresh)."""
    if check:
        if not path.exists() or path.read_bytes() != data:
            print(f"{path} is stale: run {regenerate}")
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_bytes(data)
    print(path)
    return 0
