"""Runs ``omp_provider_requests.ts``: what the real OMP sends (and discovers) for models.yml cases.

One bun process per call, whatever the number of cases; HOME is a temporary folder, the environment
holds only PATH, locale and each case's variables, and bun runs without a network where Linux
allows it (``unshare --net``); the script's fetch never reaches one anyway.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omp import OmpInstall

from catalogmgr.omp.bridge import network_namespace_prefix

SCRIPT = Path(__file__).with_name("omp_provider_requests.ts")


def run_omp_requests(
    install: OmpInstall, cases: Mapping[str, Mapping[str, Any]], tmp: Path
) -> dict[str, Any]:
    """``{case name: {"requests": [...], "models": [...], "error": ...}}``.

    Each case: ``{"providers": {...}, "provider": p, "model": id, "env": {...}, "mode": "chat" |
    "discovery", "answers": {url: json}}`` (see ``omp_provider_requests.ts``).
    """
    jobs = []
    for index, (name, case) in enumerate(cases.items()):
        run = tmp / f"case{index}"
        (run / "agent").mkdir(parents=True)
        (run / "project").mkdir()
        (run / "agent" / "models.yml").write_text(
            json.dumps({"providers": case["providers"]}), encoding="utf-8"
        )
        jobs.append(
            {
                "name": name,
                "dir": str(run),
                "provider": case["provider"],
                "model": case.get("model", ""),
                "env": dict(case.get("env", {})),
                "mode": case.get("mode", "chat"),
                "answers": case.get("answers", {}),
            }
        )
    cases_path, out_path = tmp / "cases.json", tmp / "out.jsonl"
    cases_path.write_text(json.dumps(jobs), encoding="utf-8")
    home = tmp / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    command = [*network_namespace_prefix(), str(install.bun), "--no-install", str(SCRIPT)]
    completed = subprocess.run(
        [*command, str(install.node_modules), str(cases_path), str(out_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return {doc["name"]: doc for doc in map(json.loads, out_path.read_text(encoding="utf-8").splitlines())}
