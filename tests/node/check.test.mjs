// BatchResult.mayHaveViolations (the console's file check lists every request with a violation,
// warnings included, with it), from the packed package in Node. (CsvRequests is only in the
// console's copy of the module, feature `csv`: tests/e2e/check.test.mjs and src/csv.rs test it.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installedPackage } from './lib.mjs';

const { module: payrules } = await installedPackage();
const encode = (text) => new TextEncoder().encode(text);

test('mayHaveViolations: every entry whose report has a violation, warnings included, is listed', () => {
  const lines = [
    '{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{"authorization":"Bearer t"},"body":{"amount":12.3400,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":2,"transactionType":2}}',
    '{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{"authorization":"Bearer t"},"body":{"amount":12.3456,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"credit","status":2,"transactionType":2}}',
    '',
    '{"profile":"plentymarkets","method":"POST","path":"/rest/payments","body":{}}',
    'not json',
  ];
  const batch = payrules.validateBatch(encode(lines.join('\n')));
  const flagged = [...Array(batch.length).keys()].filter((i) => JSON.parse(batch.reportJson(i)).errors.length > 0);
  const maybe = [...batch.mayHaveViolations()];
  for (const i of flagged) assert.ok(maybe.includes(i), `entry ${i} has a violation but is not listed`);
  for (const i of batch.invalidLines) assert.ok(maybe.includes(i));
  assert.ok(flagged.includes(1), 'the precision warning of entry 1 is a violation');
  batch.free();
});
