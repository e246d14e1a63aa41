/**
 * Differential-test probe for `catalogmgr ping`: the first HTTP request OMP itself sends for a chat
 * with one configured model (URL, method, headers), so the test can check that ping sends the same
 * credential headers to the same server root.
 *
 *   bun --no-install tests/compat/omp_provider_requests.ts <node_modules dir> <cases.json> <out.jsonl>
 *
 * cases.json: [{"name": "...", "dir": "<run dir>", "provider": "p", "model": "id", "env": {...},
 *               "mode": "chat" | "discovery"}]
 * Every run dir holds `agent/models.yml` (the overlay) and `project/` (empty). Per case this script
 * builds OMP's registry as `omp models` does (see omp_probe.ts: Settings.init, discoverAuthStorage,
 * `new ModelRegistry(authStorage, <agent>/models.yml)`, `refresh("offline")`), sets the case's
 * environment variables, asks the registry for the model's key (`getApiKey`), and calls pi-ai's
 * `stream()` with a global fetch that records the request and answers 400 (a status no client
 * retries), so nothing leaves the process. With `"mode": "discovery"` it runs `refresh("online")` instead
 * and records every request OMP's discovery makes (the registry's injected fetch is the recorder);
 * with `"answers"` the recorder serves those canned JSON answers (404 for anything else) and the
 * output also holds the models OMP discovered for the provider (`"models"`). Output: one JSON line per case,
 * {"name", "requests": [{"url", "method", "headers"}], "error": str | null}.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const [, , nodeModulesArg, casesArg, outArg] = process.argv;
if (!nodeModulesArg || !casesArg || !outArg) {
	process.stderr.write("usage: bun omp_provider_requests.ts <node_modules dir> <cases.json> <out.jsonl>\n");
	process.exit(2);
}
const out = fs.openSync(outArg, "w");
const nodeModules = path.resolve(nodeModulesArg);
const agentSrc = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent", "src");

interface Recorded {
	url: string;
	method: string;
	headers: Record<string, string>;
}
let recorded: Recorded[] = [];

function headersOf(init: unknown, input: unknown): Record<string, string> {
	const result: Record<string, string> = {};
	const source = (init as { headers?: unknown } | undefined)?.headers ?? (input instanceof Request ? input.headers : undefined);
	if (source instanceof Headers) {
		source.forEach((value, key) => {
			result[key.toLowerCase()] = value;
		});
	} else if (Array.isArray(source)) {
		for (const [key, value] of source) result[String(key).toLowerCase()] = String(value);
	} else if (source && typeof source === "object") {
		for (const [key, value] of Object.entries(source)) {
			if (value !== undefined) result[key.toLowerCase()] = String(value);
		}
	}
	return result;
}

/** The current case's canned answers: "<url>" or "<url>#<model in the JSON body>" -> JSON. */
let answers: Record<string, unknown> = {};

const recordingFetch = (async (input: unknown, init?: unknown) => {
	const url = typeof input === "string" ? input : input instanceof URL ? input.href : String((input as Request)?.url);
	const method = String((init as { method?: string } | undefined)?.method ?? (input instanceof Request ? input.method : "GET"));
	recorded.push({ url, method, headers: headersOf(init, input) });
	const body = (init as { body?: unknown } | undefined)?.body;
	let model = "";
	if (typeof body === "string") {
		try {
			model = String((JSON.parse(body) as { model?: unknown }).model ?? "");
		} catch {
			model = "";
		}
	}
	const canned = answers[`${url}#${model}`] ?? answers[url];
	if (canned !== undefined) {
		return new Response(JSON.stringify(canned), { status: 200, headers: { "content-type": "application/json" } });
	}
	if (Object.keys(answers).length > 0) {
		return new Response(JSON.stringify({ error: "not found" }), { status: 404, headers: { "content-type": "application/json" } });
	}
	return new Response(JSON.stringify({ error: { message: "recorded by catalogmgr's probe", type: "invalid_request_error" } }), {
		status: 400,
		headers: { "content-type": "application/json" },
	});
}) as unknown as typeof fetch;
globalThis.fetch = recordingFetch;

