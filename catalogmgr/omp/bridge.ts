/**
 * The OMP bridge: an installed OMP's own verdict and effective catalog for a batch of models.yml
 * overlays. It is shipped in the catalogmgr package and shared by `--engine omp`
 * (catalogmgr/omp/bridge.py) and the differential tests (tests/compat/omp.py).
 *
 * Run with OMP's bun from catalogmgr/omp/bridge.py, never by hand in a real HOME:
 *
 *   bun --no-install catalogmgr/omp/bridge.ts <node_modules dir> <jobs.json> <out.jsonl>
 *
 * jobs.json:
 *   {"baselines": [{"key": "<settings key>", "dir": "/tmp/x/b0", "emit": true}],
 *    "jobs": [{"key": "...", "dir": "/tmp/x/j0", "baseline": "<settings key>" | null}]}
 * Every `dir` holds `agent/` (OMP's agent dir for that run: `config.yml` with the settings when there
 * are any, and for a job its overlay as `models.yml`) and `project/` (the working directory OMP's
 * settings discover project config from: empty). A baseline is OMP with no models.yml under one set
 * of settings; every job is diffed against the baseline of its own settings. For every baseline and
 * job this script builds the registry exactly as `omp models` does (src/cli/models-cli.ts,
 * runModelsCommand): `Settings.init` (from that run's agent dir), an AuthStorage discovered from the
 * agent dir, `new ModelRegistry(authStorage, <agent>/models.yml)`, `await refresh("offline")`, then
 * `getAll()` and `getError()`.
 *
 * Why the explicit models path: pi-utils resolves getAgentDir() once at module load, so pointing
 * PI_CODING_AGENT_DIR at a different directory per overlay does not work inside one process. The
 * registry constructor's own `modelsPath` argument is what OMP uses for the same file
 * (`getAgentDir()/models.yml` when omitted); it also places the discovery cache (models.db) beside
 * the overlay, so every job starts with an empty cache of its own.
 *
 * Why the settings singleton is reset per run: OMP's registry reads its settings (`extendedContext`,
 * `disabledProviders`, ...) from the global `settings` (13.x-17.x always; 18.x unless the constructor
 * gets `settings`), so each run re-initialises the singleton from its own agent dir, with OMP's own
 * test reset (`resetSettingsForTest`, `_resetSettingsForTest` before 17), and also hands the instance
 * to the constructor where it takes one.
 *
 * Output (out.jsonl, one JSON document per line; written synchronously to a file because the
 * process exits explicitly, which would cut a pipe's pending writes short):
 *   {"kind": "meta", "omp": "<version>", "catalog": "<version>", "bun": "<version>", "agentDir": ...}
 *   {"kind": "baseline", "key": ..., "count": n, "rows": [row, ...] | null, "network": [...],
 *    "settings": {"extendedContext": ..., "disabledProviders": ...}}   (as OMP read them)
 *   {"kind": "result", "key": ..., "status": "ok"|"error"|"not-found", "error": str|null,
 *    "rows": [row, ...], "removed": [[provider, id], ...], "order": null | [[provider, id], ...],
 *    "network": [...]}
 * A result's `rows` holds only the rows that differ from the baseline (changed or new, in getAll()
 * order) and `removed` the baseline keys that are gone; `order` is null when the baseline rows kept
 * their relative order. So a batch of 50 overlays does not print 50 copies of an 11 MB catalog; the
 * Python driver rebuilds full catalogs when asked. A job whose `baseline` is null (the exact engine's
 * one-off run, which needs no baseline) gets every getAll() row in `rows`, `removed` empty and
 * `"full": true`.
 *
 * Shared values: OMP resolves a `compat` object per model (4,940 of them in 18.2.3, 8.7 MB of the
 * 11 MB catalog) but only 294 differ. Every `rows` array is written with each distinct compat
 * once: the row keeps the key (value null, so the key order stays OMP's) and
 * `"shared": {"values": [value, ...], "fields": {"compat": [index | null per row]}}` says which
 * value goes back where (null: the row's own value stands). That makes the line a quarter of the
 * size, for bun to write and for Python to parse.
 *
 * No network: every registry runs refresh("offline") with a fetch that refuses and records any
 * attempt (both the registry's injected fetch and globalThis.fetch), in an environment the driver
 * strips of credentials. Header values are resolved the way OMP resolves them at request time
 * (environment variable of that exact name, else the literal), except when an overlay holds
 * `!command` values: then headers are reported as unresolved and no command ever runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Job {
	key: string;
	dir: string;
	/** The key of the baseline with the same settings; null: report every row, diff nothing. */
	baseline: string | null;
	/** Report every data field of each model (the exact engine), not only FIELDS (the tests). */
	allFields?: boolean;
	/** Always report the full getAll() order (the exact engine places new models exactly). */
	fullOrder?: boolean;
}

