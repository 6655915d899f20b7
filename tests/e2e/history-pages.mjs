// Page objects for the console's history panel and sandboxes panel (HTTP mode); they talk to the
// page only through data-testid hooks, as pages.mjs does.

export class HistoryPanel {
  constructor(c) {
    this.c = c;
    this.page = c.page;
  }

  entries() {
    return this.c.id('history-entry');
  }

  /** Waits until the history lists `n` requests. */
  async waitFor(n) {
    await this.page.waitForFunction((n) => document.querySelectorAll('[data-testid="history-entry"]').length === n, n);
  }

  /** Every entry as shown, top (newest) first. */
  async read() {
    return this.page.$$eval('[data-testid="history-entry"]', (items) => items.map((li) => {
      const t = (id) => li.querySelector(`[data-testid="${id}"]`);
      return {
        n: Number(li.dataset.n),
        mode: li.dataset.mode,
        sandbox: li.dataset.sandbox,
        place: t('history-mode').textContent,
        time: t('history-time').getAttribute('datetime'),
        request: t('history-request').textContent,
        verdict: t('history-verdict').textContent,
        status: Number(t('history-status').textContent),
        response: t('history-response').textContent,
      };
    }));
  }

  entry(n) {
    return this.page.locator(`[data-testid="history-entry"][data-n="${n}"]`);
  }

  async openResponse(n) {
    await this.entry(n).locator('summary').click();
    return this.entry(n).locator('[data-testid="history-response"]').innerText();
  }

  async resend(n) {
    const count = await this.entries().count();
    await this.entry(n).locator('[data-testid="history-resend"]').click();
    await this.waitFor(count + 1);
  }

  async edit(n) {
    await this.entry(n).locator('[data-testid="history-edit"]').click();
  }

  /** Copies entry `n` as curl; the command shown. */
  async curl(n, { withCredentials = false } = {}) {
    await this.c.id('curl-with-credentials').setChecked(withCredentials);
    await this.entry(n).locator('[data-testid="history-curl"]').click();
    await this.page.waitForFunction((n) => document.querySelector('[data-testid="curl-output"]')?.labels?.[0]?.textContent === `curl of request #${n}`, n);
    return this.c.id('curl-output').inputValue();
  }

  async paste(command) {
    await this.c.id('curl-input').fill(command);
    await this.c.id('curl-load').click();
  }
}

export class SandboxPanel {
  constructor(c) {
    this.c = c;
    this.page = c.page;
  }

  async chosen() {
    return this.c.id('sandbox-select').inputValue();
  }

  async create(name) {
    await this.c.id('sandbox-new').fill(name);
    await this.c.id('sandbox-create').click();
    await this.page.waitForFunction((name) => document.querySelector('[data-testid="sandbox-select"]').value === name, name);
  }

  async choose(name) {
    await this.c.id('sandbox-select').selectOption(name);
  }

  /** Waits for the log to hold `n` requests; its rows' texts. */
  async log(n) {
    await this.page.waitForFunction((n) => document.querySelector('[data-testid="sandbox-log-total"]')?.textContent === `(${n} requests)`, n);
    return this.page.$$eval('[data-testid="sandbox-log-row"]', (rows) => rows.map((r) => [...r.children].map((td) => td.textContent)));
  }

  /** The log's paging: which buttons are enabled, and its text. */
  async paging() {
    const newer = this.c.id('sandbox-log-newer');
    const older = this.c.id('sandbox-log-older');
    const text = await newer.evaluate((b) => b.parentElement.innerText.replace(/\s+/g, ' ').trim());
    return { newer: await newer.isEnabled(), older: await older.isEnabled(), text };
  }

  /** The sandbox's clock reading, in ms since the epoch. */
  async now() {
    await this.page.waitForSelector('[data-testid="sandbox-now"]');
    return Date.parse(await this.c.id('sandbox-now').getAttribute('datetime'));
  }

  async advanceHour() {
    const before = await this.now();
    await this.c.id('clock-advance').click();
    await this.page.waitForFunction((b) => Date.parse(document.querySelector('[data-testid="sandbox-now"]').getAttribute('datetime')) >= b + 3_600_000, before);
    return { before, after: await this.now() };
  }
}
