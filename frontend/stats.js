// The statistics pages' charts and maps (stats/templates/stats/includes/chart.html). Without JavaScript
// the page already works: every chart's figures are in the table beside it. This entry is small; ECharts
// (stats-charts.js and its chunks) and the province map are fetched only once a chart comes near the
// viewport.

const charts = document.querySelectorAll("[data-stats-chart]");
// The 34 provinces of today, built beside this file by build.mjs (stats-provinces-build.js).
const mapUrl = new URL("./stats/vn-provinces-2025.json", import.meta.url).href;

charts.forEach((container) => {
  whenNear(container.closest("figure") || container, () => {
    import("./stats-charts.js").then(({ drawChart }) => drawChart(container, mapUrl));
  });
});

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
