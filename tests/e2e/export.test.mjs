// The Export panel in real Chromium. For every template, every artifact downloaded with
// options typed into the fields is byte for byte what `tiermap export` writes for the
// downloaded stack file with the same options as flags, under the same file name and
// with the same warnings; where the CLI refuses, the page shows its message and no
// file. A bad option shows its reason beside its field, a stack name Docker refuses
// shows the CLI's error, and a drag with the panel open is timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, browser, open, ROOT, SHOTS, assertLocal } from './harness.mjs';

/** The command line, built by scripts/test (cargo build --release -p tiermap-cli). */
const CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'tiermap');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run cargo build --release -p tiermap-cli first`);

function tiermap(args) {
  const run = spawnSync(CLI, args, { encoding: 'buffer' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString('utf8') };
}

const TEMPLATES = tiermap(['templates']).stdout.toString('utf8').trim().split('\n').map((l) => l.split(/\s+/)[0]);
const ARTIFACTS = ['stack', 'iptables', 'nftables', 'ufw', 'digitalocean', 'terraform-digitalocean', 'terraform-aws', 'hcloud', 'verify', 'traefik', 'dfp', 'envoy', 'mermaid'];

/** Options that are not the defaults, as typed into the page (lists separated by commas
 * and spaces) and as the CLI's repeated flags. */
const TYPED = {
  'Node role': 'manager',
  'Peer CIDRs': '10.0.0.0/24, 10.0.1.7 fd00:1::/64',
  'Admin CIDRs': '203.0.113.0/24,2001:db8::/48',
  'Cloud tag': 'swarm-prod',
  'Probe image': 'registry.example.com/tools/busybox:1.36',
};
const ALLOWED = '198.51.100.0/24, 2001:db8:1::/48';
const FLAGS = ['--role', 'manager', '--peer', '10.0.0.0/24', '--peer', '10.0.1.7', '--peer', 'fd00:1::/64', '--admin', '203.0.113.0/24', '--admin', '2001:db8::/48', '--tag', 'swarm-prod', '--probe-image', 'registry.example.com/tools/busybox:1.36'];

const OUT = join(SHOTS, 'export');
let srv;
let b;
before(async () => {
  srv = await serve();
  b = await browser();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});
after(async () => {
  await b?.close();
  srv?.server.close();
});

/** Opens a template and the Export panel. */
async function openPanel(page, template) {
  await page.getByLabel('Template').first().selectOption(template);
  await page.getByRole('region', { name: /^Tier / }).first().waitFor();
  const panel = page.getByRole('region', { name: 'Export' });
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  await panel.getByLabel('Artifact', { exact: true }).waitFor();
  return panel;
}

/** Selects an artifact and lets the preview follow. */
async function choose(panel, slug) {
  await panel.getByLabel('Artifact', { exact: true }).selectOption(slug);
  await panel.page().evaluate(() => new Promise((done) => requestAnimationFrame(() => done())));
}

/** Downloads the artifact in the preview: its name and bytes. Chromium here drops about
 * one download in eleven when they come in quick succession (the page's own "Download
 * stack file" and a plain data: link alike), so a click without a download within a few
 * seconds is made once more. */
async function download(panel) {
  const button = panel.getByRole('button', { name: 'Download artifact' });
  if (await button.isDisabled()) throw new Error(`no file to download: ${await panel.getByRole('alert').innerText()}`);
  const page = panel.page();
  const attempt = (timeout) => Promise.all([page.waitForEvent('download', { timeout }), button.click()]);
  const [file] = await attempt(5000).catch(() => attempt(20000));
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** The warnings shown beside the preview. */
async function warnings(panel) {
  const list = panel.getByRole('list', { name: 'Warnings' });
  if (!(await list.isVisible())) return [];
  return list.getByRole('listitem').allInnerTexts();
}

for (const template of TEMPLATES) {
  test(`${template}: every artifact downloads as tiermap export writes it`, async () => {
    const { context, page, errors, requests } = await open(b, srv.url);
    const panel = await openPanel(page, template);
    for (const [label, value] of Object.entries(TYPED)) {
      const field = panel.getByLabel(label, { exact: true });
      if (label === 'Node role') await field.selectOption(value);
      else await field.fill(value);
    }
    // Sources for the first published port, when the design publishes one.
    const flags = [...FLAGS];
    const allow = panel.getByLabel(/^Allowed sources for port \d+$/);
    if ((await allow.count()) > 0) {
      const field = allow.first();
      const port = (await field.getAttribute('id')).replace('export-allow-', '');
      await field.fill(ALLOWED);
      flags.push('--allow', `${port}=${ALLOWED.replace(/ /g, '')}`);
    }

    // The stack file, downloaded: the CLI reads it back (and the stack name from its name).
    await choose(panel, 'stack');
    const stack = await download(panel);
    const dir = join(OUT, template);
    mkdirSync(dir, { recursive: true });
    const stackFile = join(dir, stack.name);
    writeFileSync(stackFile, stack.bytes);

    let compared = 0;
    let refused = 0;
    const refusedSlugs = [];
    for (const traefik of ['v3', 'v2']) {
      await panel.getByLabel('Traefik version', { exact: true }).selectOption(traefik);
      // Traefik v2 changes only the Traefik labels; every artifact is checked with v3.
      for (const slug of traefik === 'v3' ? ARTIFACTS : ['traefik']) {
        const out = join(dir, `${slug}-${traefik}`);
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out);
        const cli = tiermap(['export', stackFile, '--to', slug, ...flags, '--traefik', traefik, '-o', out]);
        await choose(panel, slug);
        const what = `${template} ${slug} (traefik ${traefik})`;
        if (cli.status === 0) {
          const [name] = readdirSync(out);
          const got = await download(panel);
          assert.equal(got.name, name, `${what}: file name`);
          assert.ok(got.bytes.equals(readFileSync(join(out, name))), `${what}: the download differs from tiermap export`);
          const cliWarnings = cli.stderr.split('\n').filter((l) => l.startsWith('tiermap: warning: ')).map((l) => l.slice('tiermap: warning: '.length));
          assert.deepEqual(await warnings(panel), cliWarnings, `${what}: warnings`);
          compared += 1;
        } else {
          assert.equal(cli.status, 2, `${what}: ${cli.stderr}`);
          const message = await panel.locator('.export-error').innerText();
          assert.equal(cli.stderr, `tiermap: ${stackFile}: cannot export ${slug}: ${message}\n`, `${what}: the page shows the CLI's error`);
          assert.equal(await panel.getByRole('button', { name: 'Download artifact' }).isDisabled(), true, `${what}: no file`);
          refused += 1;
          refusedSlugs.push(slug);
        }
      }
    }
    console.log(`# ${template}: ${compared} downloads identical to tiermap export, ${refused} refused with the CLI's message`);
    // Only the proxy files need what a design may not have (routes, an Envoy service).
    assert.deepEqual(refusedSlugs.filter((s) => !['traefik', 'dfp', 'envoy'].includes(s)), [], `${template}: refused`);
    if (template === 'scores') {
      await choose(panel, 'digitalocean');
      await panel.screenshot({ path: join(SHOTS, 'export-panel.png') });
    }
    assert.deepEqual(errors, []);
    assertLocal(requests, srv.url);
    await context.close();
  });
}

