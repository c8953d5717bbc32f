// Names from a user's file never reach the page as markup. A compose file puts markup in
// the service, network and stack names, an image, a Traefik rule and an environment
// URL (fixtures/hostile.yml); every payload would record itself in window.__pwned if it
// ran. The page imports it, selects every card, presents, makes a share link that a
// fresh browser opens: no element from the file appears, nothing runs, and the CSP
// reports no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, browser, ROOT, SHOTS, assertLocal } from './harness.mjs';

const FILE = join(ROOT, 'tests', 'e2e', 'fixtures', 'hostile.yml');
const SERVICE = `<img src=x onerror="window.__pwned=(window.__pwned||[]).concat('service')">`;
const NETWORK = `"><svg onload="window.__pwned=(window.__pwned||[]).concat('network')">`;
const STACK = `<img src=x onerror="window.__pwned=(window.__pwned||[]).concat('stack')">`;

let srv;
let b;
before(async () => {
  srv = await serve();
  b = await browser();
});
after(async () => {
  await b?.close();
  srv?.server.close();
});

/** A page that records CSP violations, script errors and requests from its first line. */
async function openRecorded(url) {
  const context = await b.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} ${e.sample || ''}`);
    });
  });
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

/** Nothing from the file became an element or ran. */
async function assertInert(page, where) {
  const found = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    // The page itself has no image, link, frame or object; the file asked for all of them.
    elements: [...document.querySelectorAll('img, a, iframe, object, embed, script:not([src])')].map((e) => e.outerHTML),
    // Event handler attributes, on HTML or SVG elements.
    handlers: [...document.querySelectorAll('*')]
      .filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on')))
      .map((e) => e.outerHTML.slice(0, 120)),
    // Only the page's own <svg> (the diagram); the file's `"><svg onload>` is not one.
    svgs: document.querySelectorAll('svg').length,
    javascriptUrls: [...document.querySelectorAll('[href], [src], [xlink\\:href]')].map((e) => e.getAttribute('href') ?? e.getAttribute('src')).filter((v) => /javascript:/i.test(v ?? '')),
    violations: window.__violations,
  }));
  assert.equal(found.pwned, null, `${where}: a payload ran: ${found.pwned}`);
  assert.deepEqual(found.elements, [], `${where}: elements from the file`);
  assert.deepEqual(found.handlers, [], `${where}: event handler attributes`);
  assert.equal(found.svgs, 1, `${where}: only the diagram is an <svg>`);
  assert.deepEqual(found.javascriptUrls, [], `${where}: javascript: URLs`);
  assert.deepEqual(found.violations, [], `${where}: CSP violations`);
}

