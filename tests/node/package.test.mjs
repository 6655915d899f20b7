// The packed npm package, installed into a fresh project and imported as users import it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { cli, data, installedPackage, lines, npmDir, root, scenarios, seeds, stdTablesIn, vendors } from './lib.mjs';

const { module: payrules, ledger: ledgerEntry, dir } = await installedPackage();
const NOW = { now: '2024-01-01T09:00:00Z' };

test('import init, { validate } from "payrules" and { Ledger } from "payrules/ledger" work in Node with no flags', async () => {
  assert.equal(typeof payrules.default, 'function');
  await payrules.default(); // a no-op in Node, the same call as in browsers
  assert.equal(typeof payrules.validate, 'function');
  assert.equal(typeof payrules.validateBatch, 'function');
  assert.equal(payrules.Ledger, undefined, 'the main entry does not carry the ledger');
  await ledgerEntry.default();
  assert.equal(typeof ledgerEntry.Ledger, 'function');
});

test('the main entry reads only the validation module; payrules/ledger reads only its own', () => {
  // A fresh Node process records every file read through fs.readFileSync (the entries' only way to load wasm).
  const probe = (entry) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    const read = fs.readFileSync, seen = [];
    fs.readFileSync = (file, ...rest) => { seen.push(String(file)); return read(file, ...rest); };
    syncBuiltinESMExports();
    await import('${entry}');
    console.log(JSON.stringify(seen.filter((f) => f.endsWith('.wasm')).map((f) => f.split('/payrules/').pop())));
  `], { cwd: dir, encoding: 'utf8' }));
  assert.deepEqual(probe('payrules'), ['web/payrules_wasm_bg.wasm']);
  assert.deepEqual(probe('payrules/ledger'), ['web/ledger/payrules_ledger_bg.wasm']);
});

test('every scenario file gives the expected responses byte for byte (handleJson)', () => {
  for (const [name, input, expected] of scenarios()) {
    const ledger = new ledgerEntry.Ledger(NOW);
    const got = lines(input).map((l) => ledger.handleJson(l) + '\n').join('');
    assert.equal(got, expected, name);
    ledger.free();
  }
});

test('the object API answers what the text API answers for the values JavaScript holds', () => {
  // A JS object has already lost number text (90.0 is 90), so the object API is compared with the
  // text API on JSON.stringify of the same object, in two ledgers fed the same requests.
  for (const [name, input] of scenarios()) {
    const viaObjects = new ledgerEntry.Ledger(NOW);
    const viaText = new ledgerEntry.Ledger(NOW);
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
      const object = payrules.validate(v.request);
      assert.deepEqual(object, JSON.parse(payrules.validateJson(JSON.stringify(v.request))), v.name);
      assert.equal(JSON.stringify(object), payrules.validateJson(JSON.stringify(v.request)), `${v.name}: key for key`);
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

test('validateBatch reads UTF-8 JSON Lines bytes: verdicts at once, reports on demand', () => {
  const text = seeds('examples.jsonl') + '\n\n  \n' + seeds('originals.jsonl');
  const batch = payrules.validateBatch(new TextEncoder().encode(text));
  const each = lines(text).map((l) => payrules.validateJson(l));
  // Entries are the non-blank lines, in order: blank and whitespace-only lines get none.
  assert.equal(batch.length, each.length);
  assert.ok(batch.invalidLines instanceof Uint32Array);
  const invalid = each.flatMap((r, i) => (JSON.parse(r).valid ? [] : [i]));
  assert.deepEqual([...batch.invalidLines], invalid);
  assert.equal(invalid.length, lines(seeds('originals.jsonl')).length);
  each.forEach((r, i) => {
    assert.equal(batch.reportJson(i), r, `entry ${i}: the same bytes as validateJson`);
    assert.deepEqual(batch.report(i), JSON.parse(r));
    assert.equal(JSON.stringify(batch.report(i)), r, `entry ${i}: the object of that text, key for key`);
  });
  // Iterable over every report, and the same reports as the exact-text path.
  const all = [...batch];
  assert.deepEqual(all, each.map((r) => JSON.parse(r)));
  assert.deepEqual(all, JSON.parse(payrules.validateBatchJson(new TextEncoder().encode(text))));
  assert.equal(all.filter((r) => r.valid).length, lines(seeds('examples.jsonl')).length);
  assert.ok(lines(seeds('examples.jsonl')).length >= 17);
  assert.throws(() => batch.report(each.length), new RegExp(`the batch has ${each.length} entries`));
  batch.free();
  const empty = payrules.validateBatch(new Uint8Array());
  assert.equal(empty.length, 0);
  assert.deepEqual([...empty.invalidLines], []);
  assert.deepEqual([...empty], []);
});

test('report(i) gives the same object whatever the order the reports are read in', () => {
  // batch.js asks the module for the invalid entries' reports a run at a time when they are read in
  // order, one at a time otherwise: in order, backwards, every other one, again and at random, each
  // report(i) is the object of reportJson(i), and a fresh one each time.
  const text = seeds('originals.jsonl') + cli(['generate', '--kind', 'plentymarkets-create', '--seed', '9', '--count', '3000'], '');
  const batch = payrules.validateBatch(new TextEncoder().encode(text));
  const invalid = [...batch.invalidLines];
  assert.ok(invalid.length > 200, 'long enough for runs of the longest length');
  const expected = new Map(invalid.map((i) => [i, JSON.parse(batch.reportJson(i))]));
  let seed = 7;
  const random = invalid.map(() => invalid[(seed = (seed * 48271) % 2147483647) % invalid.length]);
  const orders = [invalid, [...invalid].reverse(), invalid.filter((_, k) => k % 2 === 0), invalid.slice(3, 90), random, invalid];
  for (const order of orders) {
    for (const i of order) assert.deepEqual(batch.report(i), expected.get(i), `entry ${i}`);
  }
  const a = batch.report(invalid[0]);
  a.errors.length = 0;
  assert.deepEqual(batch.report(invalid[0]), expected.get(invalid[0]), 'a fresh object each time');
  batch.free();
  assert.throws(() => batch.report(invalid[1]), Error, 'a freed batch has no reports');
  if (Symbol.dispose) {
    // Disposed (`using`) in the middle of a run: what the run held goes with it.
    const disposed = payrules.validateBatch(new TextEncoder().encode(text));
    disposed.report(invalid[0]); // the run after it holds invalid[1] already
    disposed[Symbol.dispose]();
    assert.throws(() => disposed.report(invalid[1]), Error, 'a disposed batch has no reports');
  }
});

test('report(i) is the object of reportJson(i) for any string a report holds', () => {
  // batch.js builds report(i) from one NUL-separated text; a report whose strings hold a NUL (a
  // field named with \u0000 is quoted in its path and message), no operation, a suggestion, an
  // empty string or text that is not JSON must come out the same, key for key.
  const body = { amount: '12.3400', mopId: 6000, currency: 'eur', type: 'debit', status: 2, transactionType: 1 };
  const requests = [
    { profile: 'plentymarkets', method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' }, body: { ...body, 'a\u0000b': 1 } },
    { profile: 'plentymarkets', method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' }, body: { ...body, '': 1, 'x=y': 'é ✓ 😀' } },
    { profile: 'plentymarkets', method: 'POST', path: '/rest/payments', headers: { Authorization: 'Bearer t' }, body },
    { profile: 'plentymarkets', method: 'GET', path: '/nowhere' },
    { profile: 'nobody', method: 'GET', path: '/' },
  ];
  const text = requests.map((r) => JSON.stringify(r)).join('\n') + '\n{"profile": \n[]\n"\u0000"';
  const batch = payrules.validateBatch(new TextEncoder().encode(text));
  assert.equal(batch.length, requests.length + 3);
  let nul = 0;
  for (let i = 0; i < batch.length; i++) {
    const r = batch.reportJson(i);
    nul += batch.reportsParts(Uint32Array.of(i)) === '!\0' ? 1 : 0;
    assert.equal(JSON.stringify(batch.report(i)), r, `entry ${i}: the object of that text, key for key`);
    assert.deepEqual(batch.report(i), JSON.parse(r));
  }
  assert.ok(nul >= 1, 'a report holding a NUL is built by the module');
  assert.ok(JSON.parse(batch.reportJson(3)).operation === null);
  assert.ok(JSON.parse(batch.reportJson(2)).errors.some((e) => typeof e.suggestion === 'string'), 'a suggestion crosses');
  batch.free();
});

test('a broken contract throws an Error that says why; a domain problem is data', () => {
  assert.throws(() => payrules.validate(5), (e) => e instanceof Error && /request object/.test(e.message));
  assert.throws(() => payrules.validate([1]), (e) => e instanceof Error && /got an array/.test(e.message));
  assert.throws(() => payrules.validate({ profile: 7, method: 'GET', path: '/' }), /`profile` must be a string/);
  assert.throws(() => payrules.validate({ profile: 'komet', method: 'POST', path: '/', body: { n: 10n } }), /cannot be written as JSON/);
  assert.throws(() => payrules.diagram('stripe'), /unknown profile `stripe`/);
  assert.throws(() => ledgerEntry.Ledger.restore('{"format":"payrules-ledger"}'), /cannot restore the ledger/);
  assert.throws(() => new ledgerEntry.Ledger({ now: 'yesterday' }), /not an RFC 3339/);
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
  const dts = readFileSync(join(npmDir, 'payrules/types.d.ts'), 'utf8');
  assert.equal(dts.match(/^export type ProfileId = (.*);$/m)[1], vendors().map((v) => `'${v}'`).join(' | '));
  assert.deepEqual(payrules.allowedActions('crmcom', 'DRAFT'), [{ action: 'post', to: 'POSTED' }, { action: 'reject', to: 'REJECTED' }]);
  assert.match(payrules.diagram('crmcom'), /^stateDiagram-v2\n/);
});

test('profiles.js answers as the core does: diagrams as the CLI draws them, every status spelling', () => {
  // profiles(), allowedActions() and diagram() answer from data the core wrote at build time.
  for (const p of payrules.profiles()) {
    assert.equal(payrules.diagram(p.id), cli(['diagram', p.id], ''));
    const { states, transitions } = p.lifecycle;
    for (const s of states) {
      const expected = transitions.filter((t) => t.from === s.name).map((t) => ({ action: t.action, to: t.to }));
      assert.deepEqual(payrules.allowedActions(p.id, s.name), expected);
      assert.deepEqual(payrules.allowedActions(p.id, s.label), expected);
    }
    assert.deepEqual(payrules.allowedActions(p.id, '__proto__'), {
      error: { kind: 'unknown_state', profile: p.id, state: '__proto__', known: states.map((s) => s.name) },
      message: `${p.id} has no status \`__proto__\`; its statuses are ${states.map((s) => s.name).join(', ')}`,
    });
  }
  const answer = payrules.allowedActions('crmcom', 'DRAFT');
  answer.pop();
  assert.equal(payrules.allowedActions('crmcom', 'DRAFT').length, 2, 'each call gets its own array');
  assert.throws(() => payrules.allowedActions('constructor', 'DRAFT'), /^Error: unknown profile `constructor`; the profiles are /);
});


