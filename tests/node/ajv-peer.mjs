// The peer both Node benchmarks run (bench-ajv.mjs, bench-alternate.mjs): ajv 8 (allErrors,
// ajv-formats) compiled once from the plentymarkets create rules as JSON Schema (the native peer,
// bench/native-peer, runs the same file), and the loop that checks a batch of JSON Lines with it.
import { readFileSync } from 'node:fs';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('./plentymarkets-create.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const check = ajv.compile(schema);

/** Parses and checks each non-blank line of UTF-8 `bytes`; calls `onInvalid(index, errors)` for
 *  each invalid one (valid lines have no errors to give) and returns how many lines there were. */
export function ajvLines(bytes, onInvalid) {
  const text = new TextDecoder().decode(bytes);
  let start = 0;
  let index = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (!check(JSON.parse(text.slice(start, end)))) onInvalid(index, check.errors);
      index++;
    }
    start = end + 1;
  }
  return index;
}
