// The designer page in real Chromium: templates, import, drag and drop, live analysis,
// download validated by the real docker CLI, reload, broken input, and no network use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, browser, open, bigStack, ROOT, SHOTS, assertLocal, publishPostgres, watchLateChanges, lateChanges } from './harness.mjs';

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

/** The lists and the diagram as the page shows them, with nothing selected. A finding's
 * line number is left out: a reload reads the saved file, whose lines differ from the
 * imported one's (and an edit made in the page has none). */
async function rendered(page) {
  // A click on the diagram's background clears the selection (dispatched: on a tall
  // diagram the sticky toolbar covers its top edge).
  await page.locator('#diagram-svg > g > rect').first().dispatchEvent('click');
  const html = await page.evaluate(() => Object.fromEntries(['tier-boxes', 'findings-list', 'reach-rows', 'diagram-svg'].map((id) => [id, document.getElementById(id).outerHTML])));
  html['findings-list'] = html['findings-list'].replace(/<span class="muted">line \d+<\/span>/g, '<span class="muted"></span>');
  return html;
}

/** The diagram as the page shows it, part by part, and as its download writes it (core's
 * one drawing): each part the page keyed is put back in its place. */
async function assertDiagramIsItsDrawing(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram (SVG)' }).click()]);
  const svg = readFileSync(await download.path(), 'utf8');
  const { shown, drawn } = await page.evaluate((svg) => {
    const parsed = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
    const drawn = [...parsed.children].map((part) => document.importNode(part, true).outerHTML).join('');
    const shown = [...document.getElementById('diagram-svg').children]
      .map((holder) => {
        const part = holder.firstElementChild.outerHTML;
        const at = holder.getAttribute('transform');
        return at === null ? part : `<g transform="${at}"${part.slice(2)}`;
      })
      .join('');
    return { shown, drawn };
  }, svg);
  assert.equal(shown, drawn, 'the diagram shown differs from its drawing');
}

/** The view, patched row by row through a series of edits, is exactly what a fresh
 * page draws for the same design (the reload restores it from local storage). The
 * diagram is its own drawing: after edits it keeps cards where they were, and a fresh
 * page lays the design out afresh. */
async function assertPatchedEqualsFresh(page) {
  await assertDiagramIsItsDrawing(page);
  const patched = await rendered(page);
  await page.reload();
  await page.getByLabel('Template').first().waitFor();
  await page.locator('#diagram-svg > g > rect').first().waitFor();
  const fresh = await rendered(page);
  delete patched['diagram-svg'];
  delete fresh['diagram-svg'];
  for (const id of Object.keys(fresh)) assert.equal(patched[id], fresh[id], `${id} after edits differs from a fresh render`);
}


/** Update times (ms) as their median, 90th percentile and maximum, then each one. */
function spread(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `median ${at(0.5)} ms, 90th percentile ${at(0.9)} ms, max ${at(1)} ms (${times.map((t) => t.toFixed(1)).join(', ')})`;
}

/** Drags `service` to each tier in turn and returns each update's time (ms). The page
 * changes nothing after it publishes a figure (else the figure would leave work out). */
async function dragTimes(page, service, tiers) {
  const times = [];
  for (const tier of tiers) {
    await watchLateChanges(page);
    await page.getByRole('group', { name: `Service ${service}` }).dragTo(page.getByRole('region', { name: `Tier ${tier}` }));
    await page.getByRole('region', { name: `Tier ${tier}` }).getByRole('group', { name: `Service ${service}` }).waitFor();
    times.push(Number(await page.evaluate(() => document.body.dataset.lastUpdateMs)));
    assert.equal(await lateChanges(page), 0, `the view changed after the time of the move to ${tier} was taken`);
  }
  return times;
}

