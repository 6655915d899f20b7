// The packed npm package, installed into a fresh project and imported as users import it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { data, installedPackage, lines, npmDir, root, scenarios, seeds, vendors } from './lib.mjs';

const { module: payrules, dir } = await installedPackage();
const NOW = { now: '2024-01-01T09:00:00Z' };

test('import init, { validate, Ledger } from "payrules" works in Node with no flags', async () => {
  assert.equal(typeof payrules.default, 'function');
  await payrules.default(); // a no-op in Node, the same call as in browsers
  assert.equal(typeof payrules.validate, 'function');
  assert.equal(typeof payrules.Ledger, 'function');
});

test('every scenario file gives the expected responses byte for byte (handleJson)', () => {
  for (const [name, input, expected] of scenarios()) {
    const ledger = new payrules.Ledger(NOW);
    const got = lines(input).map((l) => ledger.handleJson(l) + '\n').join('');
    assert.equal(got, expected, name);
    ledger.free();
  }
});

test('the object API answers what the text API answers for the values JavaScript holds', () => {
  // A JS object has already lost number text (90.0 is 90), so the object API is compared with the
  // text API on JSON.stringify of the same object, in two ledgers fed the same requests.
  for (const [name, input] of scenarios()) {
    const viaObjects = new payrules.Ledger(NOW);
    const viaText = new payrules.Ledger(NOW);
    lines(input).forEach((line, i) => {
      const request = JSON.parse(line);
      const response = viaObjects.handle(request);
      assert.deepEqual(response, JSON.parse(viaText.handleJson(JSON.stringify(request))), `${name} line ${i + 1}`);
    });
  }
});

test('every validation vector gives the native report', () => {
  for (const profile of vendors()) {
    const snap = readFileSync(join(data(profile), 'vectors.snap'), 'utf8');
    const expected = JSON.parse(snap.split('---').slice(2).join('---'));
    const vectorLines = lines(readFileSync(join(data(profile), 'vectors.jsonl'), 'utf8'));
    assert.equal(vectorLines.length, expected.length);
    vectorLines.forEach((line, i) => {
      const v = JSON.parse(line);
      // The request's own text (the last member of each vector line) keeps its numbers exactly.
      const text = line.slice(line.indexOf('"request":') + '"request":'.length, line.lastIndexOf('}'));
      assert.deepEqual(JSON.parse(text), v.request, `${profile}: ${v.name}: request text`);
      const exact = JSON.parse(payrules.validateJson(text));
      assert.equal(exact.valid, v.valid, v.name);
      assert.deepEqual(exact, expected[i].report, `${profile}: ${v.name}`);
      // The object API judges what JavaScript holds.
      assert.deepEqual(payrules.validate(v.request), JSON.parse(payrules.validateJson(JSON.stringify(v.request))), v.name);
    });
  }
});

test('validate keeps decimal text exactly when the body is a JSON string', () => {
  const report = payrules.validate({
    profile: 'plentymarkets', method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' },
    body: '{"amount":12.34,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"debit","status":2,"transactionType":1}',
  });
  assert.equal(report.valid, false);
  assert.equal(report.errors[0].path, '/body/amount');
  assert.equal(report.errors[0].suggestion, '12.3400');
  // The same amount as a JS number has already lost its trailing zeros: 1.0000 arrives as 1.
  const lossy = payrules.validate({
    profile: 'plentymarkets', method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' },
    body: { amount: '12.3400', exchangeRatio: 1.0, mopId: 6000, currency: 'EUR', type: 'debit', status: 2, transactionType: 1 },
  });
  assert.equal(lossy.errors[0].path, '/body/exchangeRatio');
});

test('validateBatch reads UTF-8 JSON Lines bytes and agrees with validate line by line', () => {
  const text = seeds('examples.jsonl') + '\n\n' + seeds('originals.jsonl');
  const reports = payrules.validateBatch(new TextEncoder().encode(text));
  const each = lines(text).map((l) => JSON.parse(payrules.validateJson(l)));
  assert.deepEqual(reports, each);
  assert.equal(reports.filter((r) => r.valid).length, lines(seeds('examples.jsonl')).length);
  assert.equal(reports.filter((r) => !r.valid).length, lines(seeds('originals.jsonl')).length);
  assert.ok(lines(seeds('examples.jsonl')).length >= 17);
});

test('a broken contract throws an Error that says why; a domain problem is data', () => {
  assert.throws(() => payrules.validate(5), (e) => e instanceof Error && /request object/.test(e.message));
  assert.throws(() => payrules.validate([1]), (e) => e instanceof Error && /got an array/.test(e.message));
  assert.throws(() => payrules.validate({ profile: 7, method: 'GET', path: '/' }), /`profile` must be a string/);
  assert.throws(() => payrules.validate({ profile: 'komet', method: 'POST', path: '/', body: { n: 10n } }), /cannot be written as JSON/);
  assert.throws(() => payrules.diagram('stripe'), /unknown profile `stripe`/);
  assert.throws(() => payrules.Ledger.restore('{"format":"payrules-ledger"}'), /cannot restore the ledger/);
  assert.throws(() => new payrules.Ledger({ now: 'yesterday' }), /not an RFC 3339/);
  const unknown = payrules.validate({ profile: 'stripe', method: 'POST', path: '/v1/charges' });
  assert.equal(unknown.valid, false);
  assert.equal(unknown.errors[0].code, 'unknown_route');
  const problem = payrules.allowedActions('crmcom', 'PAID');
  assert.equal(problem.error.kind, 'unknown_state');
});

test('profiles, allowedActions and diagram', () => {
  const all = payrules.profiles();
  assert.deepEqual(all.map((p) => p.id), vendors());
  // The package's ProfileId type is the registry's ids (written by scripts/build-npm.sh).
  const dts = readFileSync(join(npmDir, 'payrules/index.d.ts'), 'utf8');
  assert.equal(dts.match(/^export type ProfileId = (.*);$/m)[1], vendors().map((v) => `'${v}'`).join(' | '));
  assert.deepEqual(payrules.allowedActions('crmcom', 'DRAFT'), [{ action: 'post', to: 'POSTED' }, { action: 'reject', to: 'REJECTED' }]);
  assert.match(payrules.diagram('crmcom'), /^stateDiagram-v2\n/);
});

test('ledger snapshots restore exactly; Ledger.empty has no records', () => {
  const ledger = new payrules.Ledger(NOW);
  ledger.handle({ profile: 'crmcom', method: 'POST', path: '/payments/post', body: { token: 'B8D7A12E9F91AFADE914B7330AFD08CB', payment_identifier: { reference_number: '117' } } });
  const snap = ledger.snapshot();
  assert.equal(payrules.Ledger.restore(snap, NOW).snapshot(), snap);
  const empty = payrules.Ledger.empty(NOW);
  const r = empty.handle({ profile: 'komet', method: 'POST', path: '/api/payment.mark.sync', body: { authenticationToken: 'token_info_goes_here', payments: [{ paymentId: 450545 }] } });
  assert.equal(r.status, 401); // no company tokens in an empty world
});

test('the declarations name exactly the functions the module exports', () => {
  const generated = readFileSync(join(dir, 'node_modules/payrules/index.d.ts'), 'utf8');
  const declared = new Set([...generated.matchAll(/export (?:function|class) (\w+)/g)].map((m) => m[1]));
  // `initSync` and `start` (it sets the panic hook) are wasm-bindgen's own machinery, not our API.
  const exported = new Set(Object.keys(payrules).filter((k) => !['default', 'initSync', 'start'].includes(k)));
  assert.deepEqual(declared, exported);
});