test('a stack name typed in the panel exports as tiermap export --stack', async () => {
  const { context, page, errors } = await open(b, srv.url);
  const panel = await openPanel(page, 'production');
  await choose(panel, 'stack');
  const stack = await download(panel);
  const stackFile = join(OUT, `renamed-${stack.name}`);
  writeFileSync(stackFile, stack.bytes);
  await panel.getByLabel('Stack name', { exact: true }).fill('review_2');
  for (const slug of ['nftables', 'verify', 'envoy', 'terraform-aws', 'mermaid', 'stack']) {
    await choose(panel, slug);
    const cli = tiermap(['export', stackFile, '--to', slug, '--stack', 'review_2']);
    if (cli.status !== 0) continue;
    const got = await download(panel);
    assert.ok(got.bytes.equals(cli.stdout), `${slug} under stack review_2 differs from tiermap export --stack review_2`);
    if (slug === 'stack') assert.equal(got.name, 'review_2.yml');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a bad option shows its reason beside its field and no file; a stack name Docker refuses shows the CLI error', async () => {
  const { context, page, errors, requests } = await open(b, srv.url);
  const panel = await openPanel(page, 'scores');
  await choose(panel, 'nftables');
  const button = panel.getByRole('button', { name: 'Download artifact' });
  assert.equal(await button.isDisabled(), false);

  // An address out of range: the CLI's reason beside the field, the preview asks for a fix.
  const peers = panel.getByLabel('Peer CIDRs', { exact: true });
  await peers.fill('10.0.0.0/24, 10.0.1.300');
  const reason = panel.locator('#export-peers-reason');
  await reason.waitFor();
  const cli = tiermap(['export', join(ROOT, 'core', 'templates', 'scores.yml'), '--to', 'nftables', '--peer', '10.0.0.0/24', '--peer', '10.0.1.300']);
  assert.equal(cli.status, 2);
  assert.equal(cli.stderr, `tiermap: --peer: ${await reason.innerText()}\n`);
  assert.equal(await peers.getAttribute('aria-invalid'), 'true');
  await panel.getByRole('alert').getByText('Fix the options first: Peer CIDRs.').waitFor();
  assert.equal(await button.isDisabled(), true, 'no download while an option is invalid');
  await page.waitForFunction(() => document.querySelector('textarea.artifact').value === '');
  await panel.screenshot({ path: join(SHOTS, 'export-bad-peer.png') });

  // Every field is checked; the sources of a published port too.
  await panel.getByLabel('Allowed sources for port 443', { exact: true }).fill('0.0.0.0/0 $(reboot)');
  await panel.locator('#export-allow-443-reason').getByText('`$(reboot)` is not an IP address').waitFor();
  await panel.getByRole('alert').getByText('Fix the options first: Peer CIDRs, Allowed sources for port 443.').waitFor();
  await panel.getByLabel('Allowed sources for port 443', { exact: true }).fill('');
  await peers.fill('10.0.0.0/24, 10.0.1.3');
  await reason.waitFor({ state: 'hidden' });
  assert.equal(await button.isDisabled(), false);
  await page.waitForFunction(() => /10\.0\.1\.3/.test(document.querySelector('textarea.artifact').value));

  // A stack name that breaks Docker's rules cannot go into a script: the CLI's error, no file.
  const stackFile = join(OUT, 'scores-named.yml');
  await choose(panel, 'stack');
  writeFileSync(stackFile, (await download(panel)).bytes);
  const bad = 'prod;reboot';
  await panel.getByLabel('Stack name', { exact: true }).fill(bad);
  await choose(panel, 'verify');
  const message = await panel.locator('.export-error').innerText();
  const refused = tiermap(['export', stackFile, '--to', 'verify', '--stack', bad]);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr, `tiermap: ${stackFile}: cannot export verify: ${message}\n`);
  assert.match(message, /prod;reboot/);
  assert.equal(await button.isDisabled(), true);
  await panel.locator('#export-stack-reason').waitFor();

  // The options are kept in the browser: a reload finds them as typed.
  await page.reload();
  await page.getByLabel('Template').first().waitFor();
  await page.getByRole('region', { name: 'Export' }).getByRole('button', { name: 'Export', exact: true }).click();
  assert.equal(await page.getByLabel('Stack name', { exact: true }).inputValue(), bad);
  assert.equal(await page.getByLabel('Peer CIDRs', { exact: true }).inputValue(), '10.0.0.0/24, 10.0.1.3');
  assert.equal(await page.getByLabel('Artifact', { exact: true }).inputValue(), 'verify');

  assert.deepEqual(errors, []);
  assertLocal(requests, srv.url);
  await context.close();
});

