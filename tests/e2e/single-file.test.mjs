// The designer as one file (dist/tiermap.html) opened from disk, as it travels by email,
// wiki or shared drive: it must work from file:// with no request at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { browser, ROOT, SHOTS } from './harness.mjs';

const FILE = join(ROOT, 'dist', 'tiermap.html');
const URL_OF_FILE = pathToFileURL(FILE).href;

let b;
before(async () => {
  assert.ok(existsSync(FILE), 'dist/tiermap.html is missing: run trunk build --release');
  b = await browser();
});
after(async () => {
  await b?.close();
});

/** Opens the file in a fresh context, recording console errors, CSP violations and requests. */
async function openFile(url = URL_OF_FILE) {
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

/** No request but the file itself (downloads of the page's own blobs are not requests
 * of the network, and are allowed). */
function assertNoRequest(requests) {
  const other = requests.filter((u) => !u.startsWith(URL_OF_FILE) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(other, [], `the file made requests: ${other.join(', ')}`);
}

test('opened from disk: template, drag, download a stack file docker accepts, no request', async () => {
  const html = readFileSync(FILE, 'utf8');
  // One file: nothing it links or loads from elsewhere.
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+rel=["']?(stylesheet|modulepreload|preload)/);
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe-inline/, 'scripts only by hash');

  const { context, page, errors, requests } = await openFile();
  await page.getByLabel('Template').first().selectOption('scores');
  for (const tier of ['web_tier', 'infrastructure_tier', 'job_tier', 'ml_tier']) {
    await page.getByRole('region', { name: `Tier ${tier}` }).waitFor();
  }
  // The accessible names the served page is held to.
  await page.getByLabel('Import compose file').waitFor({ state: 'attached' });
  await page.getByRole('table', { name: 'Reachability' }).waitFor();
  await page.getByRole('region', { name: 'Exposed surface' }).waitFor();
  await page.getByRole('list', { name: 'Findings' }).waitFor();
  await page.getByRole('button', { name: 'Download stack file' }).waitFor();
  await page.getByRole('region', { name: 'Export' }).waitFor();

  const card = page.getByRole('group', { name: 'Service text-classifier' });
  await card.dragTo(page.getByRole('region', { name: 'Tier web_tier' }));
  await page.getByRole('region', { name: 'Tier web_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  await page.getByRole('table', { name: 'Reachability' }).getByLabel('text-classifier → api via web_tier').waitFor();
  await page.screenshot({ path: join(SHOTS, 'single-file.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stack file' }).click()]);
  const saved = join(SHOTS, 'single-file-scores.yml');
  await download.saveAs(saved);
  const yaml = readFileSync(saved, 'utf8');
  assert.match(yaml, /text-classifier:[\s\S]*?networks:\s*\n\s*- web_tier/);
  execFileSync('docker', ['stack', 'config', '-c', saved], { stdio: 'pipe' });

  // The Export panel's files and the diagram download from a file as well.
  const panel = page.getByRole('region', { name: 'Export' });
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  await panel.getByLabel('Artifact', { exact: true }).selectOption('nftables');
  const [nft] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Download artifact' }).click()]);
  assert.equal(nft.suggestedFilename(), 'firewall-worker.nft');
  const nftSaved = join(SHOTS, 'single-file-firewall.nft');
  await nft.saveAs(nftSaved);
  assert.match(readFileSync(nftSaved, 'utf8'), /^table inet /m);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram (SVG)' }).click()]);
  const svgSaved = join(SHOTS, 'single-file-diagram.svg');
  await svg.saveAs(svgSaved);
  assert.match(readFileSync(svgSaved, 'utf8'), /^<svg[\s\S]*text-classifier[\s\S]*<\/svg>\s*$/);

  // Undo works the same from a file.
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('region', { name: 'Tier ml_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();

  assert.deepEqual(errors, []);
  assertNoRequest(requests);
  await context.close();
});

test('opened from disk: a reload keeps the design, and a share link opens in the file', async () => {
  const { context, page, errors, requests } = await openFile();
  await page.getByLabel('Template').first().selectOption('three-tier');
  await page.getByRole('region', { name: 'Exposed surface' }).waitFor();
  const tiers = await page.getByRole('region', { name: /^Tier / }).count();
  assert.ok(tiers > 0);
  await page.reload();
  await page.getByLabel('Template').first().waitFor();
  assert.equal(await page.getByRole('region', { name: /^Tier / }).count(), tiers, 'the design survives a reload from disk');

  await page.getByRole('button', { name: 'Share link' }).click();
  const link = await page.getByLabel('Share link URL').inputValue();
  assert.ok(link.startsWith(`${URL_OF_FILE}#`), `a link made from the file points at the file: ${link.slice(0, 120)}`);
  await context.close();

  // A colleague opens the link: a fresh browser profile, the same file, the design in its fragment.
  const fresh = await openFile(link);
  await fresh.page.getByRole('region', { name: /^Tier / }).first().waitFor();
  assert.equal(await fresh.page.getByRole('region', { name: /^Tier / }).count(), tiers);
  assert.deepEqual([...errors, ...fresh.errors], []);
  assertNoRequest([...requests, ...fresh.requests]);
  await fresh.context.close();
});
