// OMP 17.x's own thinking derivation (pi-catalog src/model-thinking.ts) on many model specs, for the
// 17.x thinking differential (test_thinking17_vs_omp.py): reads `{specs}` as JSON on stdin, prints one
// JSON array with, per spec, `{compat, thinking, built}`: the compat 17.x's `buildCompat` resolves,
// `resolveModelThinking(spec, compat)`, and `buildModel(spec).thinking` (the two must agree), or `{error}`.
import * as path from "node:path";

const nodeModules = process.argv[2];
const source = path.join(nodeModules, "@oh-my-pi", "pi-catalog", "src");
const { buildCompat, buildModel } = await import(path.join(source, "build.ts"));
const { resolveModelThinking } = await import(path.join(source, "model-thinking.ts"));
const request: { specs: Record<string, unknown>[] } = JSON.parse(await Bun.stdin.text());
const answers = request.specs.map(raw => {
	const spec = {
		name: raw.id,
		input: ["text"],
		cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
		contextWindow: 128000,
		maxTokens: 16384,
		...raw,
	};
	try {
		const compat = buildCompat(spec);
		const thinking = resolveModelThinking(spec, compat);
		const built = buildModel(spec).thinking;
		return { compat: compat ?? null, thinking: thinking ?? null, built: built ?? null };
	} catch (error) {
		return { error: String(error instanceof Error ? error.message : error) };
	}
});
console.log(JSON.stringify(answers));
