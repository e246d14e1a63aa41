// OMP's own `buildModel` (pi-catalog src/build.ts) on many model specs, for the rule-engine
// differential (test_rule_engine_vs_omp.py): reads `{specs, catalogFields}` as JSON on stdin, prints one JSON
// array with, per spec, `{thinking, reasoning, compat, catalog}` or `{error}` (OMP throws on an ambiguous rule tie).
import * as path from "node:path";

const nodeModules = process.argv[2];
const { buildModel } = await import(path.join(nodeModules, "@oh-my-pi", "pi-catalog", "src", "build.ts"));
// The input: the specs and the fields the rules' catalog axes set (build.ts applyCatalogAssignments /
// applyCatalogCorrections), named once by the Python side.
const request: { specs: Record<string, unknown>[]; catalogFields: string[] } = JSON.parse(await Bun.stdin.text());
const specs = request.specs;
const CATALOG_FIELDS = request.catalogFields;
const answers = specs.map(spec => {
	try {
		const model = buildModel({
			name: spec.id,
			input: ["text"],
			cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
			contextWindow: 128000,
			maxTokens: 16384,
			...spec,
		});
		const catalog: Record<string, unknown> = {};
		for (const key of CATALOG_FIELDS) if (model[key] !== undefined) catalog[key] = model[key];
		return { thinking: model.thinking ?? null, reasoning: model.reasoning, compat: model.compat ?? null, catalog };
	} catch (error) {
		return { error: String(error instanceof Error ? error.message : error) };
	}
});
console.log(JSON.stringify(answers));
