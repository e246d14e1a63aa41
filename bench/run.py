#!/usr/bin/env python3
"""catalogmgr benchmarks: whole-command timings as ratios to baselines measured in the same run.

Run from the repository root with the project installed (``pip install -e '.[dev]'``)::

    python bench/run.py                 # all figures, 5 runs each
    python bench/run.py --runs 9 --only validate,merge
    python bench/run.py --json          # machine-readable results

Every figure is a whole process (start-up included), timed over several runs; the table shows
the median and the minimum, the baseline's median, and the ratio of medians. Absolute seconds
depend on the machine and its load; the ratios are what to compare between runs and machines.
Peak memory is the child's own maximum resident set size (``wait4``).

Figures that need data from ``../shared`` (OMP's real catalog, the OpenRouter listing) or the
real OMP under bun (``$CATALOGMGR_OMP_DIR``) are skipped with the reason when those are absent.
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CATALOGMGR_SHARED_DIR", REPO.parent / "shared"))
PYTHON = sys.executable
CATALOGMGR = [PYTHON, "-m", "catalogmgr"]

# A typical user overlay: the seed's MiniMax M3 entry, a regional endpoint, a local server,
# price/context corrections. It exercises every merge path without being exotic.
TYPICAL_OVERLAY = """\
# yaml-language-server: $schema=../schemas/omp-models-yml.schema.json
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    authHeader: true
    disableStrictTools: true
    models:
      - id: MiniMax-M3
        name: MiniMax M3
        reasoning: true
        input: [text, image]
        contextWindow: 1000000
        maxTokens: 16384
        cost: {input: 0, output: 0, cacheRead: 0, cacheWrite: 0}
  moonshot:
    baseUrl: https://api.moonshot.cn/v1
    apiKey: MOONSHOT_API_KEY
  ollama:
    baseUrl: http://127.0.0.1:11434/v1
    api: openai-completions
    auth: none
    models:
      - id: qwen3-coder:30b
        contextWindow: 262144
      - id: house-model-7b
  openrouter:
    apiKey: OPENROUTER_API_KEY
    modelOverrides:
      anthropic/claude-sonnet-4.5:
        contextWindow: 1000000
      deepseek/deepseek-v3.2:
        cost: {input: 0.25}
"""


@dataclass
class Sample:
    wall: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    # User + system CPU seconds of the child: steadier than wall time on a loaded machine.
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024


@dataclass
class Figure:
    name: str
    command: str
    median_s: float | None = None
    min_s: float | None = None
    peak_mib: float | None = None
    baseline: str | None = None
    baseline_median_s: float | None = None
    ratio: float | None = None
    cpu_ratio: float | None = None  # the same ratio by CPU time (user + system)
    target: str | None = None
    met: bool | None = None
    note: str | None = None


def _run_once(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, float, int, str]:
    """One whole run: wall seconds, peak RSS (KiB), user + system CPU seconds, exit code, stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    # stderr is read after the exit: every measured command writes only a few lines to it.
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, process.returncode, stderr


def _bench_env(env: dict[str, str] | None) -> dict[str, str]:
    # As an installed package runs: with bytecode (a PYTHONDONTWRITEBYTECODE in the caller's
    # environment would make every run compile every module, as no pip-installed copy does).
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    return full_env


def measure_interleaved(
    commands: Sequence[Sequence[str]], runs: int, *, cwd: Path = REPO, env: dict[str, str] | None = None
) -> list[Sample]:
    """Run each of ``commands`` ``runs`` times, taking turns (A B A B ...), after one warm-up round.

    Taking turns is what makes a ratio fair on a shared machine: a burst of load from another
    process then slows both commands of a round, not only the one that happened to run during it.
    """
    samples = [Sample() for _ in commands]
    full_env = _bench_env(env)
    for attempt in range(runs + 1):
        for argv, sample in zip(commands, samples, strict=True):
            elapsed, peak_kib, cpu, returncode, stderr = _run_once(argv, cwd, full_env)
            if attempt == 0:
                # warm-up: fills the page cache, compiles .pyc files
                if returncode not in (0, 1):
                    raise RuntimeError(f"{' '.join(argv)} failed with {returncode}: {stderr[-800:]}")
                continue
            sample.wall.append(elapsed)
            sample.peak_kib.append(peak_kib)
            sample.cpu.append(cpu)
            sample.exit_codes.append(returncode)
    return samples


