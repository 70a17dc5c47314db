// A waveform under the <audio> player, drawn from the peaks the pipeline computed (BBC
// audiowaveform JSON); clicking it seeks. The audio element keeps its own controls.
import Peaks from "peaks.js";

export function drawWaveform(element, audio) {
  element.hidden = false;
  Peaks.init(
    {
      overview: {
        container: element,
        waveformColor: "#8a2b0e",
        playedWaveformColor: "#4a4540",
        showAxisLabels: false,
        highlightColor: "#d9d2c5",
      },
      mediaElement: audio,
      dataUri: { json: element.dataset.peaks },
      zoomLevels: [256],
      logger: () => {},
    },
    (error) => {
      if (error) {
        element.hidden = true;
      } else {
        element.dataset.ready = "true";
      }
    },
  );
}
