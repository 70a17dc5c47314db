// Enhances the media section of a record page (ingest/templates/ingest/record_media.html).
// Without JavaScript the page already works: <video> with MP4 sources, <audio> with AAC and Opus,
// <img srcset> with a link to the large copy, a document's page images and its files. Each library
// is fetched only where its kind of media is on the page, and most only when it is near or asked for.

const section = document.querySelector("[data-record-media]");
// OpenSeadragon's button images and pdf.js's worker and data, copied beside this file by build.mjs
// (chunks live one folder down).
const osdImages = new URL("./openseadragon/", import.meta.url).href;
const pdfjsAssets = new URL("./pdfjs/", import.meta.url).href;

// Deep zoom for the image the record opens with (ingest/templates/ingest/record_media_image.html, outside
// the section) and for those in the section.
document.querySelectorAll("[data-record-lead][data-iiif], [data-record-media] [data-iiif]").forEach((figure) => {
  const button = figure.querySelector("[data-zoom-toggle]");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    import("./zoom.js").then(({ toggleZoom }) => toggleZoom(figure, button, osdImages));
  });
});

if (section) {
  // A video's script (the "Listen only" button, HLS where the browser plays it itself) comes once the
  // player is near the viewport; it fetches hls.js only when the visitor asks for the sound alone
  // (frontend/video.js). Until then, and without JavaScript, the <video> plays its MP4 sources.
  section.querySelectorAll("video[data-hls]").forEach((video) => {
    whenNear(video, () => {
      import("./video.js").then(({ attachVideo }) => attachVideo(video));
    });
  });

  // A document's reader (showing the image of its first page until the page is drawn) opens once the
  // document is near the viewport, or at once when the address asks for a page of it or brings the
  // words of a search (`?q=words&original=<id>#page=N`, as search results link: `original` names the
  // document when it is not the first). Then pdf.js's worker is started here, so that it loads beside
  // the reader's script instead of after it.
  const readers = [...section.querySelectorAll("[data-pdf-reader]")];
  const search = new URLSearchParams(window.location.search);
  const addressed = readers.find((element) => element.dataset.original === search.get("original")) || readers[0];
  const pageAsked = /(?:^#|&)page=(\d+)/.exec(window.location.hash);
  const asked = Boolean(pageAsked) || search.has("q");
  readers.forEach((element) => {
    const followAddress = element === addressed;
    const open = (workerPort) => {
      import("./reader.js").then(({ openReader }) =>
        openReader(element, { assets: pdfjsAssets, followAddress, workerPort }),
      );
    };
    if (followAddress && pageAsked) previewPage(element, Number(pageAsked[1]));
    if (followAddress && asked) open(startPdfWorker());
    else whenNear(element.closest("figure"), () => open());
  });

  // The waveform (hidden until drawn) comes with its player, once that is near the viewport.
  section.querySelectorAll("[data-peaks]").forEach((element) => {
    const player = document.getElementById(element.dataset.audio);
    if (!player) return;
    whenNear(player, () => {
      import("./waveform.js").then(({ drawWaveform }) => drawWaveform(element, player));
    });
  });
}

// pdf.js's worker (a module, as pdf.js itself would start it), or nothing where it cannot start here.
function startPdfWorker() {
  try {
    return new Worker(new URL("pdf.worker.min.js", pdfjsAssets), { type: "module" });
  } catch {
    return null; // pdf.js starts its own
  }
}

// Show the pipeline's image of page ``number`` in the reader until it is drawn, in place of the first
// page's. The pipeline names its page images by number in their folders (pages/read/0001.jpg, the readable
// image, and in the srcset pages/read-640/0001.jpg and the thumbnail pages/0001.jpg); each is pointed at page
// ``number``. Where that page has no image, the reader shows none until the page is drawn.
function previewPage(element, number) {
  const preview = element.querySelector("[data-reader-preview]");
  const image = preview?.querySelector("img");
  if (!image || number <= 1 || Number(preview.dataset.page) === number) return;
  const page = String(number).padStart(4, "0");
  // The four digits before the extension at the end of each address (of src, and of each srcset candidate).
  const renumber = (value) => value.replace(/\d{4}(\.\w+)(?=\s|,|$)/g, (_all, extension) => page + extension);
  const source = renumber(image.getAttribute("src"));
  if (source === image.getAttribute("src")) return;
  image.addEventListener("error", () => preview.remove(), { once: true });
  if (image.srcset) image.srcset = renumber(image.srcset);
  image.src = source;
  image.alt = image.alt.replace(/\d+/, String(number));
  preview.dataset.page = String(number);
}

// Call ``callback`` once, when ``element`` comes near the viewport.
function whenNear(element, callback) {
  if (!("IntersectionObserver" in window)) {
    callback();
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        callback();
      }
    },
    { rootMargin: "200px" },
  );
  observer.observe(element);
}
