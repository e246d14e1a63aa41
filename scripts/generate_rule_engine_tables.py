"""Generate ``catalogmgr/omp/data/rule-engine-<version>.json.gz`` from an installed OMP.

The Python port of OMP's compat rule engine (:mod:`catalogmgr.omp.rule_engine`) decides a rebuilt
model's ``thinking`` and resolved ``compat`` from data OMP compiles out of its KDL rules and from
two tables in its code. All of it is taken from the installed package, never copied by hand:

- from pi-catalog ``src/compat/rules.json``: the identity taxonomy (classes with their matchers,
  families, revision prefixes and reviewed overrides; the collapse vocabulary) and the compat
  cascade (each rule's selectors and its ``wire``, ``thinking`` and ``catalog`` axes; the source
  line only for messages);
- through bun, from the modules themselves: ``KNOWN_HOSTS`` (``src/hosts.ts``), which compat
  records each wire axis applies to (``AXES`` in ``src/compat/axes.ts``) and which records each
  api uses (``API_COMPAT_RECORDS``);
- through bun, from OMP's own load (a ``ModelRegistry`` with no models.yml, ``refresh("offline")``):
  the bundled rows whose compat OMP re-materializes differently from what ``models.json`` stores
  (``loadRebuilds``). Offline built-in discovery rebuilds a provider's bundled rows through
  ``mergeDiscoveredModel`` -> ``buildModel``; where the release's models.json was baked by an
  older engine (18.1.16: the Responses records' ``clampOutputToModelMax``), the loaded row differs.

Usage (needs OMP's bun; nothing reaches the network)::

    python scripts/generate_rule_engine_tables.py /path/to/node_modules          # write
    python scripts/generate_rule_engine_tables.py /path/to/node_modules --check  # compare only

``node_modules`` is an OMP release's install, or a pi-catalog published without its release
(``.ci/omp/pc/18.2.11/node_modules``, the 18.2.9 and 18.3 profiles' rules): the tables are named
by pi-catalog's version, and such an install has no registry, hence no load rebuilds.

The output is deterministic (OMP's key order, gzip without a timestamp), so a re-run on the same OMP
leaves the file byte for byte unchanged; ``--check`` exits 1 when the stored file differs.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from omp_bun import ask_omp  # scripts/omp_bun.py: python puts this script's directory first

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT_DIR = REPO_ROOT / "catalogmgr" / "omp" / "data"

_SCRIPT = """
import * as path from "node:path";
const nodeModules = process.argv[2];
const src = path.join(nodeModules, "@oh-my-pi", "pi-catalog", "src");
const { KNOWN_HOSTS } = await import(path.join(src, "hosts.ts"));
const { AXES, API_COMPAT_RECORDS } = await import(path.join(src, "compat", "axes.ts"));
const axisRecords: Record<string, string[]> = {};
for (const directive of Object.keys(AXES)) {
	const axis = AXES[directive];
	if (axis.set === "wire" && axis.records) axisRecords[axis.key] = [...axis.records];
}
// pi-catalog's own version: a release installs the pi-catalog of its own version, and a catalog-only
// install (pi-catalog 18.2.11, whose release is not on npm) has no pi-coding-agent.
const manifest = path.join(nodeModules, "@oh-my-pi", "pi-catalog", "package.json");
const version = (await Bun.file(manifest).json()).version;

