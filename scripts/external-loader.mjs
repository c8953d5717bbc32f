// Moves the inline scripts Trunk writes into index.html (the module that loads the
// WebAssembly, and in `trunk serve` the reload client) into files of their own, pinned
// by an integrity hash, so the page's CSP allows only its own files (`script-src
// 'self'`, no 'unsafe-inline'): even markup from a user's file that reached the DOM
// could not run a script.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Rewrites `dir`/index.html; returns how many scripts moved. */
export function externalLoader(dir) {
  const html = join(dir, 'index.html');
  let count = 0;
  const page = readFileSync(html, 'utf8').replace(/<script([^>]*)>([\s\S]*?)<\/script>/g, (whole, attributes, code) => {
    if (/\ssrc\s*=/.test(attributes) || code.trim() === '') return whole;
    const name = `loader-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
    writeFileSync(join(dir, name), code);
    const integrity = `sha384-${createHash('sha384').update(code).digest('base64')}`;
    count += 1;
    return `<script${attributes} src="./${name}" integrity="${integrity}"></script>`;
  });
  if (/<script(?![^>]*\ssrc\s*=)[^>]*>\s*\S/.test(page)) throw new Error('external-loader: an inline script is left in index.html');
  writeFileSync(html, page);
  return count;
}
