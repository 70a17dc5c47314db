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

  const waveforms = section.querySelectorAll("[data-peaks]");
  if (waveforms.length) {
    whenNear(waveforms, (element) => {
      import("./waveform.js").then(({ drawWaveform }) => drawWaveform(element));
    });
  }
}

// Call ``callback`` once for each element when it comes near the viewport.
function whenNear(elements, callback) {
  if (!("IntersectionObserver" in window)) {
    elements.forEach(callback);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      entries.forEach((entry) => {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          callback(entry.target);
        }
      });
    },
    { rootMargin: "200px" },
  );
  elements.forEach((element) => observer.observe(element));
}
