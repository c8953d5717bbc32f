// The review meeting in real Chromium: a baseline and its comparison, a share link
// opened in a fresh browser, undo and redo of ten edits, side-panel edits that keep the
// keyboard focus, presentation mode, and the report with the room's decisions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, browser, open, bigStack, ROOT, SHOTS, assertLocal, publishPostgres } from './harness.mjs';

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

/** The design as the page saved it (it saves on every change, just after the view). */
async function savedDesign(page) {
  await page.waitForTimeout(50);
  return page.evaluate(() => localStorage.getItem('tiermap.design'));
}

async function waitForSaved(page, text) {
  await page.waitForFunction((t) => localStorage.getItem('tiermap.design') === t, text);
}


test('baseline comparison, then a share link opened in a fresh browser', async () => {
  const { context, page, errors, requests } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  const surface = page.getByRole('region', { name: 'Exposed surface' });
  await surface.getByText('2 exposed ports').waitFor();
  const comparison = page.getByRole('region', { name: 'Comparison' });
  assert.equal(await comparison.isVisible(), false, 'no comparison before a baseline is set');

  // Today's production publishes the database; that is the baseline.
  await publishPostgres(page);
  await page.getByRole('button', { name: 'Set baseline' }).click();
  await comparison.getByText('No change since the baseline.').waitFor();

  // The review closes the port and moves the classifier next to the api.
  await page.getByRole('button', { name: 'Remove port 1' }).click();
  await surface.getByText('2 exposed ports').waitFor();
  await page.getByRole('button', { name: 'Menu for text-classifier' }).click();
  await page.getByRole('menuitem', { name: 'Move text-classifier to web_tier' }).click();
  await comparison.getByText('Exposed ports: 3 ports -> 2 ports, 33% less').waitFor();
  const text = await comparison.innerText();
  assert.match(text, /Ports closed: 1\n5432\/tcp/);
  assert.match(text, /Findings fixed: \d+[\s\S]*database `postgres` publishes port 5432/);
  assert.match(text, /Reachable pairs added: \d+[\s\S]*text-classifier → api/);
  assert.match(text, /Reachable pairs removed: \d+[\s\S]*text-classifier → speech-to-text/);
  // The diagram marks what changed: the moved classifier, the database that no longer publishes.
  for (const name of ['text-classifier', 'postgres', 'api']) await page.locator(`#diagram-svg g.chg[data-service="${name}"]`).waitFor();
  assert.equal(await page.locator('#diagram-svg g.chg[data-service="clickhouse"]').count(), 0);
  await comparison.screenshot({ path: join(SHOTS, 'comparison.png') });
  await page.locator('.diagram-panel').screenshot({ path: join(SHOTS, 'diagram-changes.png') });

  // A share link holds the design and its baseline in the fragment.
  await page.getByRole('button', { name: 'Share link' }).click();
  const field = page.getByLabel('Share link URL');
  await field.waitFor();
  const link = await field.inputValue();
  assert.ok(link.startsWith(`${srv.url}#tiermap=`), link);
  const design = await savedDesign(page);
  // The link is stale after an edit, so it goes away.
  await page.getByRole('button', { name: 'Undo' }).click();
  await field.waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'Redo' }).click();
  await waitForSaved(page, design);

  const other = await open(b, link);
  await other.page.getByRole('region', { name: 'Tier web_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  await waitForSaved(other.page, design);
  await other.page.getByRole('region', { name: 'Comparison' }).getByText('Exposed ports: 3 ports -> 2 ports, 33% less').waitFor();
  assert.equal(new URL(other.page.url()).hash, '', 'the fragment is dropped once read, so a reload keeps later edits');
  await other.page.reload();
  await other.page.getByRole('region', { name: 'Comparison' }).getByText('3 ports -> 2 ports').waitFor();
  assert.deepEqual(other.errors, []);
  assertLocal(other.requests, srv.url);
  await other.context.close();

  // A cut-off link says so and leaves a working page.
  const broken = await open(b, link.slice(0, link.length - 40));
  await broken.page.getByRole('alert').getByText('share link').waitFor();
  await broken.page.getByLabel('Template').first().selectOption('three-tier');
  await broken.page.getByRole('region', { name: 'Tier app-net' }).waitFor();
  await broken.context.close();

  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

test('undo ten edits and redo them; panel edits keep the focus', async () => {
  const { context, page, errors } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  await page.getByRole('region', { name: 'Tier ml_tier' }).waitFor();
  const start = await savedDesign(page);
  const moves = ['web_tier', 'ml_tier', 'job_tier', 'infrastructure_tier', 'web_tier'];
  for (const service of ['text-classifier', 'speech-to-text']) {
    for (const tier of moves) {
      await page.getByRole('button', { name: `Menu for ${service}`, exact: true }).click();
      await page.getByRole('menuitem', { name: `Move ${service} to ${tier}`, exact: true }).click();
      await page.getByRole('region', { name: `Tier ${tier}` }).getByRole('group', { name: `Service ${service}` }).waitFor();
    }
  }
  const end = await savedDesign(page);
  assert.notEqual(end, start);
  // Half by the button, half by the keyboard.
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Undo' }).click();
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < 5; i++) await page.keyboard.press('Control+z');
  await waitForSaved(page, start);
  await page.getByRole('region', { name: 'Tier ml_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  for (let i = 0; i < 5; i++) await page.keyboard.press('Control+Shift+z');
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Redo' }).click();
  await waitForSaved(page, end);
  assert.equal(await page.getByRole('button', { name: 'Redo' }).isDisabled(), true);

  // Tab from one field to the next after an edit: the edit re-renders only its own row.
  await page.getByRole('group', { name: 'Service api' }).getByRole('button').first().click();
  await page.getByLabel('Image', { exact: true }).fill('example/gateway:2');
  await page.getByLabel('Image', { exact: true }).press('Tab');
  await page.getByRole('group', { name: 'Service api' }).getByText('gateway').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Replicas');
  await page.getByLabel('Replicas', { exact: true }).fill('4');
  await page.getByLabel('Replicas', { exact: true }).press('Enter');
  await page.getByRole('group', { name: 'Service api' }).getByText('×4').waitFor();
  // The image keeps the template's plain style: an edit changes the value, not how it is written.
  assert.match(await savedDesign(page), /\n  api:\n    image: example\/gateway:2\n(?:(?!\n  websocket:)[\s\S])*replicas: 4\n/);

  assert.deepEqual(errors, []);
  await context.close();
});

test('presentation mode: the diagram and figures fill the screen; findings step one by one', async () => {
  const { context, page, errors } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  await page.getByRole('region', { name: 'Tier ml_tier' }).waitFor();
  // Publish the database, so the first finding (errors come first) names a service.
  await publishPostgres(page);

  await page.getByRole('button', { name: 'Present' }).click();
  const bar = page.getByRole('region', { name: 'Presentation' });
  await bar.getByText(/Finding 1 of \d+/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Download stack file' }).isVisible(), false, 'editing chrome is hidden');
  assert.equal(await page.getByRole('region', { name: 'Tier web_tier' }).isVisible(), false);
  assert.match(await bar.innerText(), /3\s*exposed ports/);
  assert.match(await bar.innerText(), /database `postgres` publishes port 5432/);
  // The finding's service is selected, so the diagram highlights it.
  await page.locator('#diagram-svg g.sel[data-service="postgres"]').waitFor();
  // The canvas is the drawing as shown (the <svg> in it is larger, and scaled).
  const box = await page.locator('#diagram-canvas').boundingBox();
  // It fills the 1400 x 1000 window: its width, or its height below the bar.
  assert.ok(box.width > 1190 || box.height > 700, `the diagram fills the screen (${box.width} x ${box.height} px)`);
  await page.screenshot({ path: join(SHOTS, 'present.png') });

  const total = Number((await bar.innerText()).match(/Finding 1 of (\d+)/)[1]);
  await page.keyboard.press('ArrowRight');
  await bar.getByText(`Finding 2 of ${total}`).waitFor();
  await bar.getByRole('button', { name: 'Previous finding' }).click();
  await bar.getByText(`Finding 1 of ${total}`).waitFor();
  for (let i = 0; i < total + 2; i++) await page.keyboard.press('ArrowRight');
  await bar.getByText(`Finding ${total} of ${total}`).waitFor();

  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Download stack file' }).waitFor();
  assert.equal(await bar.isVisible(), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('accept a finding with a note; download the report as HTML and Markdown, the diagram as PNG', async () => {
  const { context, page, errors, requests } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  await page.getByRole('region', { name: 'Tier ml_tier' }).waitFor();
  await page.getByRole('button', { name: 'Set baseline' }).click();
  await publishPostgres(page);
  await page.getByRole('region', { name: 'Comparison' }).getByText('2 ports -> 3 ports, 50% more').waitFor();

  // The decision: accepted, with the room's reason, kept in the design.
  const note = 'BI team reads it over the VPN until March <b>&';
  const finding = page.getByRole('list', { name: 'Findings' }).getByRole('listitem').filter({ hasText: 'database `postgres` publishes port 5432' });
  page.once('dialog', (d) => d.accept(note));
  await finding.getByRole('button', { name: 'Accept…' }).click();
  await finding.getByText(`Accepted: ${note}`).waitFor();
  await page.waitForFunction((n) => localStorage.getItem('tiermap.design').includes(n), 'BI team reads it over the VPN');

  const [html] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download report', exact: true }).click()]);
  assert.equal(html.suggestedFilename(), 'scores-review.html');
  const htmlPath = join(SHOTS, 'scores-review.html');
  await html.saveAs(htmlPath);
  const report = readFileSync(htmlPath, 'utf8');
  for (const part of ['<h1>Architecture review: scores</h1>', '<figure><svg', '<h2>Compared with the baseline</h2>', '2 ports -&gt; 3 ports, 50% more', '<h2>Who reaches whom</h2>', '<h2>Decisions</h2>', 'BI team reads it over the VPN until March &lt;b&gt;&amp;']) {
    assert.ok(report.includes(part), `the HTML report has ${part}`);
  }
  // Open it as a reader would, print it, and look at it: no request, no script.
  const reader = await context.newPage();
  const readerRequests = [];
  reader.on('request', (r) => readerRequests.push(r.url()));
  await reader.goto(`file://${htmlPath}`);
  assert.equal(await reader.locator('script').count(), 0);
  assert.ok(await reader.locator('figure svg g[data-service="postgres"]').count() > 0, 'the diagram is in the report');
  const pdf = await reader.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10000, `the report prints (${pdf.length} bytes of PDF)`);
  await reader.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
  assert.deepEqual(readerRequests.filter((u) => !u.startsWith('file:')), []);

  // The diagram as SVG: core's drawing as a file of its own.
  const [svgFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram (SVG)' }).click()]);
  assert.equal(svgFile.suggestedFilename(), 'scores.svg');
  const svgText = readFileSync(await svgFile.path(), 'utf8');
  assert.match(svgText, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
  assert.ok(svgText.includes('class="flow') && svgText.includes('data-service="postgres"'), 'the SVG has the arrows and cards');

  // The diagram as PNG: twice the drawing's size, and a picture, not a blank canvas.
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram (PNG)' }).click()]);
  assert.equal(png.suggestedFilename(), 'scores.png');
  const pngPath = join(SHOTS, 'scores-diagram.png');
  await png.saveAs(pngPath);
  const bytes = readFileSync(pngPath);
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  const drawingWidth = Number(await page.locator('#diagram-canvas').evaluate((c) => c.style.getPropertyValue('--w')));
  assert.ok(drawingWidth > 300, `the drawing's width (${drawingWidth} px)`);
  assert.equal(bytes.readUInt32BE(16), drawingWidth * 2);
  const inked = await reader.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) n++;
    return n / (d.length / 4);
  }, `data:image/png;base64,${bytes.toString('base64')}`);
  assert.ok(inked > 0.05, `the PNG shows the diagram (${(inked * 100).toFixed(1)}% of pixels drawn)`);

  const [md] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download report as Markdown' }).click()]);
  assert.equal(md.suggestedFilename(), 'scores-review.md');
  const mdPath = join(SHOTS, 'scores-review.md');
  await md.saveAs(mdPath);
  const minutes = readFileSync(mdPath, 'utf8');
  assert.match(minutes, /^# Architecture review: scores\n/);
  assert.match(minutes, /Exposed ports: 2 ports -> 3 ports, 50% more\./);
  assert.match(minutes, /\| database `postgres` publishes port 5432[^\n]*\| BI team reads it over the VPN until March &lt;b>&amp; \|/);
  // The diagram block is Mermaid that Mermaid's own parser accepts.
  const mermaid = minutes.match(/```mermaid\n([\s\S]*?)```/)[1];
  const mmdPath = join(SHOTS, 'scores-review.mmd');
  writeFileSync(mmdPath, mermaid);
  execFileSync('node', [join(ROOT, 'tests', 'mermaid', 'parse.mjs'), mmdPath], { stdio: 'pipe' });

  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

test('a design too large for a link says so and points to the file', async () => {
  const { context, page, errors } = await open(b, srv.url);
  // Image digests do not compress: 1,500 of them cannot fit in 16,000 characters.
  let seed = 7;
  const hex = () => Array.from({ length: 16 }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) >> 16 & 15).toString(16)).join('');
  const huge = bigStack(1500, 50).replace(/image: example\/svc(\d+):1/g, () => `image: example/app@sha256:${hex()}${hex()}`);
  await page.getByLabel('Import compose file').setInputFiles({ name: 'huge.yml', mimeType: 'application/yaml', buffer: Buffer.from(huge) });
  await page.getByRole('region', { name: 'Tier tier49' }).waitFor();
  await page.getByRole('button', { name: 'Share link' }).click();
  await page.getByRole('alert').getByText(/too large for a link \(\d+ characters, at most 16000\)\. Share the stack file instead/).waitFor();
  assert.equal(await page.getByLabel('Share link URL').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
