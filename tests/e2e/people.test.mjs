// The console for people (issue 13): calm forms, actions people can scan, every panel usable at
// phone width. The release build (`trunk build --release`) in Debian's Chromium.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Console } from './pages.mjs';
import { servedConsole, withServer } from './site.mjs';

const it = servedConsole();

/** What the composer shows as problems: fields marked, messages at fields, messages below. */
async function noise(page) {
  return page.evaluate(() => ({
    marked: document.querySelectorAll('.field.has-error, [aria-invalid="true"]').length,
    messages: document.querySelectorAll('[data-testid^="field-error-"] li').length,
    others: document.querySelectorAll('[data-testid="other-violations"] li, [data-testid="violations"] li').length,
  }));
}

test('calm forms: problems appear once a field is touched or after a send attempt; Send says why', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const c = new Console(await context.newPage());
  await c.open(it.site.url);
  await c.profile('plentymarkets');
  await c.operation('plentymarkets.create_payment');
  // Pristine: not one red word, yet Send says why it cannot send.
  assert.deepEqual(await noise(c.page), { marked: 0, messages: 0, others: 0 });
  assert.equal(await c.sendEnabled(), false);
  assert.match(await c.id('send-reason').innerText(), /^Send is disabled: \/\S+ — .*required/);
  assert.equal(await c.id('send-reason').evaluate((e) => e.classList.contains('attempted')), false);

  // Typing in one field shows that field's problems, and no other's.
  await c.fill('/body/amount', '12.34');
  assert.match(await c.fieldErrors('/body/amount'), /needs exactly 4 decimals: 12\.3400/);
  assert.equal(await c.fieldErrors('/body/mopId'), '');
  assert.equal(await c.page.locator('.field.has-error').count(), 1);

  // Leaving a required field empty shows that it is required.
  await c.field('/body/currency').focus();
  await c.page.keyboard.press('Tab');
  assert.match(await c.fieldErrors('/body/currency'), /required/);

  // A send attempt sends nothing, shows every problem and puts the focus on the first one.
  await c.id('send').click({ force: true }); // aria-disabled: a person can still press it
  assert.equal(await c.id('response-body').count(), 0, 'an invalid request was sent');
  const shown = await noise(c.page);
  assert.ok(shown.marked >= 5, `after a send attempt every required field is marked (${shown.marked})`);
  assert.equal(await c.id('send-reason').evaluate((e) => e.classList.contains('attempted')), true);
  assert.equal(await c.page.evaluate(() => !!document.activeElement.closest('.field.has-error')), true);

  // Another operation starts calm again.
  await c.operation('plentymarkets.list_payments');
  await c.operation('plentymarkets.create_payment');
  assert.deepEqual(await noise(c.page), { marked: 0, messages: 0, others: 0 });

  // A request loaded from a payment's action is as if typed: a valid one shows no problem.
  await c.select('2');
  await c.action('capture').click();
  await c.page.waitForFunction(() => document.querySelector('[data-testid="send"]').getAttribute('aria-disabled') === 'false');
  assert.deepEqual(await noise(c.page), { marked: 0, messages: 0, others: 0 });
  c.assertNoConsoleErrors();
  await context.close();
});

test('long field labels wrap inside their field, in every operation of every API', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const c = new Console(await context.newPage());
  await c.open(it.site.url);
  for (const profile of ['komet', 'activeplatform', 'crmcom', 'plentymarkets', 'logisense']) {
    await c.profile(profile);
    const ops = await c.id('composer-operation').evaluate((s) => [...s.options].map((o) => o.value));
    for (const op of ops) {
      await c.operation(op);
      const bad = await c.page.evaluate(() => {
        const problems = [];
        const labels = [...document.querySelectorAll('[data-testid="form"] .field > label')];
        for (const l of labels) {
          const field = l.parentElement.getBoundingClientRect();
          const r = l.getBoundingClientRect();
          if (l.scrollWidth > l.clientWidth + 1 || r.right > field.right + 1) problems.push(`${l.textContent} overflows its field`);
        }
        const boxes = labels.map((l) => [l.textContent, l.getBoundingClientRect()]);
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, ra] = boxes[i]; const [b, rb] = boxes[j];
            if (ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1) problems.push(`${a} overlaps ${b}`);
          }
        }
        return problems;
      });
      assert.deepEqual(bad, [], `${op}: ${bad.join('; ')}`);
    }
  }
  await context.close();
});