def measure(argv: Sequence[str], runs: int, *, cwd: Path = REPO, env: dict[str, str] | None = None) -> Sample:
    """Run ``argv`` ``runs`` times (after one warm-up run) and collect wall time and peak RSS."""
    return measure_interleaved([argv], runs, cwd=cwd, env=env)[0]


def compare(
    name: str,
    argv: Sequence[str],
    baseline_name: str,
    baseline_argv: Sequence[str],
    runs: int,
    *,
    target: float | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Figure, Sample]:
    """Measure a command and its baseline alternately in the same run and give the ratio."""
    subject, reference = measure_interleaved([argv, baseline_argv], runs, env=env)
    ratio = subject.median / reference.median
    figure = Figure(
        name=name,
        command=" ".join(argv),
        median_s=round(subject.median, 4),
        min_s=round(subject.best, 4),
        peak_mib=round(subject.peak_mib, 1),
        baseline=baseline_name,
        baseline_median_s=round(reference.median, 4),
        ratio=round(ratio, 3),
        cpu_ratio=round(subject.cpu_median / reference.cpu_median, 3) if reference.cpu_median else None,
        target=f"<= {target}x" if target is not None else None,
        met=None if target is None else ratio <= target,
    )
    return figure, subject


IN_PROCESS_MERGE = """
import json, sys, time
from catalogmgr.documents import load_document, load_json_fast
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.render.catalog import render_catalog_json
catalog_path, overlay_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
overlay = load_document(overlay_path)
def best(action):
    timings = []
    for _ in range(runs):
        started = time.perf_counter(); action(); timings.append(time.perf_counter() - started)
    return sorted(timings)[len(timings) // 2]
baseline = best(lambda: json.load(open(catalog_path)))
core = best(lambda: merge_catalog(load_json_fast(catalog_path), [Layer(overlay_path, overlay.data, overlay)]))
merged = merge_catalog(load_json_fast(catalog_path), [Layer(overlay_path, overlay.data, overlay)]).catalog
render = best(lambda: render_catalog_json(merged))
print(json.dumps({"baseline": baseline, "core": core, "render": render}))
"""