test('template, drag to another tier, live reachability, download, reload', async () => {
  const { context, page, errors, requests } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  for (const tier of ['web_tier', 'infrastructure_tier', 'job_tier', 'ml_tier']) {
    await page.getByRole('region', { name: `Tier ${tier}` }).waitFor();
  }
  const openMs = Number(await page.evaluate(() => document.body.dataset.lastUpdateMs));
  console.log(`# open the scores template: ${openMs.toFixed(1)} ms`);
  assert.ok(openMs > 0, 'opening a template publishes its update time');
  const surface = page.getByRole('region', { name: 'Exposed surface' });
  assert.match(await surface.innerText(), /2 exposed ports/);
  const matrix = page.getByRole('table', { name: 'Reachability' });
  await matrix.waitFor();
  assert.equal(await matrix.getByLabel('text-classifier → api via web_tier').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'scores.png'), fullPage: true });
  // The diagram's contract classes, drawn by core and shown in the page (on screen:
  // the panel below the fold is not rendered until it is scrolled to).
  await page.locator('#diagram-canvas').scrollIntoViewIfNeeded();
  for (const part of ['path.flow', 'rect.card', '.lbl']) {
    const shown = await page.locator(`#diagram-svg ${part}`).evaluateAll((all) => all.filter((e) => {
      const box = e.getBoundingClientRect();
      return e.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && box.width + box.height > 0;
    }).length);
    assert.ok(shown > 0, `#diagram-svg ${part} is visible`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));

  // Drag text-classifier from ml_tier to web_tier: it now reaches the API.
  await watchLateChanges(page);
  const card = page.getByRole('group', { name: 'Service text-classifier' });
  await card.dragTo(page.getByRole('region', { name: 'Tier web_tier' }));
  await page.getByRole('region', { name: 'Tier web_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Tier ml_tier' }).getByRole('group', { name: 'Service text-classifier' }).count(), 0);
  await matrix.getByLabel('text-classifier → api via web_tier').waitFor();
  const dragMs = Number(await page.evaluate(() => document.body.dataset.lastUpdateMs));
  assert.equal(await lateChanges(page), 0, 'the view changed after the time of the first drag was taken');
  // Later drags, once the engine has compiled the hot code: what a person feels. A dozen,
  // so that the median and the slow tail both show through this machine's noise.
  const round = ['job_tier', 'web_tier', 'ml_tier', 'web_tier'];
  const later = await dragTimes(page, 'text-classifier', [...round, ...round, ...round]);
  console.log(`# drag update, scores template: first ${dragMs.toFixed(1)} ms, then ${spread(later)} (target 16 ms)`);
  // Panels below the fold are laid out when scrolled to; in a window tall enough to
  // show them all, every drag lays out everything (printed, for the record).
  await page.setViewportSize({ width: 1400, height: 2600 });
  // Two frames, so that the panels the taller window shows are laid out before a drag
  // is timed (content-visibility leaves them until they are on screen).
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const tall = ['job_tier', 'ml_tier', 'web_tier'];
  const everything = await dragTimes(page, 'text-classifier', [...tall, ...tall]);
  await page.setViewportSize({ width: 1400, height: 1000 });
  console.log(`# drag update, scores template, every panel on screen: ${spread(everything)}`);
  assert.ok(dragMs > 0 && dragMs < 250, `drag update took ${dragMs} ms`);
  // The websocket still calls it; speech-to-text is now alone on ml_tier.
  const findings = page.getByRole('list', { name: 'Findings' });
  await findings.waitFor();

  // Publish a port on postgres from the side panel: the surface grows and a finding appears.
  await publishPostgres(page);
  await findings.getByText('database `postgres` publishes port 5432').first().waitFor();
  await page.screenshot({ path: join(SHOTS, 'scores-edited.png'), fullPage: true });

  // Undo takes the three port edits back (add, target, published), redo restores them.
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('region', { name: 'Exposed surface' }).getByText('2 exposed ports').waitFor();
  assert.equal(await findings.getByText('database `postgres` publishes').count(), 0);
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Redo' }).click();
  await findings.getByText('database `postgres` publishes port 5432 on 5432').first().waitFor();

  // Download the stack file and validate it with the real docker CLI.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stack file' }).click()]);
  assert.equal(download.suggestedFilename(), 'scores.yml');
  const saved = join(SHOTS, 'downloaded-scores.yml');
  await download.saveAs(saved);
  const yaml = readFileSync(saved, 'utf8');
  // text-classifier moved: its networks in the file say so.
  assert.match(yaml, /text-classifier:[\s\S]*?networks:\s*\n\s*- web_tier/);
  execFileSync('docker', ['stack', 'config', '-c', saved], { stdio: 'pipe' });

  // Reload: the design is as it was, drawn exactly as the edits left it.
  await assertPatchedEqualsFresh(page);
  await page.getByRole('region', { name: 'Tier web_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  assert.match(await page.getByRole('region', { name: 'Exposed surface' }).innerText(), /3 exposed ports/);


  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

test('import a real compose file, keyboard move, broken YAML keeps its text', async () => {
  const { context, page, errors, requests } = await open(b, srv.url);
  const file = join(ROOT, 'core', 'tests', 'corpus', 'dockersamples__example-voting-app__docker-stack.yml');
  await page.getByLabel('Import compose file').setInputFiles(file);
  await page.getByRole('region', { name: 'Tier frontend' }).waitFor();
  await page.getByRole('region', { name: 'Tier backend' }).getByRole('group', { name: 'Service db' }).waitFor();
  assert.match(await page.getByRole('region', { name: 'Exposed surface' }).innerText(), /2 exposed ports/);

  // A file dropped anywhere on the page is imported too.
  const dropped = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'three-tier.yml', { type: 'application/yaml' }));
    return dt;
  }, readFileSync(join(ROOT, 'core', 'templates', 'three-tier.yml'), 'utf8'));
  await page.dispatchEvent('.workspace', 'drop', { dataTransfer: dropped });
  await page.getByRole('region', { name: 'Tier app-net' }).waitFor();
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('region', { name: 'Tier frontend' }).waitFor();

  // The keyboard way: the card's menu moves the worker to the frontend tier.
  await page.getByRole('button', { name: 'Menu for worker' }).click();
  await page.getByRole('menuitem', { name: 'Move worker to frontend' }).click();
  await page.getByRole('region', { name: 'Tier frontend' }).getByRole('group', { name: 'Service worker' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'voting-app.png'), fullPage: true });

  // Broken YAML: an error with line and column, and the pasted text is kept.
  await page.getByRole('button', { name: 'Paste YAML' }).click();
  const broken = 'services:\n  api:\n    image: [unclosed\n';
  await page.getByLabel('YAML to import').fill(broken);
  await page.getByRole('button', { name: 'Import pasted YAML' }).click();
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.match(await alert.innerText(), /line \d+, column \d+/);
  assert.equal(await page.getByLabel('YAML to import').inputValue(), broken);
  // The text can be kept as a file, exactly as typed.
  const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download this text' }).click()]);
  assert.equal(saved.suggestedFilename(), 'pasted.yml');
  assert.equal(readFileSync(await saved.path(), 'utf8'), broken);
  // The design behind is untouched.
  await page.getByRole('region', { name: 'Tier frontend' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'broken-yaml.png'), fullPage: true });

  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

