// Trunk post_build hook, on the staged dist/: the inline loader moves to a file of its
// own (every build, so the CSP holds in `trunk serve` too), then release builds minify
// the JS and write the one-file page. In this order: the minifier updates the loader's
// integrity hash as well, and the one-file page inlines the minified JS.
import { externalLoader } from './external-loader.mjs';
import { minifyJs } from './minify-js.mjs';
import { singleFile } from './single-file.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
if (staging) {
  console.log(`external-loader: ${externalLoader(staging)} inline script(s) moved to their own file`);
  if (process.env.TRUNK_PROFILE === 'release') {
    await minifyJs(staging);
    console.log(`single-file: tiermap.html ${singleFile(staging)} bytes`);
  }
}
