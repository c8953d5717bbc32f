// Minifies wasm-bindgen's JS (and the loader) with terser, which Trunk's own minifier
// cannot parse, and puts each new file's hash in index.html's integrity attribute so
// the browser still accepts it. Saves about 2 KB gzip of page.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('../.tools/package.json', import.meta.url));
const hash = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

/** Minifies every .js file in `dir` and updates `dir`/index.html. */
export async function minifyJs(dir) {
  const { minify } = require('terser');
  const html = join(dir, 'index.html');
  let page = readFileSync(html, 'utf8');
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = join(dir, name);
    const source = readFileSync(file, 'utf8');
    const { code } = await minify(source, { module: true, compress: { passes: 2 }, mangle: true });
    if (!code) throw new Error(`terser returned nothing for ${name}`);
    const before = hash(source);
    // The page pins the file by this hash; a page still naming the old one would not load.
    if (!page.includes(before)) throw new Error(`minify-js: index.html has no ${before} for ${name}`);
    page = page.replaceAll(before, hash(code));
    writeFileSync(file, code);
    console.log(`minify-js: ${name} ${source.length} -> ${code.length} bytes`);
  }
  writeFileSync(html, page);
}
