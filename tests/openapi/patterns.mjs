// Every `pattern` of the given OpenAPI documents compiles as an ECMA-262 regular expression with
// the `u` flag (what JSON Schema validators and client generators in JavaScript use).
// Run: node tests/openapi/patterns.mjs DOC.json...
import { readFileSync } from 'node:fs';

let count = 0;
const bad = [];
const walk = (node, where) => {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}/${i}`));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pattern' && typeof v === 'string') {
        count++;
        try { new RegExp(v, 'u'); } catch (e) { bad.push(`${where}: ${v}: ${e.message}`); }
      } else walk(v, `${where}/${k}`);
    }
  }
};
for (const file of process.argv.slice(2)) walk(JSON.parse(readFileSync(file, 'utf8')), file);
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
console.log(`${count} patterns compile as ECMA-262 (u flag)`);
