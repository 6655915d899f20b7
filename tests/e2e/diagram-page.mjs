// Page object for a payment's lifecycle diagram (crates/payrules-web/src/diagram.rs): it talks to
// the page only through data-testid hooks and the diagram's data-* attributes.

export class Lifecycle {
  constructor(c) {
    this.c = c;
    this.page = c.page;
  }

  svg() {
    return this.c.id('lifecycle');
  }

  /** The highlighted state: its code, words, code line and box. */
  async current() {
    return this.page.$eval('[data-testid="lifecycle"] g.state[data-current="true"]', (g) => ({
      state: g.getAttribute('data-state'),
      words: g.querySelector('text.words')?.textContent,
      code: g.querySelector('text.code')?.textContent ?? null,
      stroke: g.querySelector('rect').getAttribute('stroke'),
    }));
  }

  async currentCount() {
    return this.page.locator('[data-testid="lifecycle"] g.state[data-current="true"]').count();
  }

  /** Every move drawn: from, action, to, allowed, taken. */
  async moves() {
    return this.page.$$eval('[data-testid="lifecycle"] path.edge', (ps) => ps.map((p) => ({
      from: p.dataset.from, action: p.dataset.action, to: p.dataset.to,
      allowed: p.dataset.allowed === 'true', taken: p.dataset.taken === 'true', stroke: p.getAttribute('stroke'),
    })));
  }

  /** The step numbers drawn on the moves, by action. */
  async steps() {
    return this.page.$$eval('[data-testid="lifecycle"] g.edge-label[data-taken="true"]', (gs) => gs.map((g) => [g.dataset.action, g.querySelector('[data-testid="lifecycle-step"] text').textContent]));
  }

  /** The trail listed under the diagram: the statuses, oldest first. */
  async trail() {
    return this.page.$$eval('[data-testid="lifecycle-trail"] li', (lis) => lis.map((li) => li.dataset.status));
  }

  async now() {
    return this.c.id('lifecycle-now').innerText();
  }

  async transform() {
    return this.c.id('lifecycle-viewport').getAttribute('transform');
  }

  async zoomIn() { await this.c.id('lifecycle-zoom-in').click(); }
  async zoomOut() { await this.c.id('lifecycle-zoom-out').click(); }
  async resetView() { await this.c.id('lifecycle-zoom-reset').click(); }

  /** Drags the drawing by (dx, dy) screen pixels. */
  async drag(dx, dy) {
    // Inside the frame the drawing scrolls in (the drawing itself may start left of it).
    const frame = this.svg().locator('xpath=..');
    await frame.scrollIntoViewIfNeeded();
    const box = await frame.boundingBox();
    const x = box.x + Math.min(box.width, 300) / 2;
    const y = box.y + Math.min(box.height, 300) / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + dx / 2, y + dy / 2);
    await this.page.mouse.move(x + dx, y + dy);
    await this.page.mouse.up();
  }

  /** Clicks "Download SVG"; the file's name and text. */
  async download() {
    const [file] = await Promise.all([this.page.waitForEvent('download'), this.c.id('lifecycle-download').click()]);
    const stream = await file.createReadStream();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }

  /** Parses SVG text with the browser's XML parser: what it found, or its error. */
  async parse(text) {
    return this.page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      const error = doc.querySelector('parsererror');
      const svg = doc.documentElement;
      return {
        error: error ? error.textContent : null,
        root: svg.localName, ns: svg.namespaceURI, viewBox: svg.getAttribute('viewBox'),
        states: [...doc.querySelectorAll('g.state')].map((g) => g.getAttribute('data-state')),
        current: doc.querySelector('g.state[data-current="true"]')?.getAttribute('data-state') ?? null,
        transform: doc.querySelector('[data-testid="lifecycle-viewport"]')?.getAttribute('transform') ?? null,
        edges: doc.querySelectorAll('path.edge').length,
        styles: doc.querySelector('g.state rect')?.getAttribute('fill') ?? null,
      };
    }, text);
  }

  /** What is on screen, measured: boxes, labels, texts at their rendered font sizes. */
  async geometry() {
    return this.page.evaluate(() => {
      const svg = document.querySelector('[data-testid="lifecycle"]');
      const frame = svg.parentElement.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      const rect = svg.getBoundingClientRect();
      const scale = rect.width / vb.width;
      const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
      const states = [...svg.querySelectorAll('g.state')].map((g) => ({ name: g.dataset.state, box: box(g.querySelector('rect')), texts: [...g.querySelectorAll('text')].map(box) }));
      const labels = [...svg.querySelectorAll('g.edge-label')].map((g) => ({ name: `${g.dataset.from} ${g.dataset.action}`, box: box(g.querySelector('rect')), text: box(g.querySelector('text')) }));
      const fonts = [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale }));
      return { scale, width: rect.width, frame: { w: frame.width }, states, labels, fonts };
    });
  }
}

const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (inner, outer, slack = 0.5) => inner.x >= outer.x - slack && inner.y >= outer.y - slack
  && inner.x + inner.w <= outer.x + outer.w + slack && inner.y + inner.h <= outer.y + outer.h + slack;

/** The problems of a measured diagram: overlapping boxes or labels, text outside its box, small text. */
export function problems(g, minPx = 10.95) {
  const out = [];
  g.states.forEach((a, i) => g.states.slice(i + 1).forEach((b) => { if (overlap(a.box, b.box)) out.push(`boxes ${a.name} and ${b.name} overlap`); }));
  g.labels.forEach((a, i) => g.labels.slice(i + 1).forEach((b) => { if (overlap(a.box, b.box)) out.push(`labels ${a.name} and ${b.name} overlap`); }));
  for (const l of g.labels) {
    for (const s of g.states) if (overlap(l.box, s.box)) out.push(`label ${l.name} overlaps box ${s.name}`);
    if (!inside(l.text, l.box)) out.push(`label ${l.name}'s text leaves its box`);
  }
  for (const s of g.states) for (const t of s.texts) if (!inside(t, s.box)) out.push(`the text of ${s.name} leaves its box`);
  for (const f of g.fonts) if (f.px < minPx) out.push(`"${f.text}" is drawn at ${f.px.toFixed(2)} px`);
  return out;
}
