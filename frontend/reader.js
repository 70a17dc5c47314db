// The PDF reader of a record page (ingest/templates/ingest/includes/pdf_reader.html), built on pdf.js.
//
// It reads only the files the media section links (the PDF's access copy and its text), so it fetches
// nothing the visitor's /media/ check would not give them. The PDF is read in byte ranges: the first page
// shows as soon as the bytes it needs have arrived, and other pages are fetched when they are turned to.
// One page shows at a time, fitted to the width of the screen; the text layer pdf.js lays over it makes
// the text selectable, readable by screen readers and searchable. `#page=N` opens page N (the first
// reader on the page follows the address, or the one `?original=` names), and the words of `?q=` are
// highlighted on every page.
// Labels come from the template (translated by Django). Until the page is drawn the reader shows the
// pipeline's readable image of it (800 px wide), laid out as the drawn page will be (the template's
// data-reader-preview), and the drawn page takes its place; if anything fails, that image, the page
// images and the download links below stay as they are without JavaScript.
import { getDocument, GlobalWorkerOptions, TextLayer } from "pdfjs-dist/legacy/build/pdf.mjs";

import { matches, pattern } from "./text-match.js";

const RANGE_CHUNK = 64 * 1024;
const ZOOM_STEP = 1.25;
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 4;
// Phones refuse, or run out of memory on, larger canvases: the page is drawn less sharp instead.
const MAX_CANVAS_PIXELS = 4096 * 4096;

// Open the reader in ``element`` (hidden, or showing the image of a page, until then). ``assets``: the
// URL of the folder with pdf.js's worker and data (static/dist/pdfjs/); ``followAddress``: whether
// `#page=N` belongs to this reader; ``workerPort``: pdf.js's worker, when the page started it already
// (record-media.js does, so that it loads beside this script rather than after it).
export function openReader(element, { assets, followAddress = false, workerPort = null }) {
  if (workerPort && !GlobalWorkerOptions.workerPort) GlobalWorkerOptions.workerPort = workerPort;
  return new Reader(element, assets, followAddress).open().catch((error) => {
    // The image of the page stays where it is, without the controls; otherwise the reader goes.
    if (element.querySelector("[data-reader-preview]")) {
      element.querySelector("[data-reader-toolbar]").hidden = true;
    } else {
      element.hidden = true;
    }
    element.closest("figure")?.classList.remove("has-reader");
    console.warn("The PDF reader could not open the document; the page images stay.", error);
  });
}

function stylesheet(href) {
  if (!href || document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.addEventListener("load", resolve, { once: true });
    link.addEventListener("error", () => reject(new Error(`stylesheet ${href} did not load`)), { once: true });
    document.head.append(link);
  });
}

function requestedPage() {
  const match = /(?:^#|&)page=(\d+)/.exec(window.location.hash);
  return match ? Number(match[1]) : null;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_all, name) => String(values[name] ?? ""));
}

class Reader {
  constructor(element, assets, followAddress) {
    this.element = element;
    this.figure = element.closest("figure");
    this.assets = assets;
    this.followAddress = followAddress;
    this.labels = element.dataset;
    const part = (name) => element.querySelector(`[data-reader-${name}]`);
    this.controls = {
      previous: part("previous"),
      next: part("next"),
      pageForm: part("goto"),
      pageInput: part("page"),
      position: part("position"),
      zoomOut: part("zoom-out"),
      zoomIn: part("zoom-in"),
      fit: part("fit"),
      searchForm: part("search"),
      query: part("query"),
      previousMatch: part("previous-match"),
      nextMatch: part("next-match"),
      found: part("found"),
      viewport: part("viewport"),
      toolbar: part("toolbar"),
    };
    this.pageNumber = 1;
    this.zoom = 1; // times the width of the reader
    this.token = 0;
    this.regexp = null;
    this.results = [];
    this.current = -1;
    this.searched = null;
  }

