// Checks Mermaid text with Mermaid's own parser: `node tests/mermaid/parse.mjs FILE...`.
// Mermaid needs a DOM (DOMPurify), so it runs in Debian's Chromium via playwright-core,
// from the npm package in .tools/ (no network). Prints one line per file and exits 1
// when any file fails to parse.
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, '.tools', 'package.json'));
const { chromium } = require('playwright-core');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/mermaid/parse.mjs FILE...');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
let failed = 0;
try {
  const page = await browser.newPage();
  await page.route('**/*', (route) => route.abort());
  await page.setContent('<!doctype html><title>mermaid parse</title>');
  await page.addScriptTag({ path: join(ROOT, '.tools', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js') });
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const result = await page.evaluate(async (t) => {
      try {
        const r = await window.mermaid.parse(t);
        return { ok: true, type: r && r.diagramType };
      } catch (e) {
        return { ok: false, error: String(e && e.message ? e.message : e) };
      }
    }, text);
    if (result.ok) {
      console.log(`ok ${file} (${result.type})`);
    } else {
      failed += 1;
      console.log(`FAIL ${file}: ${result.error}`);
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
