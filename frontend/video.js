// Adaptive streaming: the HLS master playlist lets the player pick a rendition by bandwidth.
// hls.js plays it where the browser has Media Source Extensions; browsers without them that play
// HLS themselves (older iPhones) get the playlist directly; elsewhere the MP4 <source>s stay.
//
// "Listen only" (ingest/templates/ingest/record_media_video.html): the pipeline's audio-only HLS
// rendition, for weak networks. hls.js drops an audio-only variant from a master playlist that also
// has video, so it is played as what it is, a plain media playlist, in place of the master one;
// the playback position (and playing or not) carries over both ways. Without JavaScript the control
// is a link to that playlist.
import Hls from "hls.js/light";

export function attachVideo(video) {
  const master = video.dataset.hls;
  if (!master || video.dataset.player) return;
  const listen = video.closest("figure")?.querySelector("[data-listen-only]");
  if (Hls.isSupported()) {
    let hls = null;
    const load = (url, position, resume) => {
      if (hls) hls.destroy();
      // Nothing is downloaded before the visitor presses play but the (small) playlists; loading
      // starts at the first play, once the playlist is parsed (or at once, switching while playing).
      hls = new Hls({
        autoStartLoad: false,
        capLevelToPlayerSize: true,
        startLevel: -1,
        startPosition: position,
      });
      const current = hls;
      let parsed = false;
      let wanted = resume;
      const start = () => {
        if (parsed && wanted) {
          wanted = false;
          current.startLoad(position);
        }
      };
      current.on(Hls.Events.MANIFEST_PARSED, () => {
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
      current.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal || current !== hls) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          current.recoverMediaError();
          return;
        }
        // The stream failed: fall back to the progressive MP4 sources.
        current.destroy();
        hls = null;
        video.removeAttribute("src");
        video.dataset.player = "mp4";
        if (listen) listen.hidden = true;
        video.load();
      });
      current.loadSource(url);
      current.attachMedia(video);
    };
    load(master, -1, false);
    video.dataset.player = "hls.js";
    if (listen) offerListening(video, listen, (url, position, resume) => load(url, position, resume));
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
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
      });
    }
  }
}

// The "Listen only" link becomes a toggle button: pressed, the player switches to the audio-only
// playlist; pressed again, back to the video. ``switchTo(url, position, resume)`` loads a playlist.
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
    switchTo(listening ? audio : master, position, resume);
    button.setAttribute("aria-pressed", String(listening));
    video.dataset.listening = String(listening);
  });
}
