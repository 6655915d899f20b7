// Page objects for the payrules console: every test talks to the app through these, and they
// talk to the page only through data-testid hooks and roles.
import assert from 'node:assert/strict';

export class Console {
  constructor(page) {
    this.page = page;
    this.errors = [];
    page.on('console', (m) => { if (m.type() === 'error') this.errors.push(m.text()); });
    page.on('pageerror', (e) => this.errors.push(String(e)));
  }

  id(testid) {
    return this.page.locator(`[data-testid="${testid}"]`);
  }

  async open(url) {
    await this.page.goto(url);
    await this.page.waitForSelector('[data-testid="app"][data-ready="true"]');
  }

  async reload() {
    await this.page.reload();
    await this.page.waitForSelector('[data-testid="app"][data-ready="true"]');
  }

  /** Where the page's ledger is: `loading` (its module is on its way), `ready` or `failed`. */
  async ledger() {
    return this.id('app').getAttribute('data-ledger');
  }

  async waitForLedger() {
    await this.page.waitForSelector('[data-testid="app"][data-ledger="ready"]');
  }

  /** Holds the ledger module's WebAssembly back until the returned function is called. */
  async holdLedger() {
    let release;
    const held = new Promise((ok) => { release = ok; });
    await this.page.route('**/ledger/payrules_ledger_bg.wasm', async (route) => { await held; await route.continue(); });
    return release;
  }

  async profile(id) {
    await this.id(`profile-tab-${id}`).click();
  }

  async useHttp(baseUrl) {
    await this.id('base-url').fill(baseUrl);
    await this.id('base-url').press('Tab');
    await this.id('mode-http').check();
    await this.page.waitForSelector('[data-testid="payments"]');
  }

  // Composer
  async operation(id) {
    await this.id('composer-operation').selectOption(id);
  }

  field(pointer) {
    return this.id(`field-${pointer}`);
  }

  async fill(pointer, value) {
    const f = this.field(pointer);
    if ((await f.evaluate((el) => el.tagName)) === 'SELECT') await f.selectOption(value);
    else await f.fill(value);
  }

  async fieldErrors(pointer) {
    return this.id(`field-error-${pointer}`).innerText();
  }

  suggestion(pointer) {
    return this.id(`apply-suggestion-${pointer}`);
  }

  /** Send can send: the request is valid (Send stays focusable when it is not, and says why). */
  async sendEnabled() {
    return (await this.id('send').isEnabled()) && (await this.id('send').getAttribute('aria-disabled')) !== 'true';
  }

  async send() {
    return this.sent(await this.startSend());
  }

  /** Clicks Send; what `sent` needs to wait for the answer. */
  async startSend() {
    const before = await this.page.evaluate(() => document.querySelector('[data-testid="response-body"]')?.textContent ?? '');
    await this.id('send').click();
    return before;
  }

  /** The answer to the request sent by `startSend`, once it is shown. */
  async sent(before) {
    await this.page.waitForFunction(
      (b) => { const el = document.querySelector('[data-testid="response-body"]'); return el && el.textContent !== b && document.querySelector('[data-testid="send"]').textContent === 'Send'; },
      before,
    );
    return { status: Number(await this.id('response-status').innerText()), body: JSON.parse(await this.id('response-body').innerText()) };
  }

  // Payments
  async search(text) {
    await this.id('filter-search').fill(text);
  }

  row(key) {
    return this.id(`payment-row-${key}`);
  }

  async select(key) {
    await this.row(key).locator('button').click();
    await this.page.waitForSelector(`[data-testid="detail"][data-key="${key}"]`);
  }

  async status() {
    return this.page.locator('[data-testid="detail-status"] [data-status]').getAttribute('data-status');
  }

  action(name) {
    return this.id(`action-${name}`);
  }

  /** Whether the payment's detail offers `name` as a button (possible from its status). */
  async actionPossible(name) {
    return (await this.action(name).count()) === 1 && this.action(name).isEnabled();
  }

  /** The actions the detail lists as not possible from the payment's status (one collapsed line). */
  async actionsNotPossible() {
    const line = this.id('actions-not-possible');
    return (await line.count()) ? (await line.getAttribute('data-actions')).split(' ') : [];
  }

  async doAction(name) {
    await this.action(name).click();
    return this.send();
  }

  async relations() {
    return this.id('relations').innerText();
  }

  // Komet batch
  async batch(ids) {
    await this.id('batch-ids').fill(ids);
    await this.id('batch-send').click();
    await this.page.waitForSelector('[data-testid^="batch-row-"]');
    return this.page.$$eval('[data-testid^="batch-row-"]', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  }

  /** A screenshot that is checked to have content: decoded in the page, its pixels must vary. */
  async screenshot(path) {
    const png = await this.page.screenshot({ path, fullPage: true });
    const spread = await this.page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width; canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    }, png.toString('base64'));
    assert.ok(spread > 20, `${path} looks blank (${spread} colours)`);
    return png;
  }

  assertNoConsoleErrors() {
    assert.deepEqual(this.errors, [], 'the browser console shows errors');
  }
}