test('add a tier and a service from the keyboard; a refused name stays in its field', async () => {
  const { context, page, errors } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('three-tier');
  await page.getByRole('region', { name: 'Tier app-net' }).waitFor();
  const tierName = page.getByLabel('New tier name');
  await tierName.fill('cache_tier');
  await tierName.press('Enter');
  await page.getByRole('region', { name: 'Tier cache_tier' }).waitFor();
  assert.equal(await tierName.inputValue(), '');

  // A name swarm would refuse: the reason is shown and the text is kept to correct.
  await tierName.fill('bad name!');
  await tierName.press('Enter');
  await page.getByRole('alert').first().waitFor();
  assert.equal(await tierName.inputValue(), 'bad name!');

  await page.getByLabel('New service name').fill('redis');
  await page.getByLabel('New service image').fill('redis:7');
  await page.getByLabel('Tier for the new service').selectOption('cache_tier');
  await page.getByLabel('New service image').press('Enter');
  await page.getByRole('region', { name: 'Tier cache_tier' }).getByRole('group', { name: 'Service redis' }).waitFor();
  assert.equal(await page.getByLabel('New service name').inputValue(), '');
  // The new service is selected and its image is what was typed.
  assert.equal(await page.getByLabel('Image', { exact: true }).inputValue(), 'redis:7');
  // The tier chosen for the next service stays chosen while the design changes.
  assert.equal(await page.getByLabel('Tier for the new service').inputValue(), 'cache_tier');

  // Deleting the file's first tier (coloured first) recolours no other box of the
  // diagram, though every other tier's place in the file moves up.
  const colors = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#diagram-svg g[data-tier] > rect.tier')]
    .map((r) => [r.parentElement.dataset.tier, r.getAttribute('class')])));
  const before = await colors();
  const first = Object.keys(before).find((k) => before[k] === 'tier p0');
  await page.getByRole('region', { name: `Tier ${first}`, exact: true }).locator('button.tier-title').click();
  await page.getByRole('button', { name: `Delete tier ${first}` }).click();
  await page.locator(`#diagram-svg g[data-tier="${first}"]`).waitFor({ state: 'detached' });
  const after = await colors();
  delete before[first];
  assert.ok(Object.keys(before).length >= 1, JSON.stringify(before));
  assert.deepEqual(after, before);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a corrupt saved design shows a message and starts clean', async () => {
  const { context, page, errors } = await open(b, srv.url);
  await page.evaluate(() => localStorage.setItem('tiermap.design', 'services: [this is: not: a compose file'));
  await page.reload();
  await page.getByLabel('Template').first().waitFor();
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not be read/);
  // The saved text is kept for the person to repair.
  assert.match(await page.getByLabel('YAML to import').inputValue(), /this is: not/);
  await page.getByLabel('Template').first().selectOption('three-tier');
  await page.getByRole('region', { name: 'Tier app-net' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a browser that stops saving says so once, and the design stays on the page', async () => {
  const { context, page, errors } = await open(b, srv.url);
  // As a full storage does: every write throws while `__full` is set.
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (window.__full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  });
  await page.reload();
  const template = page.getByLabel('Template').first();
  await template.selectOption('three-tier');
  await page.waitForFunction(() => (localStorage.getItem('tiermap.design') ?? '').includes('app-net'));
  assert.equal(await page.getByRole('alert').count(), 0);
  await page.evaluate(() => { window.__full = true; });
  await template.selectOption('scores');
  await page.getByRole('region', { name: 'Tier web_tier' }).waitFor();
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.match(await alert.innerText(), /no longer saves the design .*Download the stack file/);
  // Once: dismissed, it does not come back with the next edit while storage stays full.
  await page.getByRole('button', { name: 'Dismiss message' }).click();
  await template.selectOption('envoy-edge');
  await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
  assert.equal(await page.getByRole('alert').count(), 0);
  // The design on the page is the one edited, and the stack file still downloads.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stack file' }).click()]);
  assert.match(readFileSync(await download.path(), 'utf8'), /envoy/);
  // Storage back: the next change is saved again.
  await page.evaluate(() => { window.__full = false; });
  await template.selectOption('three-tier');
  await page.waitForFunction(() => (localStorage.getItem('tiermap.design') ?? '').includes('app-net'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('200 services: a move updates the view quickly', async () => {
  const { context, page, errors } = await open(b, srv.url);
  // The file is opened as one picked in a file dialog is: seconds after the page has
  // compiled its code ahead. Right after that, V8 is still optimising it in the
  // background, and the figure swings from 2.6 to 10.8 ms on two cores; two seconds
  // later, 2.9 to 4.8 ms.
  await page.waitForFunction(() => document.body.dataset.warmMs !== undefined);
  const warmMs = Number(await page.evaluate(() => document.body.dataset.warmMs));
  await page.waitForTimeout(2000);
  await page.getByLabel('Import compose file').setInputFiles({ name: 'big.yml', mimeType: 'application/yaml', buffer: Buffer.from(bigStack(200, 20)) });
  await page.getByRole('region', { name: 'Tier tier19' }).waitFor();
  const importMs = Number(await page.evaluate(() => document.body.dataset.lastUpdateMs));
  const layoutMs = () => page.evaluate(() => Number(document.body.dataset.lastLayoutMs));
  console.log(`# import, 200 services on 20 tiers: ${importMs.toFixed(1)} ms, of which the diagram's fresh layout ${(await layoutMs()).toFixed(1)} ms (wasm; target 10 ms); code compiled ahead ${warmMs.toFixed(0)} ms after navigation`);
  const times = [];
  const layouts = [];
  // The card menu runs the same move as a drop (Playwright's HTML5 drag loses its
  // target when the page must scroll between two cards of a long board).
  for (const [service, tier] of [['svc5', 'tier2'], ['svc9', 'tier14'], ['svc13', 'tier19']]) {
    await page.getByRole('button', { name: `Menu for ${service}`, exact: true }).click();
    await watchLateChanges(page);
    await page.getByRole('menuitem', { name: `Move ${service} to ${tier}`, exact: true }).click();
    await page.getByRole('region', { name: `Tier ${tier}`, exact: true }).getByRole('group', { name: `Service ${service}`, exact: true }).waitFor();
    times.push(Number(await page.evaluate(() => document.body.dataset.lastUpdateMs)));
    layouts.push(await layoutMs());
    assert.equal(await lateChanges(page), 0, `the view changed after the time of the move to ${tier} was taken`);
  }
  console.log(`# drag update, 200 services: ${times.map((t) => t.toFixed(1)).join(', ')} ms (target 50 ms); the diagram's re-layout in it: ${layouts.map((t) => t.toFixed(1)).join(', ')} ms (target 16 ms)`);
  assert.ok(Math.min(...times) < 1000, `updates took ${times}`);
  await page.screenshot({ path: join(SHOTS, 'big.png') });
  assert.equal(await page.locator('#diagram-svg g[data-service]').count(), 200);
  await assertPatchedEqualsFresh(page);
  // The next file opened: a fresh layout again, its code run hot by now.
  await page.getByLabel('Import compose file').setInputFiles({ name: 'big2.yml', mimeType: 'application/yaml', buffer: Buffer.from(bigStack(200, 21)) });
  await page.getByRole('region', { name: 'Tier tier20' }).waitFor();
  console.log(`# fresh layout of the next 200-service file: ${(await layoutMs()).toFixed(1)} ms (wasm; target 10 ms)`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('navigation to an interactive scores design, in a fresh browser', async () => {
  // The scores design as the page saves it, then a fresh context (no cache) that has
  // it in its storage, as a person reopening the page would.
  const first = await open(b, srv.url);
  await first.page.getByLabel('Template').first().selectOption('scores');
  await first.page.getByRole('region', { name: 'Tier ml_tier' }).waitFor();
  await first.page.waitForFunction(() => (localStorage.getItem('tiermap.design') ?? '').includes('text-classifier'));
  const saved = await first.page.evaluate(() => [localStorage.getItem('tiermap.design'), localStorage.getItem('tiermap.name')]);
  await first.context.close();

  const context = await b.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(([design, name]) => {
    if (!localStorage.getItem('tiermap.design')) {
      localStorage.setItem('tiermap.design', design);
      localStorage.setItem('tiermap.name', name);
    }
  }, saved);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(srv.url);
  await page.waitForFunction(() => document.body.dataset.readyMs);
  const ready = Number(await page.evaluate(() => document.body.dataset.readyMs));
  await page.getByRole('region', { name: 'Tier ml_tier' }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
  console.log(`# navigation to an interactive scores design: ${ready.toFixed(1)} ms (fresh context, page served on loopback)`);
  assert.ok(ready > 0 && ready < 5000, `ready after ${ready} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a port or replica count out of range is refused beside its field; the design is unchanged', async () => {
  const { context, page, errors } = await open(b, srv.url);
  await page.getByLabel('Template').first().selectOption('scores');
  await page.getByRole('group', { name: 'Service postgres' }).getByRole('button').first().click();
  await page.getByRole('button', { name: 'Add port' }).click();
  await page.getByLabel('Published port 1').waitFor();
  await page.waitForFunction(() => (localStorage.getItem('tiermap.design') ?? '').includes('target: 80'));
  const saved = () => page.evaluate(() => localStorage.getItem('tiermap.design'));
  const before = await saved();
  const surface = await page.getByRole('region', { name: 'Exposed surface' }).innerText();

  const refused = async (label, text, reason) => {
    const field = page.getByLabel(label, { exact: true });
    await field.fill(text);
    await field.press('Enter');
    // The reason sits beside the field, which keeps what was typed.
    const cell = field.locator('xpath=..');
    await cell.getByRole('alert').getByText(reason).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.inputValue(), text);
  };
  await refused('Published port 1', '70000', '70000 is not a port: ports run from 1 to 65535');
  await refused('Target port 1', '0', '0 is not a port: ports run from 1 to 65535');
  await refused('Replicas', '-1', '-1 replicas cannot run');
  await page.getByLabel('Flow to service').selectOption('api');
  await refused('Flow port', '99999', '99999 is not a port');
  await page.getByLabel('Route host').fill('db.example.com');
  await refused('Route port', '', 'a port is needed here');
  await page.waitForTimeout(100);
  assert.equal(await saved(), before, 'no refused edit reached the design');
  assert.equal(await page.getByRole('region', { name: 'Exposed surface' }).innerText(), surface);

  // Corrected, the same field is taken and its message goes.
  const published = page.getByLabel('Published port 1', { exact: true });
  await published.fill('5432');
  await published.press('Enter');
  await page.getByRole('region', { name: 'Exposed surface' }).getByText('5432/tcp').waitFor();
  assert.equal(await published.getAttribute('aria-invalid'), 'false');
  assert.equal(await published.locator('xpath=..').getByRole('alert').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a port range is one row, one card line and one surface row, edited as a whole', async () => {
  const { context, page, errors } = await open(b, srv.url);
  // A VoIP server's media ports: ten thousand and one ports, written once.
  const pbx = 'services:\n  pbx:\n    image: andrius/asterisk:18\n    ports:\n      - "5060:5060/udp"\n      - "10000-20000:10000-20000/udp"  # RTP\n    networks: [voice]\nnetworks:\n  voice: {driver: overlay}\n';
  await page.getByLabel('Import compose file').setInputFiles({ name: 'pbx.yml', mimeType: 'application/yaml', buffer: Buffer.from(pbx) });
  const card = page.getByRole('group', { name: 'Service pbx' });
  await card.waitFor();
  console.log(`# import of a 10,001-port range: ${Number(await page.evaluate(() => document.body.dataset.lastUpdateMs)).toFixed(1)} ms`);
  assert.match(await card.innerText(), /published 5060, 10000-20000\b/);
  const surface = page.getByRole('region', { name: 'Exposed surface' });
  await surface.getByText('10000-20000/udp').waitFor();
  const started = Date.now();
  await card.getByRole('button').first().click();
  await page.getByLabel('Published port 2').waitFor();
  console.log(`# selecting it: ${Date.now() - started} ms`);
  assert.equal(await page.getByLabel(/^Published port \d+$/).count(), 2);
  assert.equal(await page.getByLabel('Target port 2').inputValue(), '10000-20000');
  // A published range of another length is refused beside the field.
  const published = page.getByLabel('Published port 2', { exact: true });
  await published.fill('11000-11005');
  await published.press('Enter');
  await published.locator('xpath=..').getByRole('alert').getByText('6 published ports cannot publish 10001 container ports').waitFor();
  // The whole range moves, and the file changes in that entry only.
  await published.fill('11000-21000');
  await published.press('Enter');
  await surface.getByText('11000-21000/udp').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stack file' }).click()]);
  assert.equal(readFileSync(await download.path(), 'utf8'), pbx.replace('"10000-20000:10000-20000/udp"', '"11000-21000:10000-20000/udp"'));
  // The Export panel asks once for the sources of the whole range, and the firewall
  // allows the range in one rule.
  const exportPanel = page.getByRole('region', { name: 'Export' });
  await exportPanel.getByRole('button', { name: 'Export' }).click();
  const range = exportPanel.getByLabel('Allowed sources for ports 11000-21000', { exact: true });
  await range.fill('198.51.100.0/24');
  assert.equal(await exportPanel.getByLabel(/^Allowed sources for ports? [\d-]+$/).count(), 2);
  await exportPanel.getByLabel('Artifact', { exact: true }).selectOption('nftables');
  await page.waitForFunction(() => {
    const text = document.querySelector('textarea.artifact')?.value ?? '';
    return text.includes('ip saddr { 198.51.100.0/24 } meta l4proto udp ct original proto-dst 11000-21000 accept');
  }, null, { timeout: 10000 });
  // The browser keeps the range's sources as one line, not one per port, and a reload
  // gives them back to the field.
  const saved = await page.evaluate(() => localStorage.getItem('tiermap.export') ?? '');
  assert.deepEqual(saved.split('\n').filter((l) => l.startsWith('allow ')), ['allow 11000-21000\t198.51.100.0/24']);
  await page.reload();
  await page.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
  assert.equal(await page.getByLabel('Allowed sources for ports 11000-21000', { exact: true }).inputValue(), '198.51.100.0/24');
  // A single port becomes a range from its container port field: the published port
  // grows with it.
  await page.getByRole('group', { name: 'Service pbx' }).getByRole('button').first().click();
  const target = page.getByLabel('Target port 1', { exact: true });
  await target.fill('5060-5062');
  await target.press('Enter');
  await page.waitForFunction(() => document.querySelector('[aria-label="Published port 1"]')?.value === '5060-5062');
  assert.match(await page.getByRole('group', { name: 'Service pbx' }).innerText(), /published 5060-5062, 11000-21000\b/);
  assert.deepEqual(errors, []);
  await context.close();
});