interface Baseline {
	key: string;
	dir: string;
	/** Print the baseline's rows (the driver skips this when it has them cached). */
	emit: boolean;
	/** Every data field of each model, as a job's `allFields` (its jobs must ask the same). */
	allFields?: boolean;
}

const [, , nodeModulesArg, jobsArg, outArg] = process.argv;
if (!nodeModulesArg || !jobsArg || !outArg) {
	process.stderr.write("usage: bun bridge.ts <node_modules dir> <jobs.json> <out.jsonl>\n");
	process.exit(2);
}
const out = fs.openSync(outArg, "w");
const nodeModules = path.resolve(nodeModulesArg);
const agentSrc = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent", "src");

/** Every network attempt during a job, by URL; the driver fails the run when any is recorded. */
let networkAttempts: string[] = [];
const refusingFetch = (async (input: unknown) => {
	const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as Request)?.url);
	networkAttempts.push(url);
	throw new Error(`omp bridge: network disabled (${url})`);
}) as unknown as typeof fetch;
globalThis.fetch = refusingFetch;

const { ModelRegistry } = await import(path.join(agentSrc, "config", "model-registry.ts"));
const settingsModule = await import(path.join(agentSrc, "config", "settings.ts"));
const { Settings } = settingsModule;
/** OMP's own reset of the settings singleton (renamed in 17). */
const resetSettings: () => void = settingsModule.resetSettingsForTest ?? settingsModule._resetSettingsForTest;
if (typeof resetSettings !== "function") throw new Error("omp bridge: this OMP has no settings reset");
// discoverAuthStorage moved from sdk.ts (OMP 13.x-14.x) to session/auth-broker-config.ts (17+).
const authModule = fs.existsSync(path.join(agentSrc, "session", "auth-broker-config.ts"))
	? path.join(agentSrc, "session", "auth-broker-config.ts")
	: path.join(agentSrc, "sdk.ts");
const { discoverAuthStorage } = await import(authModule);
const { getAgentDir, getProjectDir } = await import(path.join(nodeModules, "@oh-my-pi", "pi-utils", "src", "index.ts"));

function packageVersion(name: string): string | null {
	try {
		const manifest = JSON.parse(fs.readFileSync(path.join(nodeModules, name, "package.json"), "utf8"));
		return String(manifest.version);
	} catch {
		return null;
	}
}

/** Fields reported per model: the models.json row shape plus what a models.yml can set. */
const FIELDS = [
	"provider",
	"id",
	"name",
	"api",
	"baseUrl",
	"reasoning",
	"input",
	"cost",
	"contextWindow",
	"maxTokens",
	"thinking",
	"compat",
	"compatConfig",
	"transport",
	"tokenizer",
	"supportsTools",
	"omitMaxOutputTokens",
	"preferWebsockets",
	"premiumMultiplier",
	"contextPromotionTarget",
	"compactionModel",
	"remoteCompaction",
	"imageInputDecoder",
	"maxContextWindow",
	"isOAuth",
	"guardrailIdentifier",
	"guardrailVersion",
	"guardrailTrace",
	"requestMetadata",
] as const;

function toJson(value: unknown): Json {
	if (value === undefined || typeof value === "function") return null;
	return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === "function" ? undefined : v))) as Json;
}

/** True when any string in `value` is a `!command` value (those must never run here). */
function hasCommandValue(value: unknown): boolean {
	if (typeof value === "string") return value.trimStart().startsWith("!");
	if (Array.isArray(value)) return value.some(hasCommandValue);
	if (value && typeof value === "object") return Object.values(value).some(hasCommandValue);
	return false;
}

/**
 * Providers of the overlay that hold `!command` values anywhere: their models' headers are not
 * resolved (resolving would run the command). `"*"` when the file cannot be parsed here.
 */
function providersWithCommands(modelsPath: string): Set<string> {
	let text: string;
	try {
		text = fs.readFileSync(modelsPath, "utf8");
	} catch {
		return new Set();
	}
	try {
		const parsed = Bun.YAML.parse(text) as { providers?: Record<string, unknown> } | null;
		const providers = parsed && typeof parsed === "object" ? (parsed.providers ?? {}) : {};
		return new Set(Object.entries(providers).flatMap(([name, config]) => (hasCommandValue(config) ? [name] : [])));
	} catch {
		// Unparseable: OMP rejects the file and applies none of it; stay on the safe side anyway.
		return new Set(text.includes("!") ? ["*"] : []);
	}
}

