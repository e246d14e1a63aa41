// Reads a JSON array of {text, format} cases on stdin and parses each with Bun's own parsers, as
// OMP 18.2.3 does (src/config/config-file.ts: the file's content is trim()med, then YAML.parse for
// .yml/.yaml or JSONC.parse for .json/.jsonc). Writes one JSON array of results on stdout: {ok:
// true, value} with the value encoded losslessly (see encode), or {ok: false, error}.
// One bun process parses a whole batch: starting bun costs far more than parsing a case.
import { JSONC, YAML } from "bun";

// JSON cannot hold every JavaScript value a parser returns (NaN, Infinity, -0, undefined), nor
// tell a key order apart from another: every value is tagged.
function encode(value, depth = 0) {
  if (depth > 10000) throw new Error("too deep to encode");
  if (value === null) return { t: "null" };
  if (value === undefined) return { t: "undefined" };
  switch (typeof value) {
    case "string":
      return { t: "str", v: value };
    case "boolean":
      return { t: "bool", v: value };
    case "number":
      if (Number.isNaN(value)) return { t: "num", s: "NaN" };
      if (!Number.isFinite(value)) return { t: "num", s: value > 0 ? "Infinity" : "-Infinity" };
      if (Object.is(value, -0)) return { t: "num", s: "-0" };
      return { t: "num", v: value };
    case "bigint":
      return { t: "bigint", s: value.toString() };
    case "object":
      if (Array.isArray(value)) return { t: "list", v: value.map((item) => encode(item, depth + 1)) };
      if (value instanceof Date) return { t: "date", s: value.toISOString() };
      return {
        t: "map",
        v: Object.keys(value).map((key) => [key, encode(value[key], depth + 1)]),
      };
    default:
      return { t: typeof value, s: String(value) };
  }
}

const cases = JSON.parse(await Bun.stdin.text());
const results = cases.map(({ text, format }) => {
  const content = text.trim();
  try {
    const parsed = format === "yaml" ? YAML.parse(content) : JSONC.parse(content);
    return { ok: true, value: encode(parsed) };
  } catch (error) {
    return { ok: false, error: String(error && error.message ? error.message : error).slice(0, 300) };
  }
});
process.stdout.write(JSON.stringify(results));
