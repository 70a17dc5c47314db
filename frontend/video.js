// Adaptive streaming: the HLS master playlist lets the player pick a rendition by bandwidth.
// hls.js plays it where the browser has Media Source Extensions; browsers without them that play
// HLS themselves (older iPhones) get the playlist directly; elsewhere the MP4 <source>s stay.
import Hls from "hls.js/light";

export function attachVideo(video) {
  const master = video.dataset.hls;
  if (!master || video.dataset.player) return;
  if (Hls.isSupported()) {
    // Nothing is downloaded before the visitor presses play but the (small) playlists; loading
    // starts at the first play, once the master playlist is parsed.
    const hls = new Hls({ autoStartLoad: false, capLevelToPlayerSize: true, startLevel: -1 });
    let parsed = false;
    let wanted = false;
    const start = () => {
      if (parsed && wanted) {
        wanted = false;
        hls.startLoad();
      }
    };
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      parsed = true;
      start();
    });
    video.addEventListener(
      "play",
      () => {
        wanted = true;
        start();
      },
      { once: true },
    );
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      // The stream failed: fall back to the progressive MP4 sources.
      hls.destroy();
      video.removeAttribute("src");
      video.dataset.player = "mp4";
      video.load();
    });
    hls.loadSource(master);
    hls.attachMedia(video);
    video.dataset.player = "hls.js";
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = master;
    video.dataset.player = "native";
  }
}
