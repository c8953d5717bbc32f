// The whole page in one file that works when opened from disk (file://), where the
// browser refuses module imports, wasm fetches and integrity checks for the origin
// `null`. Run by post-build.mjs on release builds, after the minifier. The CSS goes into
// a <style>, wasm-bindgen's JS and the loader into one inline module script, and the
// wasm into a base64 data block the module decodes and instantiates from memory. Its CSP
// allows exactly those inline parts (and the diagram's stylesheet the page allows), by
// hash, and no request at all.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fail = (why) => {
  throw new Error(`single-file: ${why}`);
};
const sha256 = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Writes `dir`/tiermap.html from `dir`/index.html and the files it links; returns its size. */
export function singleFile(dir) {
  const page = readFileSync(join(dir, 'index.html'), 'utf8');
  // The files Trunk linked, by what they are (their names carry content hashes).
  const linked = (pattern, what) => (page.match(pattern) ?? fail(`index.html links no ${what}`))[1];
  const cssName = linked(/<link[^>]*href=["']?\.\/([^"' >]+\.css)/, 'stylesheet');
  const jsName = linked(/<link[^>]*href=["']?\.\/([^"' >]+\.js)["' >][^>]*rel=["']?modulepreload/, 'module');
  const wasmName = linked(/<link[^>]*href=["']?\.\/([^"' >]+_bg\.wasm)/, 'wasm');
  // The served page's CSP allows the diagram's own stylesheet (core::diagram) by hash.
  const served = page.match(/style-src ([^;"]*)/) ?? fail('index.html has no style-src');
  const diagramStyles = served[1].split(/\s+/).filter((source) => source.startsWith("'sha256-"));

  const css = readFileSync(join(dir, cssName), 'utf8');
  const js = readFileSync(join(dir, jsName), 'utf8');
  const wasm = readFileSync(join(dir, wasmName));

  // wasm-bindgen's module ends by exporting its init function as `default`; an inline
  // script cannot be imported, so the export goes and the loader calls it by its name.
  const exported = js.match(/export\s*\{([^}]*)\}\s*;?\s*$/) ?? fail(`${jsName} does not end with an export list`);
  const init =
    exported[1]
      .split(',')
      .map((part) => part.trim().split(/\s+as\s+/))
      .find(([, name]) => name === 'default')?.[0] ?? fail(`${jsName} exports no default init`);
  const body = js.slice(0, exported.index);
  // Trunk's loader, with the wasm from the data block below.
  const module = `${body};
const bytes = Uint8Array.from(atob(document.getElementById('tiermap-wasm').textContent), (c) => c.charCodeAt(0));
const wasm = await ${init}({ module_or_path: bytes });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
`;
  if (module.includes('</script')) fail('the module contains </script and cannot be inlined');

  // Nothing is fetched (default-src 'none'); images only from the page's own data and
  // blob URLs (the PNG download draws the diagram through one). The page sets styles
  // through the CSSOM, which the CSP does not govern.
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(module)} 'wasm-unsafe-eval'`,
    `style-src ${[sha256(css), ...diagramStyles].join(' ')}`,
    'img-src data: blob:',
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  let single = page
    // The loader, the links to the separate files and the served page's CSP go.
    .replace(/<script[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<link[^>]*rel=["']?(stylesheet|modulepreload|preload)["']?[^>]*>/g, '')
    .replace(/<meta[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*>/i, '');
  if (/<script|rel=["']?(stylesheet|modulepreload|preload)|Content-Security-Policy/i.test(single)) {
    fail('index.html changed shape: a script, link or CSP is still there');
  }
  const head = `<meta http-equiv="Content-Security-Policy" content="${csp}"><style>${css}</style>`;
  const tail = `<script type="application/octet-stream;base64" id="tiermap-wasm">${wasm.toString('base64')}</script><script type="module">${module}</script>`;
  single = single.replace(/<title>/, `${head}<title>`).replace(/<\/body>/, `${tail}</body>`);
  if (!single.includes(head) || !single.includes(tail)) fail('index.html has no <title> or </body>');
  writeFileSync(join(dir, 'tiermap.html'), single);
  return single.length;
}