  async open() {
    const source = this.figure.querySelector("a[data-reader-source=pdf]");
    if (!source) throw new Error("no PDF is linked");
    GlobalWorkerOptions.workerSrc ||= new URL("pdf.worker.min.js", this.assets).href;
    const styles = Promise.all([
      stylesheet(this.labels.stylesheet),
      stylesheet(new URL("text_layer.css", this.assets).href),
    ]);
    this.task = getDocument({
      url: source.href,
      // Byte ranges only: the first page needs a few requests, not the whole file, and a page is fetched
      // when it is turned to. (Streaming, pdf.js's other mode, reads the whole file in the background.)
      rangeChunkSize: RANGE_CHUNK,
      disableAutoFetch: true,
      disableStream: true,
      cMapUrl: new URL("cmaps/", this.assets).href,
      standardFontDataUrl: new URL("standard_fonts/", this.assets).href,
      // The image decoders (JPEG 2000, JBIG2) in JavaScript, not WebAssembly: the site's
      // Content-Security-Policy has no 'wasm-unsafe-eval', so compiling WebAssembly would be refused.
      useWasm: false,
      wasmUrl: new URL("wasm/", this.assets).href,
      enableXfa: false,
    });
    [this.document] = await Promise.all([this.task.promise, styles]);
    this.pageCount = this.document.numPages;

    const query = new URLSearchParams(window.location.search).get("q");
    if (query && query.trim()) {
      this.regexp = pattern(query, { words: true });
      this.controls.query.value = query.trim();
    }
    this.controls.pageInput.max = String(this.pageCount);
    this.bind();
    this.element.hidden = false;
    this.element.classList.add("is-loading");
    const requested = this.followAddress ? requestedPage() : null;
    // The image of the page (if any) stays until the drawn page replaces it (render), then the controls show.
    await this.render(Math.min(Math.max(requested || 1, 1), this.pageCount));
    this.controls.toolbar.hidden = false;
    this.element.classList.remove("is-loading");
    this.figure.classList.add("has-reader");
    if (this.followAddress && (requested || query)) {
      this.element.scrollIntoView({ block: "start" });
    }
    this.observeWidth();
  }

