// The diagram against Mermaid, in Debian's Chromium: every template and every corpus
// file is drawn by `tiermap export FILE --to svg` and by Mermaid (the same graph:
// tiers as subgraphs, services, the internet with an arrow to each published service,
// one arrow per flow), both are measured by one measure (./measure.mjs), and a table
// of both is printed. Screenshots of the templates and the three densest corpus files,
// light and dark, go to target/diagram/.
//
//   node --test tests/diagram/
//
// Builds the command line and the graph example first (cargo, debug).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { mermaidText, arrowCount, measureInPage } from './measure.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, '.tools', 'package.json'));
const { chromium } = require('playwright-core');
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const OUT = join(TARGET, 'diagram');
const CORPUS = join(ROOT, 'core', 'tests', 'corpus');

let browser;
let designs = [];

function run(bin, args) {
  return execFileSync(bin, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  execFileSync('cargo', ['build', '-q', '-p', 'tiermap-cli'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('cargo', ['build', '-q', '-p', 'tiermap-core', '--example', 'graph'], { cwd: ROOT, stdio: 'inherit' });
  const tiermap = join(TARGET, 'debug', 'tiermap');
  const graph = join(TARGET, 'debug', 'examples', 'graph');
  const files = [];
  for (const line of run(tiermap, ['templates']).trim().split('\n')) {
    const name = line.split(/\s+/)[0];
    const file = join(OUT, `${name}.yml`);
    writeFileSync(file, run(tiermap, ['template', name]));
    files.push({ name, file, template: true });
  }
  const manifest = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const col = manifest[0].split('\t').indexOf('file');
  for (const line of manifest.slice(1)) {
    const file = line.split('\t')[col];
    files.push({ name: file.replace(/\.ya?ml$/, ''), file: join(CORPUS, file), template: false });
  }
  // DIAGRAM_ONLY=regex measures only the designs it matches (while working on one).
  const only = process.env.DIAGRAM_ONLY ? new RegExp(process.env.DIAGRAM_ONLY) : null;
  for (const d of files) {
    if (only && !only.test(d.name)) continue;
    let svg, g;
    try {
      svg = run(tiermap, ['export', d.file, '--to', 'svg']);
      g = JSON.parse(run(graph, [d.file]));
    } catch (e) {
      // Only a file tiermap cannot read (and says why) is left out.
      assert.match(String(e.stderr), /tiermap|:/, `${d.name}: ${e}`);
      console.log(`# skipped ${d.name}: ${String(e.stderr).trim().split('\n')[0]}`);
      continue;
    }
    designs.push({ ...d, svg, graph: g, mermaid: mermaidText(g) });
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** Draws every design both ways and measures both drawings. */
async function measureAll() {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.route('**/*', (route) => route.abort());
  await page.setContent('<!doctype html><title>measure</title><body style="margin:0"><div id="ours"></div><div id="theirs"></div></body>');
  await page.addScriptTag({ path: join(ROOT, '.tools', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js') });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', maxEdges: 5000, maxTextSize: 500000 }));
  const results = [];
  for (const d of designs) {
    const started = Date.now();
    const ours = await page.evaluate(([svg, fn]) => {
      document.getElementById('ours').innerHTML = svg;
      // eslint-disable-next-line no-new-func
      return new Function(`return (${fn})`)()({ root: '#ours svg', kind: 'ours' });
    }, [d.svg, measureInPage.toString()]);
    const theirs = await page.evaluate(async ([text, fn]) => {
      const { svg } = await window.mermaid.render('m', text);
      const holder = document.getElementById('theirs');
      holder.innerHTML = svg;
      const el = holder.querySelector('svg');
      const vb = el.viewBox.baseVal;
      el.removeAttribute('style');
      el.setAttribute('width', vb.width);
      el.setAttribute('height', vb.height);
      return new Function(`return (${fn})`)()({ root: '#theirs svg', kind: 'mermaid' });
    }, [d.mermaid, measureInPage.toString()]);
    d.theirsSvg = await page.evaluate(() => document.querySelector('#theirs svg').outerHTML);
    results.push({ d, ours, theirs });
    if (process.env.TM_TIMING) console.log(`# ${d.name}: ${Date.now() - started} ms`);
  }
  await page.close();
  return results;
}

function table(results) {
  const head = ['design', 'arrows', 'crossings', 'thru cards', 'thru tiers', 'label overlaps', 'size', 'name px @1080p'];
  const rows = results.map(({ d, ours: o, theirs: m }) => [
    d.name.length > 44 ? `${d.name.slice(0, 43)}…` : d.name,
    `${o.arrows}/${m.arrows}`,
    `${o.crossings}/${m.crossings}`,
    `${o.throughCards}/${m.throughCards}`,
    `${o.throughTiers}/${m.throughTiers}`,
    `${o.labelOverlaps}/${m.labelOverlaps}`,
    `${o.width}x${o.height} / ${m.width}x${m.height}`,
    `${o.namePx}/${m.namePx}`,
  ]);
  const sum = (k) => results.reduce((s, r) => [s[0] + r.ours[k], s[1] + r.theirs[k]], [0, 0]).join('/');
  rows.push(['TOTAL', sum('arrows'), sum('crossings'), sum('throughCards'), sum('throughTiers'), sum('labelOverlaps'), '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => `# ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`;
  return [line(head), `# ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)].join('\n');
}

test('the measure counts what it says: crossings not touches, through a card not to it', async () => {
  const page = await browser.newPage();
  await page.route('**/*', (route) => route.abort());
  // Two cards a and b, a tier box around b; arrows as orthogonal paths.
  const svg = (paths, extra = '') => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">
    <g data-service="a"><rect class="card" x="20" y="20" width="100" height="40"/></g>
    <rect class="tier" x="180" y="160" width="180" height="120"/>
    <g data-service="b"><rect class="card" x="200" y="200" width="100" height="40"/></g>
    ${paths.map((d) => `<path class="flow" d="${d}"/>`).join('')}${extra}</svg>`;
  const cases = [
    // [what, paths, extra, expected counts]
    ['two lines crossing', ['M10 100L390 100', 'M150 90L150 110'], '', { crossings: 1 }],
    ['a line ending on another (touching)', ['M10 100L390 100', 'M150 80L150 100'], '', { crossings: 0 }],
    ['two lines along each other', ['M10 100L390 100', 'M100 100L300 100'], '', { crossings: 0 }],
    ['a hop over a line still crosses it', ['M10 100L144 100A6 6 0 0 1 156 100L390 100', 'M150 80L150 120'], '', { crossings: 1 }],
    ['crossing twice', ['M10 100L390 100', 'M150 80L150 120L170 120L170 80'], '', { crossings: 2 }],
    ['an arrow from a to b, ending at their edges', ['M70 60L70 130L250 130L250 200'], '', { crossings: 0, throughCards: 0, throughTiers: 0 }],
    ['an arrow through card a', ['M10 40L390 40'], '', { throughCards: 1 }],
    ['an arrow through the tier box of b that ends elsewhere', ['M70 60L70 270L390 270'], '', { throughTiers: 1, throughCards: 0 }],
    ['a label on a card and a label on a label', [], '<text class="lbl" x="30" y="45">8080</text><text class="lbl" x="150" y="120">80</text><text class="lbl" x="155" y="122">443</text>', { labelOverlaps: 2 }],
    ['an arrow through a label', ['M10 115L390 115'], '<text class="lbl" x="150" y="120">8080</text>', { labelsCrossed: 1 }],
    ['an arrow beside a label', ['M10 140L390 140'], '<text class="lbl" x="150" y="120">8080</text>', { labelsCrossed: 0 }],
  ];
  for (const [what, paths, extra, want] of cases) {
    await page.setContent(`<!doctype html><body style="margin:0">${svg(paths, extra)}</body>`);
    const got = await page.evaluate((fn) => new Function(`return (${fn})`)()({ root: 'svg', kind: 'ours' }), measureInPage.toString());
    for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `${what}: ${k}`);
  }
  await page.close();
});

test('the diagram beats Mermaid on every design: crossings, arrows through cards and tiers, labels, readable on a projector', async () => {
  if (!process.env.DIAGRAM_ONLY) assert.ok(designs.length >= 30, `${designs.length} designs`);
  const results = await measureAll();
  console.log('# ours/Mermaid per design (crossings, arrows through a card or through a tier holding neither end, overlapping labels)');
  console.log(table(results));
  const failures = [];
  let ours = 0, theirs = 0;
  for (const { d, ours: o, theirs: m } of results) {
    const want = arrowCount(d.graph);
    if (o.arrows !== want || m.arrows !== want) failures.push(`${d.name}: ${o.arrows} and ${m.arrows} arrows drawn, the design has ${want}`);
    if (o.crossings > m.crossings) failures.push(`${d.name}: ${o.crossings} crossings, Mermaid ${m.crossings}`);
    if (o.throughCards > 0) failures.push(`${d.name}: ${o.throughCards} arrows through a card`);
    if (o.throughTiers > m.throughTiers) failures.push(`${d.name}: ${o.throughTiers} arrows through a tier holding neither end, Mermaid ${m.throughTiers}`);
    if (o.labelOverlaps > 0) failures.push(`${d.name}: ${o.labelOverlaps} overlapping labels`);
    if (o.namePx < 12) failures.push(`${d.name}: card names ${o.namePx} px on a 1920x1080 screen (${o.width}x${o.height})`);
    ours += o.crossings;
    theirs += m.crossings;
  }
  const crossed = results.reduce((n, r) => n + r.ours.labelsCrossed, 0);
  console.log(`# arrows through a port label's text (ours only): ${crossed}, on ${results.filter((r) => r.ours.labelsCrossed > 0).length} designs`);
  if (!(ours < theirs)) failures.push(`${ours} crossings in total, Mermaid ${theirs}`);
  assert.deepEqual(failures, []);
});

test('screenshots: every template and the three densest corpus files, light and dark, fitted to 1920x1080', async () => {
  const corpus = designs.filter((d) => !d.template).sort((a, b) => arrowCount(b.graph) - arrowCount(a.graph)).slice(0, 3);
  const chosen = [...designs.filter((d) => d.template), ...corpus];
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    for (const d of chosen) {
      const bg = scheme === 'dark' ? '#0f1318' : '#f6f7f9';
      await page.setContent(`<!doctype html><body style="margin:0;background:${bg}">${d.svg}</body>`);
      await page.evaluate(() => { const s = document.querySelector('svg'); s.style.width = '100vw'; s.style.height = '100vh'; s.style.display = 'block'; });
      await page.screenshot({ path: join(OUT, `${d.name}.${scheme}.png`) });
      if (scheme === 'light') {
        writeFileSync(join(OUT, `${d.name}.svg`), d.svg);
        writeFileSync(join(OUT, `${d.name}.mmd`), d.mermaid);
        if (d.theirsSvg) {
          // Mermaid's drawing of the same graph, for comparison.
          await page.setContent(`<!doctype html><body style="margin:0;background:#fff">${d.theirsSvg}</body>`);
          await page.evaluate(() => { const s = document.querySelector('svg'); s.style.width = '100vw'; s.style.height = '100vh'; s.style.display = 'block'; });
          await page.screenshot({ path: join(OUT, `${d.name}.mermaid.png`) });
        }
      }
    }
    await context.close();
  }
  console.log(`# screenshots in ${OUT}: ${chosen.map((d) => d.name).join(', ')}`);
});