def in_process_merge(catalog: Path, overlay: Path, runs: int) -> dict[str, float]:
    """Medians, measured inside one process: json.load vs load + merge vs tab-indented rendering.

    This isolates the engine from interpreter start-up, imports and writing 15 MB to a pipe,
    which the whole-command figure includes.
    """
    result = subprocess.run(
        [PYTHON, "-c", IN_PROCESS_MERGE, str(catalog), str(overlay), str(runs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    timings: dict[str, float] = json.loads(result.stdout)
    return timings


def write_overlay_like(directory: Path, target_bytes: int = 240_000) -> Path:
    """A models.yml shaped like the fix `diff-upstream --write-overlay` writes for models.dev against
    OMP 18.2.3 (issue 10: 240 KB, 3,900 lines): per provider, modelOverrides of the embedded
    catalog's models with a comment each, in block and flow style, and a few new models."""
    embedded = REPO / "catalogmgr" / "data" / "omp-catalog.json.gz"
    catalog = json.loads(gzip.decompress(embedded.read_bytes()))
    lines = [
        "# OMP models.yml overlay; models and overrides from models.dev (synthetic, bench/run.py)",
        "providers:",
    ]
    size = 0
    round_number = 0
    while size < target_bytes:
        for provider, models in catalog.items():
            ids = list(models)[:40]
            lines.append(f"  {provider}{'-' + str(round_number) if round_number else ''}:")
            lines.append(
                "    baseUrl: http://127.0.0.1:8080/v1  # new models need their provider's URL and api"
            )
            lines.append("    api: openai-completions")
            lines.append("    apiKey: BENCH_API_KEY")
            lines.append("    modelOverrides:")
            for index, model_id in enumerate(ids):
                lines.append(
                    f"      {model_id}:  # models.dev: contextWindow 131072 -> 262144; cost.input 0.5 -> 0.4"
                )
                lines.append(f"        name: {model_id.split('/')[-1]} (v{index})")
                lines.append(f"        contextWindow: {262144 + index}")
                lines.append("        maxTokens: 65536")
                lines.append("        cost: {input: 0.4, output: 1.6, cacheRead: 0.04, cacheWrite: 0}")
            lines.append("    models:")
            lines.append(f"      - id: new-model-{round_number}")
            lines.append("        name: New Model")
            lines.append("        input: [text, image]")
            lines.append("        reasoning: true")
            size = sum(len(line) + 1 for line in lines)
            if size >= target_bytes:
                break
        round_number += 1
    path = directory / "write-overlay-like.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


READER_TIMING = """
import json, sys, time
from catalogmgr.documents import parse_document
text = open(sys.argv[1], encoding="utf-8").read()
runs = int(sys.argv[2])
timings = []
for _ in range(runs):
    started = time.perf_counter(); parse_document(text, name="overlay.yml", fmt="yaml")
    timings.append(time.perf_counter() - started)
print(json.dumps(sorted(timings)[len(timings) // 2]))
"""


def reader_seconds(path: Path, runs: int) -> float:
    """The reader's median time on one YAML file, in one process (no start-up, no validation)."""
    result = subprocess.run(
        [PYTHON, "-c", READER_TIMING, str(path), str(runs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(result.stdout))


def duplicate_keys_yaml(directory: Path, keys: int, duplicated: bool) -> Path:
    """Issue 13, break 2: a models.yml whose provider repeats one header key ``keys`` times
    (or has ``keys`` distinct header keys)."""
    lines = ["providers:", "  p:", "    baseUrl: http://127.0.0.1:1/v1", "    headers:"]
    lines += [f"      {'X-Same' if duplicated else f'X-Key-{index}'}: v{index}" for index in range(keys)]
    path = directory / f"headers-{keys}-{'dup' if duplicated else 'unique'}.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


# The model the lookup figures read (issue 15's example: present in OMP 18.2.3's catalog).
LOOKUP_MODEL = ("openrouter", "mistralai/codestral-2508")


def real_catalog() -> Path | None:
    """OMP's real catalog: $CATALOGMGR_BENCH_CATALOG, ../shared's copy, else the installed OMP's."""
    explicit = os.environ.get("CATALOGMGR_BENCH_CATALOG")
    candidates = [Path(explicit)] if explicit else [SHARED / "data" / "omp" / "pi-catalog-18.2.3.models.json"]
    omp_dir = os.environ.get("CATALOGMGR_OMP_DIR")
    if omp_dir and not explicit:
        candidates.append(Path(omp_dir) / "@oh-my-pi" / "pi-catalog" / "src" / "models.json")
    return next((path for path in candidates if path.is_file()), None)


EMBEDDED_LOAD = """
import json, sys, time
import orjson
started = time.perf_counter()
from catalogmgr.catalog import load_embedded_default
imported = time.perf_counter() - started
def median(action, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter(); action(); timings.append(time.perf_counter() - started)
    return sorted(timings)[len(timings) // 2]
runs = int(sys.argv[2])
def embedded():
    load_embedded_default.cache_clear()
    load_embedded_default()
raw = open(sys.argv[1], "rb").read() if sys.argv[1] else None
print(json.dumps({
    "embedded": median(embedded, runs),
    "orjson_file": median(lambda: orjson.loads(open(sys.argv[1], "rb").read()), runs) if raw else None,
    "json_file": median(lambda: json.load(open(sys.argv[1])), runs) if raw else None,
}))
"""


def embedded_load(catalog: Path | None, runs: int) -> dict[str, float | None]:
    """In one process: the embedded catalog's decompress + parse vs parsing the plain file."""
    result = subprocess.run(
        [PYTHON, "-c", EMBEDDED_LOAD, str(catalog or ""), str(runs)],
        env={key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    timings: dict[str, float | None] = json.loads(result.stdout)
    return timings


def openrouter_listing() -> Path | None:
    path = SHARED / "data" / "openrouter" / "models-2026-08-18-all.json"
    return path if path.is_file() else None


def synthetic_catalog(models: int, directory: Path) -> Path:
    """A catalog of ``models`` models shaped like OMP's, spread over providers of 500 models."""
    catalog: dict[str, dict[str, object]] = {}
    for index in range(models):
        provider = f"provider-{index // 500:04d}"
        model_id = f"vendor/model-{index:07d}"
        catalog.setdefault(provider, {})[model_id] = {
            "id": model_id,
            "name": f"Model {index}",
            "api": "openai-completions" if index % 3 else "anthropic-messages",
            "provider": provider,
            "baseUrl": f"https://{provider}.example/v1",
            "reasoning": bool(index % 2),
            "input": ["text", "image"] if index % 5 == 0 else ["text"],
            "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0.03, "cacheWrite": 0.375},
            "contextWindow": 131072 + index % 7,
            "maxTokens": 16384,
            "compat": {"supportsStore": False, "supportsDeveloperRole": False},
            "thinking": {"mode": "effort", "efforts": ["low", "medium", "high"]},
        }
    path = directory / f"synthetic-{models}.json"
    path.write_text(json.dumps(catalog, indent="\t"))
    return path


SYNTHETIC_OVERLAY = """\
providers:
  provider-0000:
    baseUrl: https://regional.example/v1
    apiKey: PROVIDER_KEY
    compat: {supportsStore: true}
    modelOverrides:
      vendor/model-0000001: {contextWindow: 200000}
  provider-0001:
    apiKey: OTHER_KEY
    api: openai-completions
    baseUrl: https://other.example/v1
    models:
      - id: brand-new-model
        contextWindow: 64000
"""


def import_profile(module: str) -> tuple[float, list[str]]:
    """Cumulative import time of ``module`` (seconds) and the heavy third-party packages it pulls in."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", f"import {module}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    total_us = 0
    imported: set[str] = set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if not cumulative.isdigit():
            continue
        imported.add(name.strip().split(".")[0])
        if name.strip() == module:
            total_us = int(cumulative)
    heavy = sorted(imported & {"httpx", "httpcore", "deepdiff", "hypothesis", "platformdirs", "anyio"})
    return total_us / 1e6, heavy


def engine_figure(scratch: Path, overlay: Path, runs: int, env: dict[str, str]) -> Figure:
    """``merge --engine omp`` (the installed OMP computes the catalog through the bridge) against
    what it replaces: OMP's own registry load plus catalogmgr's Python merge and rendering of the
    same overlay, run one after the other. Target: no slower (ratio <= 1)."""
    name = "merge --engine omp vs OMP's own load + catalogmgr's merge and rendering"
    omp_dir = os.environ.get("CATALOGMGR_OMP_DIR")
    probe = REPO / "bench" / "omp_registry_load.ts"
    bun = Path(omp_dir or "") / "@oven" / "bun-linux-x64" / "bin" / "bun"
    catalog = Path(omp_dir or "") / "@oh-my-pi" / "pi-catalog" / "src" / "models.json"
    if not (omp_dir and bun.is_file() and catalog.is_file()):
        return Figure(name, "", note="skipped: CATALOGMGR_OMP_DIR (with its bun) is not set")
    omp_home = scratch / "omp-engine-home"
    (omp_home / ".omp" / "agent").mkdir(parents=True, exist_ok=True)
    (omp_home / ".omp" / "agent" / "models.yml").write_text(TYPICAL_OVERLAY)
    engine = [*CATALOGMGR, "merge", "--engine", "omp", "--omp-dir", omp_dir, "--overlay", str(overlay)]
    python_merge = [
        *CATALOGMGR,
        "merge",
        "--engine",
        "python",
        "--base",
        str(catalog),
        "--overlay",
        str(overlay),
    ]
    both = f"{shlex.join([str(bun), str(probe)])} >/dev/null && {shlex.join(python_merge)}"
    figure, _ = compare(
        name,
        engine,
        "bun registry load, then catalogmgr merge --engine python",
        ["sh", "-c", both],
        runs,
        target=1.0,
        env={**env, "HOME": str(omp_home), "NODE_PATH": omp_dir},
    )
    return figure


def run(runs: int, only: set[str] | None) -> list[Figure]:
    figures: list[Figure] = []

    def wanted(key: str) -> bool:
        return only is None or key in only

    with tempfile.TemporaryDirectory(prefix="catalogmgr-bench-") as scratch_name:
        scratch = Path(scratch_name)
        overlay = scratch / "models.yml"
        overlay.write_text(TYPICAL_OVERLAY)
        schema = REPO / "schemas" / "omp-models-yml.schema.json"
        env = {"HOME": str(scratch), "XDG_CACHE_HOME": str(scratch / "cache")}

        if wanted("validate"):
            validate = [*CATALOGMGR, "validate", str(overlay)]
            figure, _ = compare(
                "validate: typical models.yml",
                validate,
                "python -c pass",
                [PYTHON, "-c", "pass"],
                runs,
                env=env,
            )
            figure.note = "start-up floor: the interpreter alone"
            figures.append(figure)
            checker = shutil.which("check-jsonschema", path=str(Path(PYTHON).parent)) or shutil.which(
                "check-jsonschema"
            )
            if checker and schema.is_file():
                figure, _ = compare(
                    "validate vs check-jsonschema",
                    validate,
                    "check-jsonschema",
                    [checker, "--schemafile", str(schema), str(overlay)],
                    runs,
                    target=1.0,
                    env=env,
                )
                figures.append(figure)
            else:
                figures.append(
                    Figure(
                        "validate vs check-jsonschema",
                        " ".join(validate),
                        note="skipped: check-jsonschema or the schema is missing",
                    )
                )
            seconds, heavy = import_profile("catalogmgr.cli.validate")
            figures.append(
                Figure(
                    "import catalogmgr.cli.validate",
                    f"{PYTHON} -X importtime -c 'import catalogmgr.cli.validate'",
                    median_s=round(seconds, 4),
                    met=not heavy,
                    target="no httpx/deepdiff on the validate path",
                    note=f"heavy packages imported: {', '.join(heavy) or 'none'}",
                )
            )

        catalog = real_catalog()
        merge_sample: Sample | None = None
        if wanted("merge") or wanted("diff"):
            if catalog is None:
                figures.append(
                    Figure("merge: OMP's real catalog", "", note="skipped: ../shared catalog absent")
                )
            else:
                # --engine python: with an installed OMP, `auto` would hand the merge to OMP itself.
                merge = [
                    *CATALOGMGR,
                    "merge",
                    "--engine",
                    "python",
                    "--base",
                    str(catalog),
                    "--overlay",
                    str(overlay),
                ]
                figure, merge_sample = compare(
                    f"merge: real catalog ({catalog.stat().st_size / 1e6:.1f} MB) + typical overlay",
                    merge,
                    "python json.load of the same file",
                    [PYTHON, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(catalog)],
                    runs,
                    target=1.5,
                    env=env,
                )
                figures.append(figure)
                timings = in_process_merge(catalog, overlay, max(runs, 5))
                figures.append(
                    Figure(
                        "merge engine in-process: load_json_fast + merge_catalog",
                        "(python, one process)",
                        median_s=round(timings["core"], 4),
                        baseline="json.load in the same process",
                        baseline_median_s=round(timings["baseline"], 4),
                        ratio=round(timings["core"] / timings["baseline"], 3),
                        target="<= 1.5x",
                        met=timings["core"] / timings["baseline"] <= 1.5,
                    )
                )
                figures.append(
                    Figure(
                        "render the merged catalog as tab-indented JSON",
                        "(python, one process)",
                        median_s=round(timings["render"], 4),
                        baseline="json.load in the same process",
                        baseline_median_s=round(timings["baseline"], 4),
                        ratio=round(timings["render"] / timings["baseline"], 3),
                    )
                )
                omp_dir = os.environ.get("CATALOGMGR_OMP_DIR")
                probe = REPO / "bench" / "omp_registry_load.ts"
                bun = Path(omp_dir or "") / "@oven" / "bun-linux-x64" / "bin" / "bun"
                if omp_dir and bun.is_file() and probe.is_file():
                    omp_home = scratch / "omp-home"
                    (omp_home / ".omp" / "agent").mkdir(parents=True, exist_ok=True)
                    (omp_home / ".omp" / "agent" / "models.yml").write_text(TYPICAL_OVERLAY)
                    figure, _ = compare(
                        "merge vs OMP's own registry load (bun)",
                        merge,
                        "OMP ModelRegistry refresh(offline)",
                        [str(bun), str(probe)],
                        runs,
                        target=0.3,
                        env={**env, "HOME": str(omp_home), "NODE_PATH": omp_dir},
                    )
                    figures.append(figure)
                else:
                    figures.append(
                        Figure(
                            "merge vs OMP's own registry load (bun)",
                            "",
                            note="skipped: CATALOGMGR_OMP_DIR is not set",
                        )
                    )

        if wanted("embedded"):
            timings = embedded_load(catalog, max(runs, 5))
            baseline = timings.get("orjson_file")
            figures.append(
                Figure(
                    "embedded catalog load: gunzip + parse (265 KB -> 10.9 MB)",
                    "(python, one process) catalogmgr.catalog.load_embedded_default()",
                    median_s=round(float(timings["embedded"] or 0), 4),
                    baseline="orjson.loads of OMP's models.json file" if baseline else None,
                    baseline_median_s=round(baseline, 4) if baseline else None,
                    ratio=round(float(timings["embedded"] or 0) / baseline, 3) if baseline else None,
                    note=f"json.load of the file: {timings['json_file']:.4f} s"
                    if timings["json_file"]
                    else None,
                )
            )
            embedded_merge = [*CATALOGMGR, "merge", "--engine", "python", "--overlay", str(overlay)]
            sample = measure(embedded_merge, runs, env=env)
            figures.append(
                Figure(
                    "merge: embedded catalog (no OMP installed) + typical overlay",
                    " ".join(embedded_merge),
                    median_s=round(sample.median, 4),
                    min_s=round(sample.best, 4),
                    peak_mib=round(sample.peak_mib, 1),
                )
            )

        if wanted("lookup"):
            jq = shutil.which("jq")
            if catalog is None:
                figures.append(Figure("show/list one model vs jq", "", note="skipped: no real catalog"))
            elif jq is None:
                figures.append(Figure("show/list one model vs jq", "", note="skipped: jq is not installed"))
            else:
                provider, model_id = LOOKUP_MODEL
                reading = [jq, f'.["{provider}"]["{model_id}"]', str(catalog)]
                for label, argv in (
                    (
                        "show one model vs jq reading it",
                        ["show", f"{provider}/{model_id}", "--format", "json"],
                    ),
                    (
                        "list one model vs jq reading it",
                        ["list", "--provider", provider, "--find", model_id, "--format", "json"],
                    ),
                ):
                    command = [*CATALOGMGR, *argv, "--base", str(catalog), "--no-default-overlay"]
                    figure, _ = compare(
                        label, command, "jq reading the model", reading, runs, target=1.0, env=env
                    )
                    figures.append(figure)
        if wanted("engine"):
            figures.append(engine_figure(scratch, overlay, runs, env))

        if wanted("diff"):
            listing = openrouter_listing()
            if catalog is None or listing is None or merge_sample is None:
                figures.append(Figure("diff-upstream vs merge", "", note="skipped: ../shared data absent"))
            else:
                diff = [
                    *CATALOGMGR,
                    "diff-upstream",
                    "--base",
                    str(catalog),
                    "--overlay",
                    str(overlay),
                    "--source",
                    "openrouter",
                    "--upstream-file",
                    str(listing),
                    "--format",
                    "json",
                ]
                subject = measure(diff, runs, env=env)
                ratio = subject.median / merge_sample.median
                figures.append(
                    Figure(
                        "diff-upstream: real catalog vs 549-model OpenRouter listing",
                        " ".join(diff),
                        median_s=round(subject.median, 4),
                        min_s=round(subject.best, 4),
                        peak_mib=round(subject.peak_mib, 1),
                        baseline="merge (above)",
                        baseline_median_s=round(merge_sample.median, 4),
                        ratio=round(ratio, 3),
                        target="<= 2.0x",
                        met=ratio <= 2.0,
                    )
                )

        if wanted("reader"):
            big = write_overlay_like(scratch)
            lines = big.read_text().count("\n")
            seconds = reader_seconds(big, runs)
            figures.append(
                Figure(
                    f"reader: overlay like write-overlay ({big.stat().st_size // 1000} KB, {lines:,} lines)",
                    "parse_document(text) in one process",
                    median_s=round(seconds, 4),
                    target="<= 0.3 s",
                    met=seconds <= 0.3,
                )
            )
            # The Python engine in both: the figure is about catalogmgr's reader, not OMP's.
            small_merge = [*CATALOGMGR, "merge", "--engine", "python", "--no-default-overlay"]
            small_merge += ["--overlay", str(overlay)]
            big_merge = [*CATALOGMGR, "merge", "--engine", "python", "--no-default-overlay"]
            big_merge += ["--overlay", str(big)]
            figure, _ = compare(
                "reader: merge with that overlay vs a typical one",
                big_merge,
                "merge with the typical overlay",
                small_merge,
                runs,
                target=2.0,
                env=env,
            )
            figures.append(figure)
            duplicated = reader_seconds(duplicate_keys_yaml(scratch, 20_000, True), max(1, runs // 2))
            figures.append(
                Figure(
                    "reader: 20,000 duplicate header keys (issue 13, break 2)",
                    "parse_document(text) in one process",
                    median_s=round(duplicated, 4),
                )
            )
            unique = reader_seconds(duplicate_keys_yaml(scratch, 100_000, False), max(1, runs // 2))
            repeated = reader_seconds(duplicate_keys_yaml(scratch, 100_000, True), max(1, runs // 2))
            figures.append(
                Figure(
                    "reader: 100,000 keys, duplicated vs unique",
                    "parse_document(text) in one process",
                    median_s=round(repeated, 4),
                    baseline="100,000 unique keys",
                    baseline_median_s=round(unique, 4),
                    ratio=round(repeated / unique, 3),
                    target="<= 3x (linear bookkeeping)",
                    met=repeated / unique <= 3,
                )
            )

        if wanted("scaling"):
            synthetic_overlay = scratch / "synthetic.yml"
            synthetic_overlay.write_text(SYNTHETIC_OVERLAY)
            per_model: list[tuple[int, float, float]] = []
            for size in (5_000, 50_000, 200_000):
                path = synthetic_catalog(size, scratch)
                argv = [*CATALOGMGR, "merge", "--base", str(path), "--overlay", str(synthetic_overlay)]
                sample = measure(argv, max(3, runs // 2), env=env)
                per_model.append((size, sample.median, sample.peak_mib))
                figures.append(
                    Figure(
                        f"scaling: merge of {size:,} synthetic models",
                        " ".join(argv),
                        median_s=round(sample.median, 4),
                        min_s=round(sample.best, 4),
                        peak_mib=round(sample.peak_mib, 1),
                    )
                )
                path.unlink()
            # Linear growth: the marginal cost per model from 50k to 200k stays within 1.5x of the
            # marginal cost from 5k to 50k (start-up cancels out of the differences).
            (s1, t1, m1), (s2, t2, m2), (s3, t3, m3) = per_model
            time_ratio = ((t3 - t2) / (s3 - s2)) / ((t2 - t1) / (s2 - s1))
            memory_ratio = ((m3 - m2) / (s3 - s2)) / max((m2 - m1) / (s2 - s1), 1e-9)
            figures.append(
                Figure(
                    "scaling: marginal time per model, 50k-200k vs 5k-50k",
                    "",
                    ratio=round(time_ratio, 3),
                    target="<= 1.5x (linear)",
                    met=time_ratio <= 1.5,
                )
            )
            figures.append(
                Figure(
                    "scaling: marginal memory per model, 50k-200k vs 5k-50k",
                    "",
                    ratio=round(memory_ratio, 3),
                    target="<= 1.5x (linear)",
                    met=memory_ratio <= 1.5,
                )
            )
    return figures


def render(figures: list[Figure]) -> str:
    header = (
        f"{'figure':<62} {'median s':>9} {'min s':>8} {'peak MiB':>9} {'baseline s':>10} {'ratio':>7}  target"
    )
    lines = [header, "-" * len(header)]
    for figure in figures:

        def cell(value: float | None, width: int, digits: int = 3) -> str:
            return f"{value:>{width}.{digits}f}" if value is not None else " " * (width - 1) + "-"

        verdict = "" if figure.met is None else (" met" if figure.met else " NOT MET")
        lines.append(
            f"{figure.name:<62} {cell(figure.median_s, 9)} {cell(figure.min_s, 8)} "
            f"{cell(figure.peak_mib, 9, 1)} {cell(figure.baseline_median_s, 10)} "
            f"{cell(figure.ratio, 7, 2)}  {figure.target or ''}{verdict}"
        )
        if figure.baseline:
            cpu = f" (ratio by CPU time: {figure.cpu_ratio:.2f})" if figure.cpu_ratio is not None else ""
            lines.append(f"{'':<4}baseline: {figure.baseline}{cpu}")
        if figure.note:
            lines.append(f"{'':<4}{figure.note}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (after one warm-up)")
    parser.add_argument(
        "--only", help="comma-separated subset: validate,merge,embedded,lookup,diff,reader,scaling,engine"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args(argv)
    only = set(options.only.split(",")) if options.only else None
    # pip compiles an installed package's bytecode; do the same for the checkout being measured.
    compileall.compile_dir(str(REPO / "catalogmgr"), quiet=1)
    figures = run(options.runs, only)
    if options.json:
        print(json.dumps([asdict(f) for f in figures], indent=2))
    else:
        print(
            f"catalogmgr benchmarks: {options.runs} runs each, python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs"
        )
        print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