/** Fields of OMP's in-memory model that are not catalog data (header resolution is done here). */
const NOT_DATA = new Set(["resolveHeaders", "headers"]);

function projectRow(
	model: Record<string, unknown>,
	skipHeaders: Set<string>,
	allFields: boolean,
): Record<string, Json> | Promise<Record<string, Json>> {
	const row: Record<string, Json> = {};
	// The exact engine reports every model: values are handed to the one JSON.stringify of the
	// output line as they are (it drops functions and undefined exactly as toJson does), instead
	// of a stringify/parse round trip per field; the tests' projection keeps toJson's copies.
	const copy = allFields ? (value: unknown) => value as Json : toJson;
	for (const field of FIELDS) {
		const value = model[field];
		if (value !== undefined) row[field] = copy(value);
	}
	if (allFields) {
		// Every other data field OMP keeps on the model, after the known ones, in OMP's own order.
		// (Object.keys, not Object.entries: no [key, value] array per field, 40% less time.)
		for (const field of Object.keys(model)) {
			if (field in row || NOT_DATA.has(field)) continue;
			const value = model[field];
			if (value === undefined || typeof value === "function") continue;
			row[field] = copy(value);
		}
	}
	const resolver = model.resolveHeaders;
	if (typeof resolver === "function") {
		if (skipHeaders.has("*") || skipHeaders.has(String(model.provider))) {
			row.headers = "<unresolved: !command values>";
			return row;
		}
		// Only the few models with configured headers wait for a promise; the thousands of others
		// are projected without one (an await per model was a tenth of the projection's time).
		return (resolver as () => Promise<unknown>)().then(headers => {
			row.headers = toJson(headers);
			return row;
		});
	}
	if (model.headers !== undefined) row.headers = toJson(model.headers);
	return row;
}

/**
 * Fields written once per distinct value (see "Shared values" above). Only `compat`: `thinking` and
 * `identity` repeat as much but are small, and keying 8,000 small objects costs bun more than it
 * saves in writing and parsing.
 */
const SHARED_FIELDS = ["compat"] as const;

interface SharedValues {
	values: Json[];
	fields: Record<string, (number | null)[]>;
}

/**
 * Take every distinct object value of SHARED_FIELDS out of `rows` (in place: rows are not used
 * after they are written) into one table; the caller writes both.
 */
function shareValues(rows: Record<string, Json>[]): SharedValues {
	const values: Json[] = [];
	const indexOf = new Map<string, number>();
	const fields: Record<string, (number | null)[]> = {};
	for (const field of SHARED_FIELDS) {
		const indices: (number | null)[] = [];
		for (const row of rows) {
			const value = row[field];
			if (value === null || typeof value !== "object" || Array.isArray(value)) {
				indices.push(null);
				continue;
			}
			const text = JSON.stringify(value);
			let index = indexOf.get(text);
			if (index === undefined) {
				index = values.length;
				indexOf.set(text, index);
				values.push(value);
			}
			indices.push(index);
			row[field] = null;
		}
		fields[field] = indices;
	}
	return { values, fields };
}

/** A baseline or result line: its `rows` with their shared values taken out. */
function writeRows(doc: Record<string, unknown>, rows: Record<string, Json>[] | null): void {
	write(rows === null ? { ...doc, rows } : { ...doc, shared: shareValues(rows), rows });
}

function rowKey(row: Record<string, Json>): string {
	return `${row.provider}\u0000${row.id}`;
}

function write(doc: Record<string, unknown>): void {
	fs.writeSync(out, `${JSON.stringify(doc)}\n`);
}

interface JobsFile {
	/** Directories without models.yml, one per set of settings: OMP's no-overlay catalogs. */
	baselines: Baseline[];
	jobs: Job[];
}

const jobsFile: JobsFile = JSON.parse(fs.readFileSync(jobsArg, "utf8"));

write({
	kind: "meta",
	omp: packageVersion(path.join("@oh-my-pi", "pi-coding-agent")),
	// The bundled catalog's package: pi-catalog from OMP 17, pi-ai before.
	catalog: packageVersion(path.join("@oh-my-pi", "pi-catalog")) ?? packageVersion(path.join("@oh-my-pi", "pi-ai")),
	bun: Bun.version,
	agentDir: getAgentDir(),
	projectDir: getProjectDir(),
});

interface Snapshot {
	status: "ok" | "error" | "not-found";
	error: string | null;
	rows: Record<string, Json>[];
	network: string[];
	settings: Record<string, Json>;
}

/** Settings that change the model list, as OMP read them (absent ones are null). */
const MODEL_SETTINGS = ["extendedContext", "disabledProviders"] as const;

