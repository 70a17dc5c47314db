// Deep zoom on a record's image from its IIIF Image API tiles (a static level-0 pyramid).
import OpenSeadragon from "openseadragon";

const viewers = new WeakMap();

export function toggleZoom(figure, button, prefixUrl) {
  const open = viewers.get(figure);
  if (open) {
    open.viewer.destroy();
    open.element.remove();
    viewers.delete(figure);
    figure.classList.remove("is-zoomed");
    button.setAttribute("aria-expanded", "false");
    button.textContent = button.dataset.labelOpen;
    return;
  }
  const element = document.createElement("div");
  element.className = "media-zoom-viewer";
  element.setAttribute("role", "application");
  element.setAttribute("aria-label", button.dataset.labelViewer || "");
  figure.querySelector(".media-image").after(element);
  const viewer = OpenSeadragon({
    element,
    tileSources: figure.dataset.iiif,
    prefixUrl,
    showNavigator: false,
    showRotationControl: false,
    showFullPageControl: true,
    visibilityRatio: 1,
    constrainDuringPan: true,
    crossOriginPolicy: false,
    gestureSettingsTouch: { pinchRotate: false },
  });
  viewers.set(figure, { viewer, element });
  figure.classList.add("is-zoomed");
  button.setAttribute("aria-expanded", "true");
  button.textContent = button.dataset.labelClose;
}