/** Update times (ms) as their median and maximum, then each one. */
function spread(times) {
  const sorted = [...times].sort((x, y) => x - y);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (${times.map((t) => t.toFixed(1)).join(', ')})`;
}

test('a drag with the Export panel open: the preview follows, and the update time is printed', async () => {
  const { context, page, errors } = await open(b, srv.url);
  const panel = await openPanel(page, 'scores');
  await choose(panel, 'verify');
  const toggle = panel.getByRole('button', { name: 'Export', exact: true });
  const preview = panel.getByLabel('Artifact preview');
  const drag = async (tier) => {
    // From the top of the page, where the board is (opening the panel scrolled to it):
    // Playwright's HTML5 drag loses its target when the page scrolls during the drag.
    await page.evaluate(() => scrollTo(0, 0));
    await page.getByRole('group', { name: 'Service text-classifier' }).dragTo(page.getByRole('region', { name: `Tier ${tier}` }));
    await page.getByRole('region', { name: `Tier ${tier}` }).getByRole('group', { name: 'Service text-classifier' }).waitFor();
    return Number(await page.evaluate(() => document.body.dataset.lastUpdateMs));
  };
  const first = await drag('web_tier');
  // The verify script now expects the classifier to reach the api on web_tier.
  await page.waitForFunction(() => /scores_web_tier[\s\S]*text-classifier|text-classifier[\s\S]*scores_web_tier/.test(document.querySelector('textarea.artifact').value));
  console.log(`# drag update, scores template, Export panel open on verify: first drag ${first.toFixed(1)} ms`);
  // A window tall enough to show the preview with the board: its text is laid out on every drag.
  const bottom = await preview.evaluate((el) => el.getBoundingClientRect().bottom + scrollY);
  const windows = { 'a 1000 px window (preview below the fold)': 1000, 'a window showing the whole page': Math.ceil(bottom) + 200 };
  // Open and closed alternate round by round, so this machine's noise falls on both alike.
  const round = ['job_tier', 'web_tier', 'ml_tier', 'web_tier'];
  for (const [name, height] of Object.entries(windows)) {
    await page.setViewportSize({ width: 1400, height });
    await page.evaluate(() => scrollTo(0, 0));
    const times = { open: [], closed: [] };
    for (let r = 0; r < 3; r++) {
      for (const state of ['open', 'closed']) {
        if ((await toggle.getAttribute('aria-expanded')) !== String(state === 'open')) await toggle.click();
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
        for (const tier of round) times[state].push(await drag(tier));
      }
    }
    console.log(`# drag update, scores template, ${name}: Export panel open on verify ${spread(times.open)}; closed ${spread(times.closed)} (target 16 ms)`);
  }
  assert.ok(await preview.evaluate((el) => el.getBoundingClientRect().bottom < innerHeight), 'the preview was on screen');
  assert.ok(first > 0 && first < 250, `drag update took ${first} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});
