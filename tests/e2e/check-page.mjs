// Page object for the console's file check panel (crates/payrules-web/src/check.rs): the tests
// talk to it through data-testid hooks only, and measure the main thread from inside the page.
import { Console } from './pages.mjs';

export class FileCheck extends Console {
  /** Starts checking the file at `path` through the panel's file input. */
  async check(path) {
    await this.id('check-file').setInputFiles(path);
  }

  async phase() {
    return this.id('check').getAttribute('data-phase');
  }

  async waitForPhase(phase, timeout = 120_000) {
    await this.page.waitForSelector(`[data-testid="check"][data-phase="${phase}"]`, { timeout });
  }

  /** Waits for a run's results: the counts, then the problems and the report link. */
  async waitForResults(timeout = 120_000) {
    await this.waitForPhase('done', timeout);
    await this.id('check-download').waitFor({ timeout });
  }

  async chooseOperation(id) {
    await this.id('check-operation').selectOption(id);
  }

  /** The progress bar's value (bytes read). */
  async progress() {
    return Number(await this.id('check-progress').getAttribute('value'));
  }

  /** Records, inside the page, every value the progress bar takes and the longest main-thread
   * gap: a 10 ms timer and requestAnimationFrame, each noting how late it ran. Also notes how long
   * each click waited before its handler ran (now − the event's timeStamp). */
  async startProbe() {
    await this.page.evaluate(() => {
      const probe = { progress: [], timerGap: 0, frameGap: 0, clicks: [], running: true };
      window.__probe = probe;
      let last = performance.now();
      const timer = () => {
        const now = performance.now();
        probe.timerGap = Math.max(probe.timerGap, now - last - 10);
        last = now;
        if (probe.running) setTimeout(timer, 10);
      };
      setTimeout(timer, 10);
      let lastFrame = performance.now();
      const frame = (now) => {
        probe.frameGap = Math.max(probe.frameGap, now - lastFrame);
        lastFrame = now;
        if (probe.running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      const bar = document.querySelector('[data-testid="check-progress"]');
      new MutationObserver(() => probe.progress.push(Number(bar.getAttribute('value'))))
        .observe(bar, { attributes: true, attributeFilter: ['value'] });
      document.addEventListener('click', (ev) => probe.clicks.push(performance.now() - ev.timeStamp), true);
    });
  }

  async stopProbe() {
    return this.page.evaluate(() => {
      window.__probe.running = false;
      return window.__probe;
    });
  }

  async counts() {
    const n = Object.fromEntries((await this.rows('check-counts')).map(([k, v]) => [k, Number(v)]));
    return { lines: n.Lines, valid: n.Valid, invalid: n.Invalid, warned: n['Valid with warnings'], blank: n.Blank };
  }

  /** A table's body rows as arrays of cell texts. */
  async rows(testid) {
    return this.id(testid).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText)));
  }

  /** Clicks "Download report" and returns the downloaded file's text. */
  async download() {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.id('check-download').click()]);
    const { readFile } = await import('node:fs/promises');
    return readFile(await download.path(), 'utf8');
  }
}