function settingsSeen(instance: { get(key: string): unknown }): Record<string, Json> {
	const seen: Record<string, Json> = {};
	for (const key of MODEL_SETTINGS) {
		try {
			seen[key] = toJson(instance.get(key));
		} catch {
			seen[key] = null; // a setting this OMP does not have
		}
	}
	return seen;
}

/** One registry, built as runModelsCommand builds it, over `<dir>/agent/models.yml`. */
async function snapshot(dir: string, allFields = false): Promise<Snapshot> {
	networkAttempts = [];
	const agentDir = path.join(dir, "agent");
	const modelsPath = path.join(agentDir, "models.yml");
	const hasOverlay = fs.existsSync(modelsPath);
	// As runModelsCommand, Settings.init; from this run's agent dir (its config.yml), as a fresh
	// singleton: the registry of every version reads the global settings.
	resetSettings();
	const settings = await Settings.init({ cwd: path.join(dir, "project"), agentDir });
	// A fresh AuthStorage per job: the registry installs the overlay's apiKeys into it, and one
	// overlay's keys must not leak into the next job.
	const authStorage = await discoverAuthStorage();
	try {
		const registry = new ModelRegistry(authStorage, modelsPath, { fetch: refusingFetch, settings });
		await registry.refresh("offline");
		const error = registry.getError();
		const models = registry.getAll() as Record<string, unknown>[];
		const skipHeaders = providersWithCommands(modelsPath);
		const rows: Record<string, Json>[] = [];
		for (const model of models) {
			const row = projectRow(model, skipHeaders, allFields);
			rows.push(row instanceof Promise ? await row : row);
		}
		return {
			status: error ? "error" : hasOverlay ? "ok" : "not-found",
			error: error ? String(error.message) : null,
			rows,
			network: networkAttempts,
			settings: settingsSeen(settings),
		};
	} finally {
		authStorage.close?.();
	}
}

interface BaselineRows {
	rows: Map<string, string>;
	keys: string[];
}

const baselines = new Map<string, BaselineRows>();
for (const baselineJob of jobsFile.baselines) {
	const base = await snapshot(baselineJob.dir, baselineJob.allFields === true);
	if (base.status !== "not-found") {
		throw new Error(`omp bridge: a baseline dir must not hold a models.yml (${baselineJob.dir})`);
	}
	const rows = new Map(base.rows.map(row => [rowKey(row), JSON.stringify(row)]));
	baselines.set(baselineJob.key, { rows, keys: [...rows.keys()] });
	writeRows(
		{
			kind: "baseline",
			key: baselineJob.key,
			network: base.network,
			settings: base.settings,
			count: base.rows.length,
		},
		baselineJob.emit ? base.rows : null,
	);
}

for (const job of jobsFile.jobs) {
	const result = await snapshot(job.dir, job.allFields === true);
	if (job.baseline === null) {
		writeRows(
			{
				kind: "result",
				key: job.key,
				status: result.status,
				error: result.error,
				network: result.network,
				settings: result.settings,
				removed: [],
				order: null,
				full: true,
			},
			result.rows,
		);
		continue;
	}
	const base = baselines.get(job.baseline);
	if (base === undefined) throw new Error(`omp bridge: job ${job.key} names no known baseline`);
	const { rows: baseline, keys: baselineKeys } = base;
	const seen = new Set<string>();
	const changed: Record<string, Json>[] = [];
	const keptBaselineOrder: string[] = [];
	for (const row of result.rows) {
		const key = rowKey(row);
		seen.add(key);
		const before = baseline.get(key);
		if (before === undefined) {
			changed.push(row);
			continue;
		}
		keptBaselineOrder.push(key);
		if (before !== JSON.stringify(row)) changed.push(row);
	}
	// Bundled rows keep their relative order unless OMP reordered them: then report the full order.
	const expectedOrder = baselineKeys.filter(key => seen.has(key));
	const orderKept =
		expectedOrder.length === keptBaselineOrder.length &&
		expectedOrder.every((key, index) => key === keptBaselineOrder[index]);
	writeRows(
		{
			kind: "result",
			key: job.key,
			status: result.status,
			error: result.error,
			network: result.network,
			settings: result.settings,
			removed: baselineKeys.filter(key => !seen.has(key)).map(key => key.split("\u0000")),
			order: orderKept && job.fullOrder !== true ? null : result.rows.map(row => [row.provider, row.id]),
		},
		changed,
	);
}
fs.closeSync(out);
// Explicit exit: OMP leaves handles open (SQLite, timers) that would keep the process alive.
process.exit(0);