test('actions people can scan: the possible ones in words, the others in one collapsed line with the reason once', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const c = new Console(await context.newPage());
  await c.open(it.site.url);
  await c.profile('plentymarkets');
  await c.select('2');
  const status = await c.status();
  const buttons = await c.id('actions').locator('button').evaluateAll((bs) => bs.map((b) => [b.dataset.action, b.textContent]));
  assert.deepEqual(buttons, [['cancel', 'Cancel'], ['expire', 'Expire'], ['capture', 'Capture'], ['capture_partially', 'Capture partially']], JSON.stringify(buttons));
  assert.equal(await c.page.locator('[data-testid="actions"] button:disabled').count(), 0);
  const line = c.id('actions-not-possible');
  const summary = await line.locator('summary').innerText();
  assert.equal(summary, `Not possible from ${await c.page.locator('[data-testid="detail-status"] [data-status]').innerText()}: approve, refuse, await approval, refund, refund partially`);
  assert.notEqual(summary, `Not possible from ${status}:`, 'the status is named in words');
  // Collapsed until opened; the reason is said once.
  assert.equal(await line.evaluate((d) => d.open), false);
  await line.locator('summary').click();
  const reason = await line.locator('p').innerText();
  assert.match(reason, /^From .+, the lifecycle allows only capture, capture partially, cancel, expire\.$/);
  assert.equal((await c.id('detail').innerText()).match(/allows only/g).length, 1);
  // A final status: no button, the line says it is final.
  await c.profile('logisense');
  await c.select('1');
  assert.equal(await c.id('actions').locator('button').count(), 0);
  assert.match(await c.id('no-action').innerText(), /No action is possible from/);
  await c.id('actions-not-possible').locator('summary').click();
  assert.match(await c.id('actions-not-possible').locator('p').innerText(), /is final/);
  // Actions the API has no request for are apart, with their reason.
  await c.profile('komet');
  await c.select('450545');
  assert.deepEqual(await c.id('actions').locator('button').evaluateAll((bs) => bs.map((b) => b.textContent)), ['Mark sync']);
  assert.equal(await c.id('actions-elsewhere').locator('summary').innerText(), 'Not available here: cancel');
  c.assertNoConsoleErrors();
  await context.close();
});

test('phone width (390 px): every panel fits without scrolling the page or its own content sideways', async () => {
  const context = await it.browser.newContext({ viewport: { width: 390, height: 844 } });
  const c = new Console(await context.newPage());
  await c.open(it.site.url);
  const fits = () => c.page.evaluate(() => {
    const problems = [];
    const page = document.documentElement.scrollWidth - window.innerWidth;
    if (page > 1) problems.push(`the page scrolls sideways by ${page}px`);
    for (const p of document.querySelectorAll('.panel, header.top, footer')) {
      const over = p.scrollWidth - p.clientWidth;
      if (over > 1) problems.push(`${p.className || p.tagName} overflows by ${over}px`);
      const box = p.getBoundingClientRect();
      if (box.right > window.innerWidth + 1) problems.push(`${p.className || p.tagName} ends at ${box.right}px`);
    }
    for (const b of document.querySelectorAll('table.payments .badge')) {
      if (b.getBoundingClientRect().right > window.innerWidth) problems.push(`a status badge is cut (${b.textContent})`);
    }
    return problems;
  });
  for (const profile of ['plentymarkets', 'crmcom', 'logisense', 'activeplatform', 'komet']) {
    await c.profile(profile);
    const first = c.page.locator('[data-testid^="payment-row-"] button').first();
    await first.click();
    await c.page.waitForSelector('[data-testid="detail"]');
    assert.deepEqual(await fits(), [], `${profile}: list and detail`);
    await c.id('composer-operation').selectOption({ index: 0 });
    await c.id('send').click({ force: true }); // every problem shown: the longest messages
    assert.deepEqual(await fits(), [], `${profile}: the composer with every problem shown`);
  }
  c.assertNoConsoleErrors();
  await context.close();
});

test("HTTP mode: an action's request gets the credential typed before (the server's world has none)", async () => {
  await withServer(it.browser, async (server, context) => {
    const c = new Console(await context.newPage());
    await c.open(it.site.url);
    await c.useHttp(server.url);
    await c.profile('plentymarkets');
    await c.operation('plentymarkets.create_payment');
    await c.fill('/headers/authorization', 'Bearer plenty-demo-token');
    await c.select('2');
    await c.action('capture').click();
    await c.page.waitForFunction(() => document.querySelector('[data-testid="send"]').getAttribute('aria-disabled') === 'false');
    const captured = await c.send();
    assert.equal(captured.status, 200);
    c.assertNoConsoleErrors();
  });
});
