// End-to-end tests of the console's history (with curl) and of its sandboxes in HTTP mode, as
// `trunk build --release` builds it, in Debian's Chromium, against `target/debug/payrules serve`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { Console } from './pages.mjs';
import { HistoryPanel, SandboxPanel } from './history-pages.mjs';
import { servedConsole, withServer } from './site.mjs';

const it = servedConsole();


const PLENTY = 'Bearer plenty-demo-token';
const CRM = 'B8D7A12E9F91AFADE914B7330AFD08CB';
const WORLD_CRM = '825D7B5BB7F62E043A7C73B0FFBF124F';
/** A credential no world knows: typed by the user, it must never be kept anywhere. */
const TYPED = 'Bearer typed-secret-9f3c2a';

async function createPlenty(c, token) {
  await c.profile('plentymarkets');
  await c.operation('plentymarkets.create_payment');
  await c.fill('/headers/authorization', token);
  for (const [p, v] of [['/body/amount', '12.3400'], ['/body/exchangeRatio', '1.0000'], ['/body/mopId', '6000'], ['/body/currency', 'EUR'], ['/body/type', 'credit'], ['/body/status', '2'], ['/body/transactionType', '2']]) {
    await c.fill(p, v);
  }
  return c.send();
}

async function postCrm(c) {
  await c.profile('crmcom');
  await c.operation('crmcom.payments_post');
  await c.fill('/body/token', CRM);
  await c.search('117');
  await c.select('4653BEFC9239043011096B329DFEF3F7');
  return c.doAction('post');
}

