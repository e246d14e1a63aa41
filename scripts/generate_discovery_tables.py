"""Generate ``catalogmgr/omp/data/discovery-refresh.json``: whose provider compat OMP 13.x/14.x loses.

In OMP 13.x/14.x, ``ModelRegistry.refresh()`` runs the built-in model discovery of every bundled
provider that has a key (``PROVIDER_DESCRIPTORS`` and the OAuth providers, keyed by an ``apiKey``
in ``models.yml``) or needs none; offline, a provider's model manager answers with its bundled
models, which then replace the loaded ones keeping only their ``baseUrl`` and ``headers``
(``#refreshRuntimeDiscoveries``). A provider-level ``compat`` of ``models.yml`` therefore never
reaches those models (custom definitions and ``modelOverrides`` are applied again afterwards).
Which providers this hits is decided by each descriptor's code, so this script asks OMP itself:
it loads a ``models.yml`` giving every bundled provider a marker compat key, once without and
once with an ``apiKey``, and records the providers whose models all lost the marker.

Usage (needs the release's bun; nothing reaches the network)::

    python scripts/generate_discovery_tables.py /work/omp/13.19.0/node_modules
    python scripts/generate_discovery_tables.py /work/omp/13.19.0/node_modules --check  # compare only

Each release is one key of the file; a re-run on the same OMP leaves the file byte for byte
unchanged, and ``--check`` exits 1 when the stored entry differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from omp_bun import ask_omp  # scripts/omp_bun.py: python puts this script's directory first

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "catalogmgr" / "omp" / "data" / "discovery-refresh.json"

_SCRIPT = """
import * as fs from "node:fs";
import * as path from "node:path";
const nodeModules = process.argv[2];
const agentSrc = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent", "src");
const piAi = path.join(nodeModules, "@oh-my-pi", "pi-ai", "src");
const { getBundledProviders } = await import(path.join(piAi, "models.ts"));
const { ModelRegistry } = await import(path.join(agentSrc, "config", "model-registry.ts"));
const { discoverAuthStorage } = await import(path.join(agentSrc, "sdk.ts"));
globalThis.fetch = (async (input: unknown) => {
	throw new Error(`network disabled (${String(input)})`);
}) as unknown as typeof fetch;
const providers: string[] = [...getBundledProviders()].sort();
const answer: Record<string, unknown> = {};
for (const withKey of [false, true]) {
	// A directory per run: OMP caches what it read from a models.yml path.
	const agentDir = path.join(process.env.HOME!, withKey ? "with-key" : "without-key");
	fs.mkdirSync(agentDir, { recursive: true });
	const file = path.join(agentDir, "models.yml");
	const lines = ["providers:"];
	for (const provider of providers) {
		lines.push(`  ${JSON.stringify(provider)}:`);
		if (withKey) lines.push("    apiKey: CATALOGMGR_DISCOVERY_PROBE_KEY");
		lines.push("    compat: {extraBody: {catalogmgrDiscoveryProbe: 1}}");
	}
	fs.writeFileSync(file, lines.join("\\n") + "\\n");
	const registry = new ModelRegistry(await discoverAuthStorage(), file);
	await registry.refresh("offline");
	if (registry.getError()) throw new Error(String(registry.getError()));
	const kept: Record<string, number> = {};
	const lost: Record<string, number> = {};
	for (const model of registry.getAll()) {
		const counts = model.compat?.extraBody?.catalogmgrDiscoveryProbe === 1 ? kept : lost;
		counts[model.provider] = (counts[model.provider] ?? 0) + 1;
	}
	answer[withKey ? "withKey" : "withoutKey"] = { kept, lost };
}
const manifest = path.join(agentSrc, "..", "package.json");
console.log(JSON.stringify({ version: (await Bun.file(manifest).json()).version, ...answer }));
"""


def _lost_providers(counts: dict[str, dict[str, int]]) -> list[str]:
    """The providers whose every model lost the marker; a partial loss is not what the port models."""
    partial = sorted(set(counts["lost"]) & set(counts["kept"]))
    if partial:
        raise SystemExit(f"providers losing the compat on some models only (not modelled): {partial}")
    return sorted(counts["lost"])


def entry(node_modules: Path) -> tuple[str, dict[str, Any]]:
    """The release's version and its entry of the table."""
    found = ask_omp(node_modules, _SCRIPT, prefix="catalogmgr-discovery-")
    return found["version"], {
        # Providers whose bundled models lose a provider-level compat whatever the entry says.
        "always": _lost_providers(found["withoutKey"]),
        # ... and those that lose it when the models.yml entry sets an apiKey.
        "withApiKey": _lost_providers(found["withKey"]),
    }


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) the entry of the OMP under ``argv[0]``."""
    check = "--check" in argv
    paths = [arg for arg in argv if arg != "--check"]
    if len(paths) != 1:
        raise SystemExit(__doc__)
    version, found = entry(Path(paths[0]))
    stored = json.loads(OUTPUT.read_text(encoding="utf-8")) if OUTPUT.exists() else {}
    releases = dict(stored.get("releases", {}))
    if check:
        if releases.get(version) != found:
            print(f"{OUTPUT}: the entry of OMP {version} differs from what OMP answers", file=sys.stderr)
            return 1
        print(f"{OUTPUT}: OMP {version} up to date")
        return 0
    releases[version] = found
    table = {
        "comment": "Generated by scripts/generate_discovery_tables.py from OMP's own ModelRegistry: "
        "do not edit.",
        "releases": dict(sorted(releases.items())),
    }
    OUTPUT.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