test('markup in names and values stays text: import, select, present, share link', async () => {
  const { context, page, errors, requests } = await openRecorded(srv.url);
  await page.getByLabel('Import compose file').setInputFiles(FILE);
  const tier = page.getByRole('region', { name: `Tier ${NETWORK}`, exact: true });
  await tier.waitFor();
  // The names are shown, as text.
  await tier.getByRole('group', { name: `Service ${SERVICE}`, exact: true }).waitFor();
  assert.equal(await page.locator('.stack').innerText(), STACK);
  await page.getByRole('region', { name: 'Exposed surface' }).getByText('<a href="javascript:').waitFor();
  await page.getByRole('list', { name: 'Findings' }).getByText(`\`${SERVICE}\` is routed from the internet`).first().waitFor();
  await page.locator(`#diagram-svg g[data-service="${SERVICE.replaceAll('"', '\\"')}"]`).waitFor();
  await assertInert(page, 'after import');

  // Select every card: the side panel shows each service's fields, flows, blast radius.
  for (const name of [SERVICE, 'api', 'traefik']) {
    await tier.getByRole('group', { name: `Service ${name}`, exact: true }).locator('.card-main').click();
    await page.getByRole('heading', { name: `Service ${name}`, exact: true }).waitFor();
    await page.locator(`#diagram-svg g.sel[data-service="${name.replaceAll('"', '\\"')}"]`).waitFor();
  }
  assert.equal(await page.getByLabel('Image', { exact: true }).inputValue(), 'traefik:v3.1');
  await tier.getByRole('group', { name: `Service ${SERVICE}`, exact: true }).locator('.card-main').click();
  assert.equal(await page.getByLabel('Service name', { exact: true }).inputValue(), SERVICE);
  await page.getByRole('button', { name: `Menu for ${SERVICE}`, exact: true }).click();
  await page.getByRole('menuitem', { name: `Move ${SERVICE} to ${NETWORK}`, exact: true }).waitFor();
  // And the tier.
  await tier.locator('.tier-title').click();
  await page.getByRole('heading', { name: `Tier ${NETWORK}`, exact: true }).waitFor();
  await assertInert(page, 'after selecting');
  await page.screenshot({ path: join(SHOTS, 'hostile.png'), fullPage: true });

  // Present, step through every finding, and stop.
  await page.getByRole('button', { name: 'Present' }).click();
  const bar = page.getByRole('region', { name: 'Presentation' });
  const total = Number((await bar.getByText(/Finding 1 of \d+/).innerText()).match(/of (\d+)/)[1]);
  for (let i = 1; i < total; i++) await page.keyboard.press('ArrowRight');
  await bar.getByText(`Finding ${total} of ${total}`).waitFor();
  await assertInert(page, 'while presenting');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Download stack file' }).waitFor();

  // A share link, opened in a fresh browser.
  await page.getByRole('button', { name: 'Share link' }).click();
  const link = await page.getByLabel('Share link URL').inputValue();
  await assertInert(page, 'after sharing');
  const other = await openRecorded(link);
  await other.page.getByRole('region', { name: `Tier ${NETWORK}`, exact: true }).getByRole('group', { name: `Service ${SERVICE}`, exact: true }).waitFor();
  assert.equal(await other.page.locator('.stack').innerText(), STACK);
  await other.page.getByRole('group', { name: `Service ${SERVICE}`, exact: true }).locator('.card-main').click();
  await other.page.getByRole('heading', { name: `Service ${SERVICE}`, exact: true }).waitFor();
  await assertInert(other.page, 'share link in a fresh browser');
  assert.deepEqual(other.errors, []);
  assertLocal(other.requests, srv.url);
  await other.context.close();

  // The downloaded stack file still has every name as written.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stack file' }).click()]);
  const saved = readFileSync(await download.path(), 'utf8');
  // (The key's line as the file wrote it, single-quoted with its quotes doubled: the page
  // writes back only what an edit changed.)
  const keyLine = readFileSync(FILE, 'utf8').split('\n').find((line) => line.includes("concat(''service'')") && line.endsWith(':'));
  assert.ok(keyLine && saved.includes(`${keyLine}\n`), 'the service name is written back as it was');

  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

test('the CSP allows no inline script or style; the diagram stylesheet is pinned by its hash', async () => {
  const { context, page, errors } = await openRecorded(srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  await page.getByRole('region', { name: 'Tier ml_tier' }).waitFor();
  const { csp, inline, stylesheet } = await page.evaluate(() => ({
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]').content,
    inline: [...document.querySelectorAll('script:not([src])')].length,
    stylesheet: document.querySelector('#diagram-svg style')?.textContent,
  }));
  const directive = (name) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
  assert.doesNotMatch(directive('script-src'), /'unsafe-inline'|'unsafe-eval'/, csp);
  assert.doesNotMatch(directive('style-src'), /'unsafe-inline'/, csp);
  assert.equal(inline, 0, 'no inline script in the page');
  // Core's diagram carries its stylesheet (so the SVG file stands alone); the page
  // allows exactly that one, by its hash. A change of core's CSS changes the hash.
  assert.ok(stylesheet, 'the diagram has its stylesheet');
  const hash = `'sha256-${createHash('sha256').update(stylesheet).digest('base64')}'`;
  assert.ok(directive('style-src').includes(hash), `index.html's style-src needs ${hash} (the diagram's stylesheet changed)`);
  // And the diagram is drawn with it: a tier name takes its box's colour.
  const fill = await page.locator('#diagram-svg g[data-tier] text.tt').first().evaluate((t) => getComputedStyle(t).fill);
  assert.notEqual(fill, 'rgb(27, 31, 36)', 'tier names keep their colour');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});
