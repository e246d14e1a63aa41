/**
 * Baseline for bench/run.py: OMP 18.2.3's own catalog load, the way `omp models` builds it
 * (src/cli/models-cli.ts): Settings.init, an AuthStorage, `new ModelRegistry`, refresh("offline"),
 * getAll(). Reads $HOME/.omp/agent/models.yml; never touches the network (fetch refuses).
 *
 *   NODE_PATH=<node_modules> HOME=<scratch> bun bench/omp_registry_load.ts
 */
import * as path from "node:path";

const nodeModules = process.env.NODE_PATH;
if (!nodeModules) {
	process.stderr.write("set NODE_PATH to the node_modules holding @oh-my-pi/pi-coding-agent\n");
	process.exit(2);
}
const refuse = (async (input: unknown) => {
	throw new Error(`network disabled in the benchmark (${String(input)})`);
}) as unknown as typeof fetch;
globalThis.fetch = refuse;

const agentSrc = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent", "src");
const { ModelRegistry } = await import(path.join(agentSrc, "config", "model-registry.ts"));
const { Settings } = await import(path.join(agentSrc, "config", "settings.ts"));
const { discoverAuthStorage } = await import(path.join(agentSrc, "session", "auth-broker-config.ts"));
const { getProjectDir } = await import(path.join(nodeModules, "@oh-my-pi", "pi-utils", "src", "index.ts"));

await Settings.init({ cwd: getProjectDir() });
const registry = new ModelRegistry(await discoverAuthStorage(), undefined, { fetch: refuse });
await registry.refresh("offline");
const models = registry.getAll();
process.stdout.write(`${models.length} models; error: ${String(registry.getError() ?? "none")}\n`);
process.exit(0);
