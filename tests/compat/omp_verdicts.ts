/**
 * Verdict probe: one OMP release's own accept/reject verdict on many models.yml files, in one process.
 *
 * Run with bun from the Python driver (tests/compat/omp_versions.py), never in a real HOME:
 *
 *   bun --no-install tests/compat/omp_verdicts.ts <node_modules dir> <files.json> <out.json>
 *
 * files.json: {"files": [{"key": "<label>", "path": "/tmp/x/0/models.yml"}, ...]}
 * out.json:   {"omp": "<version>", "module": "<the module the loader came from>",
 *              "results": {"<label>": {"status": "ok" | "error" | "not-found", "error": str | null}}}
 *
 * What "OMP's verdict" is here: every release since 13.x loads models.yml through one exported
 * `ModelsConfigFile` (a `ConfigFile` with the models schema and `validateProviderConfiguration` as
 * its extra validation): in `src/config/models-config.ts` from 17.x, inside
 * `src/config/model-registry.ts` before. `ModelRegistry` calls `.relocate(<agent>/models.yml)` and
 * `.tryLoad()`, and drops every custom provider when the status is "error". This probe makes the
 * same two calls on each file, so it needs neither the bundled catalog nor a registry: that is
 * what lets it run the unpublished-catalog releases (18.2.9, 18.3.4) from their tarballs, with only
 * the few packages their config modules import installed beside them. Each file is relocated to a
 * fresh path, so no load result is served from another file's cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface FileJob {
	key: string;
	path: string;
}

interface LoadResult {
	status: "ok" | "error" | "not-found";
	error?: unknown;
}

interface ConfigFileLike {
	relocate(configPath: string): ConfigFileLike;
	tryLoad(): LoadResult;
}

const [, , nodeModulesArg, filesArg, outArg] = process.argv;
if (!nodeModulesArg || !filesArg || !outArg) {
	process.stderr.write("usage: bun omp_verdicts.ts <node_modules dir> <files.json> <out.json>\n");
	process.exit(2);
}
const agentDir = path.join(path.resolve(nodeModulesArg), "@oh-my-pi", "pi-coding-agent");
const version: string = JSON.parse(fs.readFileSync(path.join(agentDir, "package.json"), "utf-8")).version;

// A source-only release (its pi-coding-agent unpacked from the tarball, its dependencies at the
// nearest published release: pi-utils/pi-natives of 18.2.9+ have no published linux addon) may
// import pi-utils functions that release added. Those only write files (stringifyYamlConfig), so
// they are supplied as functions that refuse to run; anything the load path needs stays real.
const WRITE_ONLY_UTILS = ["stringifyYamlConfig"];
const utilsPackage = path.join(path.resolve(nodeModulesArg), "@oh-my-pi", "pi-utils");
const utilsVersion: string = JSON.parse(fs.readFileSync(path.join(utilsPackage, "package.json"), "utf-8")).version;
if (utilsVersion !== version) {
	const real: Record<string, unknown> = await import(utilsPackage);
	const exports: Record<string, unknown> = { ...real };
	for (const name of WRITE_ONLY_UTILS) {
		if (name in exports) continue;
		exports[name] = () => {
			throw new Error(`${name} is not available in the verdict probe`);
		};
	}
	Bun.plugin({
		name: "pi-utils of a source-only release",
		setup(build) {
			build.module("@oh-my-pi/pi-utils", () => ({ exports, loader: "object" }));
		},
	});
}

// The module exporting ModelsConfigFile, newest layout first.
const candidates = ["src/config/models-config.ts", "src/config/model-registry.ts"];
let loader: ConfigFileLike | undefined;
let loaderModule = "";
for (const candidate of candidates) {
	const file = path.join(agentDir, candidate);
	if (!fs.existsSync(file)) continue;
	const module = await import(file);
	if (module.ModelsConfigFile) {
		loader = module.ModelsConfigFile as ConfigFileLike;
		loaderModule = candidate;
		break;
	}
}
if (!loader) {
	process.stderr.write(`no ModelsConfigFile in ${candidates.join(" or ")} of ${agentDir}\n`);
	process.exit(3);
}

/** The error as text: the message, the schema errors OMP collected, and the wrapped cause. */
function describe(error: unknown): string {
	if (error === undefined || error === null) return "";
	if (!(error instanceof Error)) return String(error);
	const parts = [error.message];
	const record = error as unknown as Record<string, unknown>;
	for (const field of ["schemaErrors", "errors"]) {
		if (Array.isArray(record[field])) parts.push(JSON.stringify(record[field]));
	}
	if (record.cause instanceof Error) parts.push(`cause: ${record.cause.message}`);
	return parts.join(" | ");
}

const jobs: FileJob[] = JSON.parse(fs.readFileSync(filesArg, "utf-8")).files;
const results: Record<string, { status: string; error: string | null }> = {};
for (const job of jobs) {
	let outcome: LoadResult;
	try {
		outcome = loader.relocate(job.path).tryLoad();
	} catch (error) {
		// tryLoad catches everything it expects; a throw here is a probe bug, reported per file.
		outcome = { status: "error", error: new Error(`probe: tryLoad threw: ${describe(error)}`) };
	}
	results[job.key] = {
		status: outcome.status,
		error: outcome.status === "error" ? describe(outcome.error) : null,
	};
}
fs.writeFileSync(outArg, JSON.stringify({ omp: version, module: loaderModule, results }));
process.exit(0);
