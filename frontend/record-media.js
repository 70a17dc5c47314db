// Enhances the media section of a record page (ingest/templates/ingest/record_media.html).
// Without JavaScript the page already works: <video> with MP4 sources, <audio> with AAC and Opus,
// <img srcset> with a link to the large copy. Each library is fetched only where its kind of
// media is on the page.

const section = document.querySelector("[data-record-media]");
// OpenSeadragon's button images, copied beside this file by build.mjs (chunks live one folder down).
const osdImages = new URL("./openseadragon/", import.meta.url).href;

if (section) {
  const videos = section.querySelectorAll("video[data-hls]");
  if (videos.length) {
    import("./video.js").then(({ attachVideo }) => videos.forEach(attachVideo));
  }

  const zoomables = section.querySelectorAll("[data-iiif]");
  zoomables.forEach((figure) => {
    const button = figure.querySelector("[data-zoom-toggle]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      import("./zoom.js").then(({ toggleZoom }) => toggleZoom(figure, button, osdImages));
    });
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