// The bundled rows OMP re-materializes at load: a registry as `omp models` builds it, refreshed
// offline (no network: fetch refuses), with the extendedContext setting off and on (the rows it
// rebuilds differ), with no models.yml and with one giving every bundled provider an apiKey (a
// keyed provider's discovery runs and rebuilds its rows); each compat key whose value differs from
// the row models.json stores.
// A catalog-only install (pi-catalog 18.2.11: no release to load) has no registry: none known.
const loadRebuilds: Record<string, Record<string, Record<string, Record<string, unknown>>>> = {};
const agentSrc = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent", "src");
if (await Bun.file(path.join(agentSrc, "config", "model-registry.ts")).exists()) {
	globalThis.fetch = (async () => {
		throw new Error("network disabled");
	}) as unknown as typeof fetch;
	const { ModelRegistry } = await import(path.join(agentSrc, "config", "model-registry.ts"));
	const settingsModule = await import(path.join(agentSrc, "config", "settings.ts"));
	const resetSettings = settingsModule.resetSettingsForTest ?? settingsModule._resetSettingsForTest;
	const { discoverAuthStorage } = await import(path.join(agentSrc, "session", "auth-broker-config.ts"));
	const bundled = await Bun.file(path.join(src, "models.json")).json();
	// A provider whose discovery first parses its credential (`prepareModelDiscovery`: an OAuth token
	// for muse-code, an AWS one for bedrock-mantle) rejects a plain key: it is not given one.
	const registryIndex = path.join(nodeModules, "@oh-my-pi", "pi-ai", "src", "registry", "index.ts");
	const { getProviderDefinition } = await import(registryIndex);
	const keyable = Object.keys(bundled).filter(id => !getProviderDefinition(id)?.prepareModelDiscovery);
	const keyedFile = JSON.stringify({
		providers: Object.fromEntries(keyable.map(provider => [provider, { apiKey: "CATALOGMGR_KEY" }])),
	});
	for (const [setting, extendedContext, keyed] of [
		["default", false, false],
		["extendedContext", true, false],
		["keyed", false, true],
		["keyedExtendedContext", true, true],
	] as const) {
		const agentDir = path.join(process.cwd(), `agent-${setting}`);
		if (extendedContext) await Bun.write(path.join(agentDir, "config.yml"), "extendedContext: true");
		if (keyed) await Bun.write(path.join(agentDir, "models.yml"), keyedFile);
		resetSettings();
		const settings = await settingsModule.Settings.init({ cwd: process.cwd(), agentDir });
		const registry = new ModelRegistry(await discoverAuthStorage(), path.join(agentDir, "models.yml"), {
			fetch: globalThis.fetch,
			settings,
		});
		await registry.refresh("offline");
		const rebuilt: Record<string, Record<string, Record<string, unknown>>> = {};
		for (const model of registry.getAll()) {
			const row = bundled[model.provider]?.[model.id];
			if (row === undefined) continue;
			const loaded = model.compat ?? {};
			const stored = row.compat ?? {};
			for (const key of new Set([...Object.keys(loaded), ...Object.keys(stored)])) {
				if (JSON.stringify(loaded[key]) === JSON.stringify(stored[key])) continue;
				if (!(key in loaded)) throw new Error(`${model.provider}/${model.id}: compat.${key} dropped`);
				((rebuilt[model.provider] ??= {})[model.id] ??= {})[key] = loaded[key];
			}
		}
		if (Object.keys(rebuilt).length > 0) loadRebuilds[setting] = rebuilt;
	}
}
const apiRecords = API_COMPAT_RECORDS;
console.log(JSON.stringify({ version, hosts: KNOWN_HOSTS, axisRecords, apiRecords, loadRebuilds }));
"""


def _ask_omp(node_modules: Path) -> dict[str, Any]:
    found: dict[str, Any] = ask_omp(node_modules, _SCRIPT, prefix="catalogmgr-rules-")
    return found


def _thinking_rule(rule: dict[str, Any]) -> dict[str, Any] | None:
    """The rule's selectors and axes, or None when it assigns no axis (it can never win one)."""
    kept = {
        key: value
        for key, value in rule.items()
        if key in ("source", "class", "providers", "apis", "family", "revision", "models", "priority")
    }
    for axis in ("wire", "thinking", "catalog"):
        if rule.get(axis):
            kept[axis] = rule[axis]
    return kept if any(axis in kept for axis in ("wire", "thinking", "catalog")) else None


def build_tables(node_modules: Path) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The tables for the OMP under ``node_modules``: (its version, the tables, its load rebuilds:
    setting ("default" / "extendedContext") -> provider -> model id -> the compat keys OMP's load
    gives that bundled row)."""
    found = _ask_omp(node_modules)
    rules_path = node_modules / "@oh-my-pi" / "pi-catalog" / "src" / "compat" / "rules.json"
    rules = json.loads(rules_path.read_text(encoding="utf-8"))
    collapse = rules["taxonomy"]["collapse"]
    cascade = [kept for rule in rules["cascade"]["rules"] if (kept := _thinking_rule(rule)) is not None]
    tables = {
        "comment": "Generated by scripts/generate_rule_engine_tables.py from OMP's compiled compat "
        "rules and its hosts/axes tables: do not edit.",
        "ompVersion": found["version"],
        "taxonomy": {
            "classes": rules["taxonomy"]["classes"],
            "collapse": {key: collapse[key] for key in ("suffixes", "pairTokens", "lanes", "effortFamilies")},
        },
        # In rule order (the cascade's order only breaks no tie: equal ranks are an error).
        "cascade": cascade,
        "hosts": found["hosts"],
        "axisRecords": found["axisRecords"],
        "apiRecords": found["apiRecords"],
    }
    return found["version"], tables, found["loadRebuilds"]


def encode(tables: dict[str, Any]) -> bytes:
    """Deterministic bytes: compact JSON in OMP's own key order (named KDL children are read in
    that order, as ``Object.values`` reads them), gzip with no name and no timestamp."""
    text = json.dumps(tables, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) the tables for the OMP under ``argv[0]``."""
    check = "--check" in argv
    paths = [arg for arg in argv if arg != "--check"]
    if len(paths) != 1:
        raise SystemExit(__doc__)
    version, tables, load_rebuilds = build_tables(Path(paths[0]))
    # The load rebuilds live in their own small file, only for a release that has some: the merge
    # reads them on every runtime-view merge under that release, the rule engine only on a rebuild.
    outputs: dict[Path, bytes | None] = {
        OUTPUT_DIR / f"rule-engine-{version}.json.gz": encode(tables),
        OUTPUT_DIR / f"load-rebuilds-{version}.json": (
            (json.dumps(load_rebuilds, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
            if load_rebuilds
            else None
        ),
    }
    if check:
        stale = [
            path for path, data in outputs.items() if (path.read_bytes() if path.exists() else None) != data
        ]
        for path in stale:
            print(f"{path} is stale: run scripts/generate_rule_engine_tables.py {paths[0]}")
        if not stale:
            print(f"{OUTPUT_DIR}: the tables of OMP {version} are up to date")
        return 1 if stale else 0
    for path, data in outputs.items():
        if data is None:
            path.unlink(missing_ok=True)
            continue
        path.write_bytes(data)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