test('neither module carries the operations’ summaries and rules (text for people, answered by profiles.js)', () => {
  // Both modules are built without the core's feature `descriptions`; an operation whose summary or
  // rules skip `people_summary`/`people_rules` (or `Operation::new`) would put its text back in.
  const texts = payrules.profiles().flatMap((p) => p.operations.flatMap((op) => [op.summary, ...op.rules]));
  assert.ok(texts.length > 50 && texts.every((t) => t.length >= 10), 'profiles.js has the texts');
  for (const file of ['payrules_wasm_bg.wasm', 'ledger/payrules_ledger_bg.wasm']) {
    const wasm = readFileSync(join(npmDir, 'payrules/web', file));
    assert.deepEqual(texts.filter((t) => wasm.includes(Buffer.from(t))), [], `${file} holds none of them`);
  }
});
test('neither module carries Unicode case tables or the float parser (ASCII case mapping where the texts are ASCII)', () => {
  for (const file of ['payrules_wasm_bg.wasm', 'ledger/payrules_ledger_bg.wasm']) {
    assert.deepEqual(stdTablesIn(join(npmDir, 'payrules/web', file)), [], file);
  }
});

test('ledger snapshots restore exactly; Ledger.empty has no records', () => {
  const ledger = new ledgerEntry.Ledger(NOW);
  ledger.handle({ profile: 'crmcom', method: 'POST', path: '/payments/post', body: { token: 'B8D7A12E9F91AFADE914B7330AFD08CB', payment_identifier: { reference_number: '117' } } });
  const snap = ledger.snapshot();
  assert.equal(ledgerEntry.Ledger.restore(snap, NOW).snapshot(), snap);
  const empty = ledgerEntry.Ledger.empty(NOW);
  const r = empty.handle({ profile: 'komet', method: 'POST', path: '/api/payment.mark.sync', body: { authenticationToken: 'token_info_goes_here', payments: [{ paymentId: 450545 }] } });
  assert.equal(r.status, 401); // no company tokens in an empty world
});

test('the declarations name exactly the functions each entry exports', () => {
  const names = (file) => new Set([...readFileSync(join(dir, 'node_modules/payrules', file), 'utf8').matchAll(/export (?:function|class) (\w+)/g)].map((m) => m[1]));
  // `initSync` and `start` (it sets the panic hook) are wasm-bindgen's own machinery, not our API.
  const exported = (module) => new Set(Object.keys(module).filter((k) => !['default', 'initSync', 'start'].includes(k)));
  assert.deepEqual(names('index.d.ts'), exported(payrules));
  assert.deepEqual(names('ledger/index.d.ts'), exported(ledgerEntry));
});