/** Everything this page keeps in local storage, as one text. */
async function storage(page) {
  return page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`).join('\n'));
}

test('history in the browser: newest first with verdict, status, answer and time; re-send, edit, paste curl; kept over a reload; no credential kept', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const c = new Console(await context.newPage());
  const h = new HistoryPanel(c);
  await c.open(it.site.url);
  assert.match(await c.id('history-empty').innerText(), /No request sent yet/);
  const t0 = Date.now();
  // A credential the world does not know: refused, and listed too.
  const refused = await createPlenty(c, TYPED);
  assert.ok(refused.status >= 400, `a typed unknown token answered ${refused.status}`);
  assert.equal((await createPlenty(c, PLENTY)).status, 200);
  assert.equal((await postCrm(c)).status, 200);
  await h.waitFor(3);
  const shown = await h.read();
  assert.deepEqual(shown.map((e) => [e.n, e.mode, e.request, e.verdict, e.status]), [
    [3, 'browser', 'crmcom POST /payments/post', 'valid', 200],
    [2, 'browser', 'plentymarkets POST /rest/payments', 'valid', 200],
    [1, 'browser', 'plentymarkets POST /rest/payments', 'valid', refused.status],
  ]);
  for (const e of shown) {
    assert.equal(e.place, 'in the browser');
    const at = Date.parse(e.time);
    assert.ok(at >= t0 - 1000 && at <= Date.now() + 1000, `time ${e.time}`);
  }
  assert.ok(Date.parse(shown[0].time) >= Date.parse(shown[2].time));
  assert.match(await h.openResponse(3), /POSTED/);
  assert.match(await h.openResponse(2), /"amount": 12\.34/);

  // Re-send fills the credential typed last in this page back in: a second payment is made.
  await h.resend(2);
  const [again] = await h.read();
  assert.deepEqual([again.n, again.request, again.status], [4, 'plentymarkets POST /rest/payments', 200]);
  assert.notEqual(JSON.parse(again.response).id, JSON.parse(shown[1].response).id);

  // Edit loads the composer, credentials from memory.
  await h.edit(3);
  assert.equal(await c.id('composer-operation').inputValue(), 'crmcom.payments_post');
  // The operation's own fields (the payment named, the token typed in this page).
  assert.match(await c.field('/body/payment_identifier').locator('input').inputValue(), /^(4653BEFC9239043011096B329DFEF3F7|117)$/);
  // The token last known in this page: the in-browser world's, which its action request carried.
  assert.equal(await c.field('/body/token').inputValue(), WORLD_CRM);

  // A pasted curl command loads the composer with its operation and fields.
  await h.paste(`curl -X POST 'http://127.0.0.1:9/plentymarkets/rest/payments' \\
    -H 'Authorization: Bearer pasted-token' \\
    -H 'Content-Type: application/json' \\
    --data-raw '{"amount":7.5000,"exchangeRatio":1.0000,"mopId":6000,"currency":"EUR","type":"debit","status":1,"transactionType":2}'`);
  assert.equal(await c.id('composer-operation').inputValue(), 'plentymarkets.create_payment');
  assert.equal(await c.field('/body/amount').inputValue(), '7.5000');
  assert.equal(await c.field('/body/type').inputValue(), 'debit');
  assert.equal(await c.field('/headers/authorization').inputValue(), 'Bearer pasted-token');
  assert.equal(await c.sendEnabled(), true);
  await h.paste("curl -X POST 'http://127.0.0.1:9/nothing/here");
  assert.match(await c.id('curl-error').innerText(), /cannot be loaded: the command cannot be read as shell words: missing closing quote/);
  await h.paste('curl http://127.0.0.1:9/nothing/here');
  assert.match(await c.id('curl-error').innerText(), /names no payrules profile/);

  // A curl command of a page's request: placeholders for its credentials unless asked.
  const placeholder = await h.curl(1);
  assert.match(placeholder, /'Authorization: Bearer <token>'/);
  assert.doesNotMatch(placeholder, /typed-secret|plenty-demo-token/);
  // With them: the one this page knows last (the pasted command's, kept in memory only).
  assert.match(await h.curl(1, { withCredentials: true }), /'Authorization: Bearer pasted-token'/);

  // Kept over a reload; never a typed credential in storage, in the history or in the export.
  await c.reload();
  await h.waitFor(4);
  assert.deepEqual((await h.read()).map((e) => [e.n, e.status]), [[4, 200], [3, 200], [2, 200], [1, refused.status]]);
  const kept = await storage(c.page);
  assert.doesNotMatch(kept, /typed-secret|pasted-token/);
  const history = await c.page.evaluate(() => localStorage.getItem('payrules.history'));
  assert.doesNotMatch(history, /plenty-demo-token|B8D7A12E9F91AFADE914B7330AFD08CB|825D7B5BB7F62E043A7C73B0FFBF124F|typed-secret/);
  assert.equal(JSON.parse(history).length, 4);
  for (const e of JSON.parse(history)) {
    const request = JSON.parse(e.request);
    assert.deepEqual(Object.keys(request.headers ?? {}).filter((k) => /authorization/i.test(k)), []);
    assert.doesNotMatch(JSON.stringify(request.body ?? null), /token\\?"\s*:|token=/i);
  }
  const [download] = await Promise.all([c.page.waitForEvent('download'), c.id('export').click()]);
  const exported = await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString());
  assert.doesNotMatch(exported, /typed-secret|plenty-demo-token|B8D7A12E9F91AFADE914B7330AFD08CB/);
  // Without the typed credential in memory (a reload forgets it), a curl command has the placeholder even when asked.
  assert.match(await h.curl(1, { withCredentials: true }), /'Authorization: Bearer <token>'/);
  c.assertNoConsoleErrors();
  await context.close();
});

test("a history too big for the browser's storage drops its oldest half, and says so", async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // This browser's storage takes a log of at most two requests.
  await context.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key === 'payrules.history' && (String(value).match(/"n":/g) ?? []).length > 2) {
        throw new DOMException('the quota is exceeded', 'QuotaExceededError');
      }
      return setItem.call(this, key, value);
    };
  });
  const c = new Console(await context.newPage());
  const h = new HistoryPanel(c);
  await c.open(it.site.url);
  for (let i = 0; i < 3; i++) assert.equal((await createPlenty(c, PLENTY)).status, 200);
  await h.waitFor(1);
  assert.deepEqual((await h.read()).map((e) => e.n), [3]);
  assert.match(await c.id('notice').innerText(), /did not fit in this browser's storage .*the quota is exceeded.*: its oldest 2 requests were dropped/);
  await c.reload();
  await h.waitFor(1);
  assert.deepEqual((await h.read()).map((e) => e.n), [3]);
  await context.close();
});

test('HTTP mode: sandboxes chosen and made in the console; their logs and clocks; history and curl against payrules serve', async () => {
  await withServer(it.browser, async (server, context) => {
    const c = new Console(await context.newPage());
    const h = new HistoryPanel(c);
    const s = new SandboxPanel(c);
    await c.open(it.site.url);
    await c.useHttp(server.url);
    assert.equal(await s.chosen(), 'default');
    // Another sandbox made beside it (over the admin API), and one made in the console.
    const other = await fetch(`${server.url}/_payrules/sandboxes`, { method: 'POST', body: JSON.stringify({ name: 'team-b' }) });
    assert.equal(other.status, 201);
    await s.create('team-a');
    assert.deepEqual(await s.log(0), []);
    const clock = await s.now();
    assert.ok(Math.abs(clock - Date.now()) < 60_000, `the sandbox clock reads ${new Date(clock).toISOString()}`);

    const created = await createPlenty(c, PLENTY);
    assert.equal(created.status, 200);
    await h.waitFor(1);
    const [entry] = await h.read();
    assert.deepEqual([entry.mode, entry.sandbox, entry.request, entry.verdict, entry.status], ['http', 'team-a', 'plentymarkets POST /rest/payments', 'valid', 200]);
    assert.equal(entry.place, `HTTP · ${server.url} · sandbox team-a`);
    assert.equal(JSON.parse(entry.response).id, created.body.id);
    const rows = await s.log(1);
    assert.deepEqual(await s.paging(), { newer: false, older: false, text: 'Newer Page 1 of 1 Older' });
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(1), ['POST /plentymarkets/rest/payments', 'valid', '200']);

    // Re-send adds an entry and a line in the sandbox's log.
    await h.resend(1);
    assert.equal((await h.read())[0].status, 200);
    assert.equal((await s.log(2)).length, 2);

    // The clock moves on from the panel.
    const { before: b, after: a } = await s.advanceHour();
    assert.ok(a - b >= 3_600_000);

    // Copy as curl: with the credential, run by curl against the server, the same status, in the same sandbox.
    const command = await h.curl(1, { withCredentials: true });
    assert.match(command, /'Payrules-Sandbox: team-a'/);
    assert.ok(command.startsWith(`curl -X POST ${server.url}/plentymarkets/rest/payments`), command);
    const { stdout } = await promisify(execFile)('bash', ['-c', `${command} -s -o /dev/null -w '%{http_code}'`]);
    assert.equal(stdout, '200');
    const logged = await (await fetch(`${server.url}/_payrules/sandboxes/team-a/requests`)).json();
    assert.equal(logged.total, 3);
    // Without it: the placeholder, and the vendor refuses it.
    const masked = await h.curl(1);
    assert.doesNotMatch(masked, /plenty-demo-token/);
    const refused = await promisify(execFile)('bash', ['-c', `${masked} -s -o /dev/null -w '%{http_code}'`]);
    assert.match(refused.stdout, /^4\d\d$/);

    // Eight more requests to team-a from outside the console: its log has two pages.
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${server.url}/plentymarkets/rest/payments`, { headers: { Authorization: PLENTY, 'Payrules-Sandbox': 'team-a' } });
      assert.equal(r.status, 200);
    }

    // Other sandboxes see none of it.
    const teamB = await (await fetch(`${server.url}/_payrules/sandboxes/team-b/requests`)).json();
    assert.equal(teamB.total, 0);
    await s.choose('team-b');
    assert.deepEqual(await s.log(0), []);
    assert.match(await c.id('sandbox-log-empty').innerText(), /No request in this sandbox yet/);
    await c.search(`Payment ${created.body.id}`);
    await c.page.waitForFunction(() => document.querySelectorAll('[data-testid^="payment-row-"]').length === 0);
    const defaults = await fetch(`${server.url}/_payrules/sandboxes/default/requests`);
    if (defaults.status === 200) assert.equal((await defaults.json()).total, 0);
    else assert.equal(defaults.status, 404);
    // Back in team-a the payment is there, and its log is paged, newest first.
    await s.choose('team-a');
    await c.page.waitForSelector(`[data-testid="payment-row-${created.body.id}"]`);
    const first = await s.log(12);
    assert.equal(first.length, 10);
    // The eight GETs, then the two curl commands' POSTs (with the credential, then without).
    assert.deepEqual(first.map((r) => [r[1], r[3]]), [
      ...Array(8).fill(['GET /plentymarkets/rest/payments', '200']),
      ['POST /plentymarkets/rest/payments', refused.stdout],
      ['POST /plentymarkets/rest/payments', '200'],
    ]);
    assert.deepEqual(await s.paging(), { newer: false, older: true, text: 'Newer Page 1 of 2 Older' });
    await c.id('sandbox-log-older').click();
    await c.page.waitForFunction(() => document.querySelectorAll('[data-testid="sandbox-log-row"]').length === 2);
    const oldest = await s.log(12);
    assert.deepEqual(oldest.map((r) => r[1]), ['POST /plentymarkets/rest/payments', 'POST /plentymarkets/rest/payments']);
    assert.ok(Date.parse(oldest[0][0]) >= Date.parse(oldest[1][0]));
    assert.deepEqual(await s.paging(), { newer: true, older: false, text: 'Newer Page 2 of 2 Older' });
    c.assertNoConsoleErrors();
  });
});