  bind() {
    const { controls } = this;
    controls.previous.addEventListener("click", () => this.turn(-1));
    controls.next.addEventListener("click", () => this.turn(1));
    controls.pageForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.goTo(Number(controls.pageInput.value));
    });
    controls.pageInput.addEventListener("change", () => this.goTo(Number(controls.pageInput.value)));
    controls.zoomIn.addEventListener("click", () => this.setZoom(this.zoom * ZOOM_STEP));
    controls.zoomOut.addEventListener("click", () => this.setZoom(this.zoom / ZOOM_STEP));
    controls.fit.addEventListener("click", () => this.setZoom(1));
    controls.searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(controls.query.value);
    });
    controls.nextMatch.addEventListener("click", () => this.step(1));
    controls.previousMatch.addEventListener("click", () => this.step(-1));
    controls.viewport.addEventListener("keydown", (event) => this.key(event));
    if (this.followAddress) {
      window.addEventListener("hashchange", () => {
        const page = requestedPage();
        if (page) this.goTo(page);
      });
    }
  }

  key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const { viewport } = this.controls;
    const scrollsSideways = viewport.scrollWidth > viewport.clientWidth;
    const actions = {
      PageUp: () => this.turn(-1),
      PageDown: () => this.turn(1),
      ArrowLeft: scrollsSideways ? null : () => this.turn(-1),
      ArrowRight: scrollsSideways ? null : () => this.turn(1),
      "+": () => this.setZoom(this.zoom * ZOOM_STEP),
      "=": () => this.setZoom(this.zoom * ZOOM_STEP),
      "-": () => this.setZoom(this.zoom / ZOOM_STEP),
      0: () => this.setZoom(1),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  turn(delta) {
    this.goTo(this.pageNumber + delta, { bringIntoView: true });
  }

  goTo(number, { bringIntoView = false } = {}) {
    const page = Math.min(Math.max(number, 1), this.pageCount);
    if (!Number.isInteger(number) || page === this.pageNumber) {
      this.controls.pageInput.value = String(this.pageNumber);
      return Promise.resolve();
    }
    if (this.followAddress && page !== requestedPage()) {
      window.history.replaceState(window.history.state, "", `#page=${page}`);
    }
    return this.show(page, { bringIntoView });
  }

  setZoom(zoom) {
    this.zoom = Math.min(Math.max(zoom, MIN_ZOOM), MAX_ZOOM);
    return this.show(this.pageNumber);
  }

  observeWidth() {
    if (!("ResizeObserver" in window)) return;
    let width = this.controls.viewport.clientWidth;
    let timer = null;
    new ResizeObserver(() => {
      const now = this.controls.viewport.clientWidth;
      if (Math.abs(now - width) < 2) return;
      width = now;
      clearTimeout(timer);
      timer = setTimeout(() => this.show(this.pageNumber), 150);
    }).observe(this.controls.viewport);
  }

  // The scale that fits a page's width into the reader, times the zoom.
  scale(page) {
    const { viewport } = this.controls;
    const style = window.getComputedStyle(viewport);
    const room = viewport.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.max(0.1, (room / page.getViewport({ scale: 1 }).width) * this.zoom);
  }

  updateControls() {
    const { controls, pageNumber, pageCount } = this;
    controls.pageInput.value = String(pageNumber);
    controls.position.textContent = fill(this.labels.labelPosition, { page: pageNumber, count: pageCount });
    controls.previous.setAttribute("aria-disabled", String(pageNumber <= 1));
    controls.next.setAttribute("aria-disabled", String(pageNumber >= pageCount));
    controls.zoomOut.setAttribute("aria-disabled", String(this.zoom <= MIN_ZOOM));
    controls.zoomIn.setAttribute("aria-disabled", String(this.zoom >= MAX_ZOOM));
  }

  // Show page ``number``; a page that cannot be drawn says so in its place (the first one closes the reader).
  async show(number, options = {}) {
    try {
      await this.render(number, options);
    } catch (error) {
      console.warn(`The PDF reader could not draw page ${number}.`, error);
      const message = document.createElement("p");
      message.className = "pdf-reader-error";
      message.textContent = this.labels.labelPageError;
      this.controls.viewport.replaceChildren(message);
    }
  }

  async render(number, { bringIntoView = false } = {}) {
    this.pageNumber = number;
    this.updateControls();
    const token = ++this.token;
    const page = await this.document.getPage(number);
    if (token !== this.token) return;
    const scale = this.scale(page);
    const viewport = page.getViewport({ scale });
    const area = viewport.width * viewport.height;
    const output = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / area));
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * output);
    canvas.height = Math.floor(viewport.height * output);
    canvas.setAttribute("aria-hidden", "true");
    this.renderTask?.cancel();
    this.renderTask = page.render({ canvas, viewport, transform: output === 1 ? null : [output, 0, 0, output, 0, 0] });
    try {
      await this.renderTask.promise;
    } catch (error) {
      if (error?.name === "RenderingCancelledException") return;
      throw error;
    }
    if (token !== this.token) return;

    const sheet = document.createElement("div");
    sheet.className = "pdf-reader-page";
    sheet.dataset.page = String(number);
    sheet.style.width = `${Math.floor(viewport.width)}px`;
    sheet.style.height = `${Math.floor(viewport.height)}px`;
    // What pdf.js's text layer is sized by (its viewer sets the same on each page).
    sheet.style.setProperty("--scale-factor", String(scale));
    sheet.style.setProperty("--total-scale-factor", String(scale));
    sheet.style.setProperty("--scale-round-x", "1px");
    sheet.style.setProperty("--scale-round-y", "1px");
    const layer = document.createElement("div");
    layer.className = "textLayer";
    sheet.append(canvas, layer);
    this.controls.viewport.replaceChildren(sheet);
    if (bringIntoView) this.bringIntoView(sheet);

    this.textLayer?.cancel();
    const textLayer = new TextLayer({
      textContentSource: page.streamTextContent({ includeMarkedContent: true, disableNormalization: true }),
      container: layer,
      viewport,
    });
    this.textLayer = textLayer;
    try {
      await textLayer.render();
    } catch (error) {
      if (error?.name === "AbortException") return;
      // The page is drawn; only its text cannot be selected or searched on it.
      console.warn(`The PDF reader could not lay out the text of page ${number}.`, error);
    }
    if (token !== this.token) return;
    layer.dataset.ready = "true";
    this.highlight(textLayer);
    sheet.dataset.ready = "true";
  }

  // After turning a page from below its top, go back up to it (under the toolbar, which stays on screen).
  bringIntoView(sheet) {
    const top = sheet.getBoundingClientRect().top;
    const toolbar = this.element.querySelector(".pdf-reader-toolbar").getBoundingClientRect();
    if (top < toolbar.bottom) window.scrollBy(0, top - toolbar.bottom - 8);
  }

  // Mark the matches of the current search (or of the words the visitor came with) in the text layer.
  highlight(textLayer = this.textLayer) {
    const layer = this.controls.viewport.querySelector(".textLayer[data-ready]");
    if (!textLayer || !layer) return;
    const { textDivs, textContentItemsStr } = textLayer;
    textDivs.forEach((div, i) => {
      if (div.firstElementChild) div.textContent = textContentItemsStr[i];
    });
    const index = new Map(textDivs.map((div, i) => [div, i]));
    const starts = new Array(textDivs.length).fill(-1);
    let text = "";
    for (const node of layer.querySelectorAll("span, br")) {
      if (node.nodeName === "BR") {
        text += " ";
      } else if (index.has(node)) {
        const i = index.get(node);
        starts[i] = text.length;
        text += textContentItemsStr[i];
      }
    }
    const found = this.regexp ? matches(this.regexp, text) : [];
    const pieces = new Map(); // div index -> [[from, to, match number], …]
    found.forEach(([start, end], number) => {
      textDivs.forEach((_div, i) => {
        const from = starts[i];
        if (from < 0) return;
        const to = from + textContentItemsStr[i].length;
        if (start < to && end > from) {
          if (!pieces.has(i)) pieces.set(i, []);
          pieces.get(i).push([Math.max(start, from) - from, Math.min(end, to) - from, number]);
        }
      });
    });
    for (const [i, ranges] of pieces) {
      const div = textDivs[i];
      const content = textContentItemsStr[i];
      const nodes = [];
      let at = 0;
      for (const [from, to, number] of ranges) {
        if (from > at) nodes.push(document.createTextNode(content.slice(at, from)));
        const mark = document.createElement("mark");
        mark.className = "pdf-reader-hit";
        mark.dataset.match = String(number);
        mark.textContent = content.slice(from, to);
        nodes.push(mark);
        at = to;
      }
      if (at < content.length) nodes.push(document.createTextNode(content.slice(at)));
      div.replaceChildren(...nodes);
    }
    layer.dataset.matches = String(found.length);
    this.highlighted = this.regexp;
    this.selectOnPage();
  }

  selectOnPage() {
    const layer = this.controls.viewport.querySelector(".textLayer[data-ready]");
    if (!layer) return;
    layer.querySelectorAll(".pdf-reader-hit.is-current").forEach((mark) => mark.classList.remove("is-current"));
    const result = this.results[this.current];
    if (!result || result.page !== this.pageNumber) return;
    const marks = layer.querySelectorAll(`.pdf-reader-hit[data-match="${result.index}"]`);
    marks.forEach((mark) => mark.classList.add("is-current"));
    marks[0]?.scrollIntoView({ block: "center", inline: "center" });
  }

  // The text of every page: the text the archive extracted (with OCR for scanned pages), else pdf.js's.
  pageTexts() {
    this.texts ||= (async () => {
      const link = this.figure.querySelector("a[data-reader-source=text]");
      if (link) {
        try {
          const response = await fetch(link.href, { credentials: "same-origin" });
          if (response.ok) return (await response.text()).split("\f");
        } catch {
          // The text file could not be fetched: read the PDF's own text below.
        }
      }
      const texts = [];
      for (let number = 1; number <= this.pageCount; number++) {
        const content = await (await this.document.getPage(number)).getTextContent();
        texts.push(content.items.map((item) => (item.str || "") + (item.hasEOL ? " " : "")).join(""));
      }
      return texts;
    })();
    return this.texts;
  }

  async search(query) {
    const { found } = this.controls;
    const trimmed = query.trim();
    if (trimmed && trimmed === this.searched && this.results.length) {
      this.step(1);
      return;
    }
    this.searched = trimmed;
    this.regexp = pattern(trimmed);
    this.results = [];
    this.current = -1;
    if (!this.regexp) {
      found.textContent = "";
      this.highlight();
      return;
    }
    found.textContent = this.labels.labelSearching;
    let texts;
    try {
      texts = await this.pageTexts();
    } catch (error) {
      console.warn("The PDF reader could not read the text of the document.", error);
      this.texts = null; // try again at the next search
      if (trimmed === this.searched) found.textContent = this.labels.labelSearchError;
      return;
    }
    if (trimmed !== this.searched) return;
    texts.forEach((text, i) => {
      matches(this.regexp, text).forEach((_match, index) => this.results.push({ page: i + 1, index }));
    });
    if (!this.results.length) {
      found.textContent = this.labels.labelNoMatches;
      this.highlight();
      return;
    }
    // The first match from the page being read on.
    const next = this.results.findIndex((result) => result.page >= this.pageNumber);
    await this.select(next < 0 ? 0 : next);
  }

  step(delta) {
    if (!this.results.length) {
      if (this.controls.query.value.trim()) this.search(this.controls.query.value);
      return;
    }
    const count = this.results.length;
    this.select((this.current + delta + count) % count);
  }

  async select(number) {
    this.current = number;
    const result = this.results[number];
    this.controls.found.textContent = fill(this.labels.labelMatch, { current: number + 1, total: this.results.length });
    if (result.page !== this.pageNumber) {
      await this.goTo(result.page);
    } else if (this.highlighted !== this.regexp) {
      this.highlight();
    } else {
      this.selectOnPage();
    }
  }
}