const { ModelRegistry } = await import(path.join(agentSrc, "config", "model-registry.ts"));
const settingsModule = await import(path.join(agentSrc, "config", "settings.ts"));
const { Settings } = settingsModule;
const resetSettings: () => void = settingsModule.resetSettingsForTest ?? settingsModule._resetSettingsForTest;
const { discoverAuthStorage } = await import(path.join(agentSrc, "session", "auth-broker-config.ts"));
const { stream } = await import(path.join(nodeModules, "@oh-my-pi", "pi-ai", "src", "stream.ts"));

interface Case {
	name: string;
	dir: string;
	provider: string;
	model: string;
	env: Record<string, string>;
	/** "chat" (default): the first chat request; "discovery": the requests of OMP's discovery. */
	mode?: "chat" | "discovery";
	/** Canned answers for discovery ("<url>" or "<url>#<model>" -> JSON); others get 404. */
	answers?: Record<string, unknown>;
}

const MODEL_FIELDS = ["id", "name", "baseUrl", "contextWindow", "maxTokens", "input", "reasoning", "cost"] as const;

const cases = JSON.parse(fs.readFileSync(casesArg, "utf8")) as Case[];
for (const item of cases) {
	recorded = [];
	answers = item.answers ?? {};
	let error: string | null = null;
	const previous: Record<string, string | undefined> = {};
	for (const [key, value] of Object.entries(item.env)) {
		previous[key] = process.env[key];
		process.env[key] = value;
	}
	try {
		const agentDir = path.join(item.dir, "agent");
		resetSettings();
		const settings = await Settings.init({ cwd: path.join(item.dir, "project"), agentDir });
		const authStorage = await discoverAuthStorage();
		const registry = new ModelRegistry(authStorage, path.join(agentDir, "models.yml"), { fetch: recordingFetch, settings });
		await registry.refresh("offline");
		if (registry.getError()) throw new Error(`registry error: ${registry.getError()}`);
		if (item.mode === "discovery") {
			// OMP's discovery for the case's provider: refresh online through the registry's injected
			// fetch (the recorder); every request it makes is recorded, the 400 answers fail it quietly.
			await registry.refresh("online");
			if (recorded.length === 0) error = "no discovery request sent";
			const models = registry
				.getAll()
				.filter((m: { provider: string }) => m.provider === item.provider)
				.map((m: Record<string, unknown>) => Object.fromEntries(MODEL_FIELDS.map(field => [field, m[field] ?? null])));
			fs.writeSync(out, `${JSON.stringify({ name: item.name, requests: recorded, models, error })}\n`);
			continue;
		}
		const model = registry.getAll().find((m: { provider: string; id: string }) => m.provider === item.provider && m.id === item.model);
		if (!model) throw new Error(`no model ${item.provider}/${item.model}`);
		const apiKey = await registry.getApiKey(model);
		const events = stream(
			model,
			{ messages: [{ role: "user", content: "ping", timestamp: Date.now() }] },
			{ apiKey, maxRetries: 0 },
		);
		const timeout = new Promise(resolve => setTimeout(resolve, 20_000));
		const outcome = (await Promise.race([events.result().catch((e: unknown) => ({ errorMessage: String(e) })), timeout])) as
			| { errorMessage?: string }
			| undefined;
		if (recorded.length === 0) error = `no request sent (${outcome?.errorMessage ?? "no outcome"})`;
	} catch (caught) {
		error = caught instanceof Error ? caught.message : String(caught);
	} finally {
		for (const [key, value] of Object.entries(previous)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
	fs.writeSync(out, `${JSON.stringify({ name: item.name, requests: recorded, error })}\n`);
}
fs.closeSync(out);
process.exit(0);
