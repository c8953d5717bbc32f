// Shared set-up for the browser tests: serve dist/ on loopback, start Debian's
// Chromium through playwright-core, and record console errors and every request.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, '.tools', 'package.json'));
const { chromium } = require('playwright-core');

export const SHOTS = join(ROOT, 'target', 'e2e');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.txt': 'text/plain' };

/** Serves dist/ on 127.0.0.1 and a free port. */
export async function serve() {
  const dist = join(ROOT, 'dist');
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path.endsWith('/') ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Starts Chromium (Debian's, headless) with the flags this machine needs. */
export async function browser() {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh context and page that record console errors and requests. */
export async function open(b, url) {
  const context = await b.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await page.getByLabel('Template').first().waitFor();
  return { context, page, errors, requests };
}

/** A stack of `n` services on `tiers` tiers, for speed measurements. */
export function bigStack(n, tiers) {
  let s = 'version: "3.8"\nservices:\n';
  s += '  traefik:\n    image: traefik:v3.1\n    ports: [{target: 80, published: 80, mode: host}]\n    networks: [tier0]\n';
  for (let i = 0; i < n - 1; i++) {
    s += `  svc${i}:\n    image: example/svc${i}:1\n    networks: [tier${i % tiers}${i % 3 === 0 ? `, tier${(i + 1) % tiers}` : ''}]\n`;
    if (i % 4 === 0) s += `    environment: [UPSTREAM=http://svc${(i + 7) % (n - 1)}:8080]\n`;
  }
  s += 'networks:\n';
  for (let t = 0; t < tiers; t++) s += `  tier${t}: {driver: overlay, driver_opts: {encrypted: ""}}\n`;
  return s;
}

/** Every request went to `origin` (or is a download of the page's own blob or data). */
export function assertLocal(requests, origin) {
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], `requests left the page: ${foreign.join(', ')}`);
}

/** Publishes postgres' port 5432 from the side panel (scores template open): the
 * classic mistake a review catches. */
export async function publishPostgres(page) {
  await page.getByRole('group', { name: 'Service postgres' }).getByRole('button').first().click();
  await page.getByRole('button', { name: 'Add port' }).click();
  await page.getByLabel('Target port 1').fill('5432');
  await page.getByLabel('Target port 1').press('Enter');
  await page.getByLabel('Published port 1').fill('5432');
  await page.getByLabel('Published port 1').press('Enter');
  await page.getByRole('region', { name: 'Exposed surface' }).getByText('3 exposed ports').waitFor();
}

/** Watches the page for DOM changes made after it published an update time: the
 * instrument (browser::publish_update_time) must wait until the view has settled.
 * Call before an action; `lateChanges(page)` then counts the changes that came after
 * the figure the action published. */
export async function watchLateChanges(page) {
  await page.evaluate(() => {
    window.__late = 0;
    window.__published = false;
    if (window.__watching) return;
    window.__watching = true;
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.target === document.body && r.attributeName.startsWith('data-')) {
          window.__published = r.attributeName === 'data-last-update-ms';
        } else if (window.__published) {
          window.__late += 1;
        }
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** The changes the page made after its last published figure (two frames later). */
export async function lateChanges(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return page.evaluate(() => window.__late);
}
