// The exports the console's file check uses (CsvRequests, BatchResult.mayHaveViolations), from the
// packed package in Node; the CLI is the oracle for the verdicts.
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

test('CsvRequests: rows become requests of the operation, across chunks, with their lines', () => {
  const csv = new payrules.CsvRequests('plentymarkets', 'plentymarkets.create_payment');
  const text = 'authorization,amount,currency,extra\r\nBearer t,12.3400,EUR,x\r\n\r\n"Bearer t",1.5,"E\nUR",y\n';
  const bytes = encode(text);
  let out = '';
  const lines = [];
  for (let i = 0; i <= bytes.length; i += 7) {
    out += new TextDecoder().decode(csv.push(bytes.subarray(i, i + 7)));
    lines.push(...csv.rowLines);
  }
  out += new TextDecoder().decode(csv.push(new Uint8Array(0)));
  lines.push(...csv.rowLines);
  assert.deepEqual(csv.columns, ['authorization', 'amount', 'currency', 'extra']);
  assert.deepEqual(csv.pointers, ['/headers/authorization', '/body/amount', '/body/currency', '']);
  const requests = out.trim().split('\n');
  assert.equal(requests.length, 2);
  assert.match(requests[0], /"amount":12\.3400,"currency":"EUR"/);
  assert.match(requests[1], /"currency":"E\\nUR"/);
  assert.deepEqual(lines, [2, 4]);
  assert.equal(JSON.parse(payrules.validateJson(requests[0])).operation, 'plentymarkets.create_payment');
  csv.free();
  assert.throws(() => new payrules.CsvRequests('plentymarkets', 'nope'), /plentymarkets has no operation "nope"/);
  assert.throws(() => new payrules.CsvRequests('nope', 'x'), /unknown profile "nope"/);
});
