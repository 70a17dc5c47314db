// Bundle the record page's media scripts into static/dist/ (found by Django's STATICFILES_DIRS).
//
// One small entry, record-media.js, is loaded only by record pages that show media; it imports
// the code for each kind of media (hls.js, OpenSeadragon, peaks.js, pdf.js) on demand, so esbuild
// splits every library into its own chunk. Run by `make assets` (see the Makefile) or `npm run build`.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

import { buildProvinceMap } from "./stats-provinces-build.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "static", "dist");
const modules = join(root, "node_modules");
// Cheap Android phones keep old WebViews; older browsers keep the no-JavaScript page.
const target = ["chrome80", "firefox78", "safari15"];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

await esbuild.build({
  absWorkingDir: root,
  // stats.js: the statistics pages' charts and maps (ECharts, fetched when a chart scrolls into view).
  // map.js: the map of records and places (Leaflet, fetched when the map scrolls into view).
  entryPoints: { "record-media": "frontend/record-media.js", stats: "frontend/stats.js", map: "frontend/map.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  legalComments: "linked",
  target,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});

// The IIIF viewer page's script (iiif/templates/iiif/viewer.html): Clover IIIF with React, about 600 KB
// compressed. A build of its own, so that no chunk of it is ever shared with, or named by, record-media.js:
// record pages never load it (docs/exchange.md, "IIIF Content Search and viewer").
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { "iiif-viewer": "frontend/iiif-viewer.js" },
  outdir,
  bundle: true,
  format: "esm",
  minify: true,
  legalComments: "linked",
  target,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

// The statistics' map: the 34 provinces of today, merged from the 63 before 2025 (see stats-provinces-build.js).
// The map of records and places draws it too, as its base map (map-leaflet.js).
buildProvinceMap(root, join(outdir, "stats", "vn-provinces-2025.json"));

// Leaflet's stylesheet, beside map.js: map-leaflet.js loads it with the map (the archive's touches are in
// static/css/site.css). Its rules name Leaflet's marker and layer images, copied to chunks/.
await esbuild.build({
  absWorkingDir: root,
  stdin: { contents: '@import "leaflet/dist/leaflet.css";', loader: "css", resolveDir: root, sourcefile: "map.css" },
  outfile: join(outdir, "map.css"),
  bundle: true,
  minify: true,
  loader: { ".png": "file" },
  assetNames: "chunks/[name]-[hash]",
  target,
  logLevel: "warning",
});

// The site's display typeface, Be Vietnam Pro (SIL Open Font License, @fontsource/be-vietnam-pro): only the
// weight static/css/site.css declares (600, for headings, names and controls; text is in the system font),
// only the Latin and Vietnamese subsets, only WOFF2 (older browsers keep the system font). The @font-face
// rules, with their unicode-range, are in site.css: a page fetches a subset only when it shows one of its
// characters. See docs/benchmarks.md, "Page weight".
const fonts = join(modules, "@fontsource", "be-vietnam-pro");
const fontsOut = join(outdir, "fonts");
mkdirSync(fontsOut, { recursive: true });
for (const weight of [600]) {
  for (const subset of ["latin", "vietnamese"]) {
    const name = `be-vietnam-pro-${subset}-${weight}-normal.woff2`;
    cpSync(join(fonts, "files", name), join(fontsOut, name));
  }
}
cpSync(join(fonts, "LICENSE"), join(fontsOut, "LICENSE"));

// OpenSeadragon draws its zoom buttons from these images (prefixUrl, see zoom.js).
cpSync(join(modules, "openseadragon", "build", "openseadragon", "images"), join(outdir, "openseadragon"), {
  recursive: true,
});

// pdf.js (reader.js): the worker that parses PDFs, and the data it fetches only for the documents that
// need it (character maps for CJK fonts, the standard fonts a PDF may leave out, the JPEG 2000 and JBIG2
// decoders), beside the entry in static/dist/pdfjs/. The legacy build, like the bundled display layer:
// it carries the polyfills older phones need.
const pdfjs = join(modules, "pdfjs-dist");
const pdfjsOut = join(outdir, "pdfjs");
mkdirSync(pdfjsOut, { recursive: true });
// Named .js: every server sends that as JavaScript, which a module worker must be (not all know .mjs).
cpSync(join(pdfjs, "legacy", "build", "pdf.worker.min.mjs"), join(pdfjsOut, "pdf.worker.min.js"));
cpSync(join(pdfjs, "LICENSE"), join(pdfjsOut, "LICENSE"));
for (const folder of ["cmaps", "standard_fonts"]) {
  cpSync(join(pdfjs, folder), join(pdfjsOut, folder), { recursive: true });
}
// The decoders in JavaScript only (the reader sets useWasm: false; the Content-Security-Policy refuses
// WebAssembly), and not the scripting engine (quickjs): the reader never runs a document's JavaScript.
cpSync(join(pdfjs, "wasm"), join(pdfjsOut, "wasm"), {
  recursive: true,
  filter: (source) => !/quickjs|qcms|\.wasm$/i.test(source.split(/[\\/]/).pop()),
});

// The text layer (transparent, selectable and searchable text over each rendered page) is positioned by
// pdf.js's own rules in its viewer stylesheet; only that block is taken, from the installed version, so
// that it always matches the library (the reader's own styles are ingest/static/ingest/pdf-reader.css).
const viewerCss = readFileSync(join(pdfjs, "legacy", "web", "pdf_viewer.css"), "utf8");
await esbuild.build({
  stdin: { contents: cssBlock(viewerCss, ".textLayer"), loader: "css", sourcefile: "pdf_viewer.css" },
  outfile: join(pdfjsOut, "text_layer.css"),
  minify: true,
  target,
  logLevel: "warning",
});

// The top-level rule `selector { … }` of a stylesheet, with the blocks nested in it.
function cssBlock(css, selector) {
  const start = css.search(new RegExp(`^${selector.replace(".", "\\.")} \\{`, "m"));
  if (start < 0) throw new Error(`pdf.js's viewer stylesheet has no "${selector}" rule any more`);
  let depth = 0;
  for (let i = css.indexOf("{", start); i < css.length; i++) {
    if (css[i] === "{") depth++;
    else if (css[i] === "}" && --depth === 0) return css.slice(start, i + 1);
  }
  throw new Error(`pdf.js's viewer stylesheet: the "${selector}" rule does not end`);
}
