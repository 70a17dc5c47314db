// The map of records and places on the home, ethnic-group and place pages (cms/templates/cms/includes/
// place_map.html, cms/map.py). Without JavaScript the page lists the places with their record counts. This
// entry is small: Leaflet (map-leaflet.js and its chunk), its stylesheet, the places' GeoJSON and the
// outline of the provinces are fetched only once the map's section comes near the viewport.

document.querySelectorAll("[data-place-map]").forEach((section) => {
  whenNear(section, () => {
    import("./map-leaflet.js").then(({ drawMap }) => drawMap(section));
  });
});

// Call ``callback`` once, when ``element`` comes near the viewport (as stats.js and record-media.js do).
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
