// A record's videos (ingest/templates/ingest/record_media_video.html), loaded by record-media.js when a
// video comes near the viewport. This part is small; hls.js (about 145 KB compressed, its own chunk) is
// fetched only when the visitor asks for a stream that needs it, never with the page (the page weight
// budget: docs/benchmarks.md, "Page weight").
//
// Playing: where the browser has Media Source Extensions (hls.js's ground), the first play is the
// progressive MP4 the browser chose from the <source>s (the smallest copy, or a larger one on a wide
// screen), as without JavaScript. On a 3G line that starts soonest: one request, where HLS through hls.js
// would first need the library (≈ 145 KB: 1 s on "Fast 3G", 3 s on "Slow 3G") and then three round trips
// (master playlist, media playlist, first segment) before the first frame. Browsers without MSE that play
// HLS themselves (older iPhones) get the master playlist directly, adaptive at no cost.
//
// "Listen only": the pipeline's audio-only HLS rendition, for weak networks. Pressed, hls.js is fetched
// (once) and plays that rendition as what it is, a plain media playlist (hls.js drops an audio-only
// variant from a master playlist that also has video); pressed again, hls.js plays the master playlist
// (adaptive) where the sound had got to. The playback position (and playing or not) carries over both
// ways. Without JavaScript the control is a link to the audio playlist.
//
// ``data-player`` on the <video> says what plays it: "mp4", "native" or "hls.js".

const HLS_TYPE = "application/vnd.apple.mpegurl";
const streams = new WeakMap(); // video -> its hls.js instance
let library = null;

function loadHls() {
  library ??= import("hls.js/light").then((module) => module.default);
  return library;
}

// Whether hls.js could play here (what Hls.isSupported() checks, without fetching it).
function mediaSourceAvailable() {
  const Source = window.ManagedMediaSource || window.MediaSource || window.WebKitMediaSource;
  return Boolean(Source?.isTypeSupported?.('video/mp4; codecs="avc1.42E01E,mp4a.40.2"'));
}

export function attachVideo(video) {
  const master = video.dataset.hls;
  if (!master || video.dataset.player) return;
  const listen = video.closest("figure")?.querySelector("[data-listen-only]");
  if (mediaSourceAvailable()) {
    video.dataset.player = "mp4";
    if (listen) {
      const button = offerListening(video, listen, (url, position, resume) =>
        stream(video, url, position, resume, button),
      );
    }
  } else if (video.canPlayType(HLS_TYPE)) {
    video.src = master;
    video.dataset.player = "native";
    if (listen) {
      offerListening(video, listen, (url, position, resume) => {
        video.src = url;
        video.addEventListener(
          "loadedmetadata",
          () => {
            video.currentTime = position;
            if (resume) video.play().catch(() => {});
          },
          { once: true },
        );
        video.load();
        return Promise.resolve();
      });
    }
  }
}

// Play the HLS playlist ``url`` through hls.js from ``position``, at once if ``resume``, else at the next play.
async function stream(video, url, position, resume, button) {
  const Hls = await loadHls();
  if (!Hls.isSupported()) throw new Error("hls.js cannot play here");
  streams.get(video)?.destroy();
  // Nothing is downloaded before the visitor presses play but the (small) playlists; loading starts at
  // the next play, once the playlist is parsed (or at once, switching while playing).
  const hls = new Hls({ autoStartLoad: false, capLevelToPlayerSize: true, startLevel: -1, startPosition: position });
  streams.set(video, hls);
  video.dataset.player = "hls.js";
  let parsed = false;
  let wanted = resume;
  const start = () => {
    if (parsed && wanted) {
      wanted = false;
      hls.startLoad(position);
    }
  };
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    parsed = true;
    start();
    if (resume) video.play().catch(() => {});
  });
  if (!resume) {
    video.addEventListener(
      "play",
      () => {
        wanted = true;
        start();
      },
      { once: true },
    );
  }
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal || streams.get(video) !== hls) return;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
      return;
    }
    // The stream failed: back to the progressive MP4 sources.
    hls.destroy();
    streams.delete(video);
    video.removeAttribute("src");
    video.dataset.player = "mp4";
    if (button) button.hidden = true;
    video.load();
  });
  hls.loadSource(url);
  hls.attachMedia(video);
}

// The "Listen only" link becomes a toggle button: pressed, the player switches to the audio-only
// playlist; pressed again, back to the video. ``switchTo(url, position, resume)`` loads a playlist
// (a promise); where it fails, the button goes back to how it was.
function offerListening(video, link, switchTo) {
  const audio = link.getAttribute("href");
  const master = video.dataset.hls;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "media-button listen-only";
  button.textContent = link.textContent;
  button.setAttribute("aria-pressed", "false");
  button.dataset.listenOnly = "";
  link.replaceWith(button);
  button.addEventListener("click", () => {
    const listening = button.getAttribute("aria-pressed") !== "true";
    const position = video.currentTime || 0;
    const resume = !video.paused && !video.ended;
    video.pause();
    button.setAttribute("aria-pressed", String(listening));
    video.dataset.listening = String(listening);
    switchTo(listening ? audio : master, position, resume).catch((error) => {
      console.error("Listen only:", error);
      button.setAttribute("aria-pressed", String(!listening));
      video.dataset.listening = String(!listening);
      if (resume) video.play().catch(() => {});
    });
  });
  return button;
}
