/**
 * Print one OMP release's own models.yml schema as JSON Schema (its validator's own export), for
 * scripts/omp_profiles.py. Run with bun:
 *
 *   bun --no-install scripts/omp_schema_dump.ts <node_modules dir> <out.json>
 *
 * out.json: {"omp": "<version>", "module": "<where the schema came from>", "schema": {...}}
 *
 * Every release since 13.x exports `ModelsConfigFile` (a ConfigFile holding the schema): from
 * `src/config/models-config.ts` in 17.x+, `src/config/model-registry.ts` before. 13.x-14.x build
 * the schema with TypeBox (already JSON Schema); 17.x+ with omptype (arktype-compatible), whose
 * `toJsonSchema()` gives the JSON Schema. Refinements written as code (`.narrow(...)`) are not in
 * it: catalogmgr's rules carry those, behind the profile's switches.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const [, , nodeModulesArg, outArg] = process.argv;
if (!nodeModulesArg || !outArg) {
	process.stderr.write("usage: bun omp_schema_dump.ts <node_modules dir> <out.json>\n");
	process.exit(2);
}
const nodeModules = path.resolve(nodeModulesArg);
const agentDir = path.join(nodeModules, "@oh-my-pi", "pi-coding-agent");
const version: string = JSON.parse(fs.readFileSync(path.join(agentDir, "package.json"), "utf-8")).version;

// As tests/compat/omp_verdicts.ts: a source-only release gets write-only pi-utils helpers it added.
const utilsPackage = path.join(nodeModules, "@oh-my-pi", "pi-utils");
const utilsVersion: string = JSON.parse(fs.readFileSync(path.join(utilsPackage, "package.json"), "utf-8")).version;
if (utilsVersion !== version) {
	const exports: Record<string, unknown> = { ...(await import(utilsPackage)) };
	for (const name of ["stringifyYamlConfig"]) {
		if (!(name in exports)) {
			exports[name] = () => {
				throw new Error(`${name} is not available here`);
			};
		}
	}
	Bun.plugin({
		name: "pi-utils of a source-only release",
		setup(build) {
			build.module("@oh-my-pi/pi-utils", () => ({ exports, loader: "object" }));
		},
	});
}

let found: { schema: unknown; module: string } | undefined;
for (const candidate of ["src/config/models-config.ts", "src/config/model-registry.ts"]) {
	const file = path.join(agentDir, candidate);
	if (!fs.existsSync(file)) continue;
	const module = await import(file);
	if (module.ModelsConfigFile) {
		found = { schema: module.ModelsConfigFile.schema, module: candidate };
		break;
	}
}
if (!found) {
	process.stderr.write(`no ModelsConfigFile in ${agentDir}\n`);
	process.exit(3);
}
const schema = found.schema as { toJsonSchema?: () => unknown };
const json = typeof schema.toJsonSchema === "function" ? schema.toJsonSchema() : schema;
fs.writeFileSync(outArg, JSON.stringify({ omp: version, module: found.module, schema: json }, null, 1));
process.exit(0);
