/**
 * Print OMP's own API-key environment lookup table, for catalogmgr.keys (BUNDLED_ENV_KEYS,
 * COMPUTED_ENV_KEYS, LOGIN_PROVIDERS) to be compared with or regenerated from.
 *
 *   bun --no-install tests/tools/omp_env_keys.ts <node_modules dir>
 *
 * Mirrors pi-ai/src/stream.ts `serviceProviderMap`: the catalog provider entries' `envVars`,
 * overridden by the auth policies' `env` (`vars` or a computed `hook`), plus pi-ai's
 * LEGACY_ENV_KEYS entry for `azure-openai-responses`. Output: one JSON object
 * {"vars": {provider: [names]}, "hooks": {provider: hook}, "login": [providers]} on stdout.
 * Reads no credentials and touches no file.
 */
import * as path from "node:path";

const root = process.argv[2];
if (!root) {
	console.error("usage: bun tests/tools/omp_env_keys.ts <node_modules dir>");
	process.exit(2);
}
const catalog = await import(path.join(root, "@oh-my-pi/pi-catalog/src/compat/providers.ts"));
const auth = await import(path.join(root, "@oh-my-pi/pi-catalog/src/compat/auth.ts"));

const vars: Record<string, string[]> = {};
const hooks: Record<string, string> = {};
const login: string[] = [];
for (const entry of Object.values(catalog.providerEntries()) as { id: string; envVars?: string[] }[]) {
	if (entry.envVars && entry.envVars.length > 0) vars[entry.id] = [...entry.envVars];
}
for (const policy of auth.authProviders() as {
	id: string;
	env?: { vars: string[] } | { hook: string };
	login?: unknown;
}[]) {
	if (policy.env && "hook" in policy.env) {
		delete vars[policy.id];
		hooks[policy.id] = policy.env.hook;
	} else if (policy.env && "vars" in policy.env) {
		vars[policy.id] = [...policy.env.vars];
	}
	if (policy.login) login.push(policy.id);
}
vars["azure-openai-responses"] = ["AZURE_OPENAI_API_KEY"];
console.log(JSON.stringify({ vars, hooks, login: login.sort() }));
