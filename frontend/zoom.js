// Deep zoom on a record's image from its IIIF Image API tiles (a static level-0 pyramid).
import OpenSeadragon from "openseadragon";

const viewers = new WeakMap();

// OpenSeadragon adds an inline <style> of its own unless `style[data-openseadragon-mobile-css]` matches an
// element. The Content-Security-Policy (style-src 'self') refuses inline styles, and the browser reports even an
// empty HTML <style>, so the rule lives in static/css/site.css and an inert marker stands in: an element named
// "style" outside the HTML and SVG namespaces, which the selector matches and no browser treats as a stylesheet.
const INERT_NAMESPACE = "urn:x-heritage-archive:inert";

function markOwnStyles() {
  if (document.querySelector("style[data-openseadragon-mobile-css]")) return;
  const marker = document.createElementNS(INERT_NAMESPACE, "style");
  marker.setAttribute("data-openseadragon-mobile-css", "true");
  document.head.append(marker);
}

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
  markOwnStyles();
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
