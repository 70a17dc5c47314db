// Bundle the record page's media scripts into static/dist/ (found by Django's STATICFILES_DIRS).
//
// One small entry, record-media.js, is loaded only by record pages that show media; it imports
// the code for each kind of media (hls.js, OpenSeadragon, peaks.js) on demand, so esbuild splits
// every library into its own chunk. Run by `make assets` (see the Makefile) or `npm run build`.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "static", "dist");

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { "record-media": "frontend/record-media.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  legalComments: "linked",
  // Cheap Android phones keep old WebViews; older browsers keep the no-JavaScript page.
  target: ["chrome80", "firefox78", "safari15"],
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});

// OpenSeadragon draws its zoom buttons from these images (prefixUrl, see zoom.js).
cpSync(join(root, "node_modules", "openseadragon", "build", "openseadragon", "images"), join(outdir, "openseadragon"), {
  recursive: true,
});
