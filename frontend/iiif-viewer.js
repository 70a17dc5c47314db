// The IIIF viewer page (iiif/templates/iiif/viewer.html): Clover IIIF (@samvera/clover-iiif) showing the
// record's manifest, its images deep-zoomable, its videos and recordings played with their captions, and a
// search inside the record through the manifest's Content Search service. Its own bundle
// (static/dist/iiif-viewer.js, built by build.mjs), loaded by that page only: never by a record page.
// Without JavaScript, the page keeps its links to the manifest and to the record.
import i18next from "i18next";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import Viewer from "@samvera/clover-iiif/viewer";

const element = document.querySelector("[data-iiif-viewer]");
if (element) {
  // Clover's words in the page's language (Django's catalogue: iiif/views_viewer.py), in its i18next
  // namespace, which importing the viewer has set up on the shared i18next instance.
  const language = document.documentElement.lang || "vi";
  const words = JSON.parse(document.getElementById("iiif-viewer-labels").textContent);
  i18next.addResourceBundle(language, "clover", words, true, true);
  i18next.changeLanguage(language);

  const wide = window.matchMedia("(min-width: 48rem)").matches;
  element.classList.add("iiif-viewer-ready");
  createRoot(element.querySelector("[data-iiif-viewer-mount]")).render(
    createElement(Viewer, {
      iiifContent: element.dataset.manifest,
      options: {
        canvasHeight: wide ? "70vh" : "55vh",
        showTitle: false,
        showIIIFBadge: false,
        // The media are on the site's own address (or its bucket's): no credentials to send.
        crossOrigin: "anonymous",
        // The panel (about, captions, search) beside the canvas on a wide screen; behind its toggle on a phone.
        informationPanel: { open: wide, renderContentSearch: true, renderToggle: true },
      },
    }),
  );
}
