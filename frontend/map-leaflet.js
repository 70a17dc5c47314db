// Draws the map of a [data-place-map] section (imported by map.js once the section nears the viewport).
//
// The places and records come from the section's data-map-url (/api/v1/map/places.geojson, cms/map.py: only
// what this visitor may see, sacred coordinates never included). Under them: the tiles of data-map-tiles
// (settings.MAP_TILE_URL) when the site names a tile server, and always the outline of today's 34 provinces
// that build.mjs makes for the statistics' map (static/dist/stats/vn-provinces-2025.json) — alone, it is the
// whole base map, and no request leaves the site. Hoàng Sa and Trường Sa are labelled from the same file.
// Every text is set as text (popups are built from elements), so a title cannot inject markup.
import { circleMarker, divIcon, geoJSON, latLngBounds, map as leafletMap, marker, tileLayer } from "leaflet";

// Vietnam with Hoàng Sa and Trường Sa: the view when there is nothing to fit, and how far one may pan.
const VIETNAM = latLngBounds([8.2, 102.1], [23.5, 115.0]);
const ACCENT = "#8a2b0e"; // --accent in static/css/site.css
const PAPER = "#fffdf8";
const OUTLINE_ALONE = { color: "#ffffff", weight: 0.8, fillColor: "#efe6d6", fillOpacity: 1 };
const OUTLINE_OVER_TILES = { color: ACCENT, weight: 0.7, opacity: 0.5, fill: false };
const FOCUS = { color: ACCENT, weight: 2, opacity: 0.8, fillColor: "#f6e3c8" }; // the province of a place's page
// Popups clear of the zoom buttons (top left) and within a phone's width (with their 34 px of margins).
const POPUP = { autoPanPaddingTopLeft: [56, 12], autoPanPaddingBottomRight: [12, 12] };
const BOUNDARIES = '<a href="https://www.geoboundaries.org/">geoBoundaries</a>';

export async function drawMap(section) {
  const canvas = section.querySelector(".place-map-canvas");
  const data = section.dataset;
  let places, outline;
  try {
    [places, outline] = await Promise.all([getJSON(data.mapUrl), getJSON(data.mapOutline), loadStyle(data.mapStyle)]);
  } catch (error) {
    // The list of places stays, as without JavaScript.
    console.warn("map not drawn:", error);
    return;
  }
  canvas.hidden = false;
  const english = (document.documentElement.lang || "").startsWith("en");
  const map = leafletMap(canvas, {
    scrollWheelZoom: false, // the page scrolls under the wheel; the buttons, a pinch or a double click zoom
    zoomSnap: 0.5,
    minZoom: 4,
    maxZoom: data.mapTiles ? 17 : 12,
    maxBounds: VIETNAM.pad(2), // wide: a phone's view at the smallest zoom is wider than the country
  });
  // The view first (Leaflet draws nothing on a map without one): on a place's page its province (its shape in
  // the outline, data-map-focus its code) with its markers; elsewhere the whole country, islands included.
  const features = places.features || [];
  const points = features.map((feature) => [feature.geometry.coordinates[1], feature.geometry.coordinates[0]]);
  const focus = (outline.features || []).find((shape) => data.mapFocus && shape.properties.code === data.mapFocus);
  if ("mapPlace" in data) {
    const bounds = focus ? geoJSON(focus).getBounds() : latLngBounds(points.length ? points : VIETNAM);
    if (points.length) bounds.extend(latLngBounds(points));
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 9 });
  } else {
    map.fitBounds(VIETNAM);
  }
  map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
  if (data.mapTiles) tileLayer(data.mapTiles, { attribution: data.mapAttribution || "", maxZoom: 19 }).addTo(map);
  const style = data.mapTiles ? OUTLINE_OVER_TILES : OUTLINE_ALONE;
  geoJSON(outline, {
    interactive: false,
    style: (shape) => (shape === focus ? { ...style, ...FOCUS } : style),
    attribution: BOUNDARIES,
  }).addTo(map);
  for (const group of outline.archipelagos || []) label(map, group, english);

  features.forEach((feature, index) => {
    const props = feature.properties;
    const where = points[index];
    const dot =
      props.kind === "place"
        ? circleMarker(where, {
            radius: Math.min(16, 6 + 2 * Math.sqrt(props.count)),
            color: PAPER,
            weight: 1.5,
            fillColor: ACCENT,
            fillOpacity: 0.85,
          })
        : circleMarker(where, { radius: 5, color: ACCENT, weight: 2, fillColor: PAPER, fillOpacity: 1 });
    dot.bindTooltip(element("span", "", props.kind === "place" ? `${props.name} (${props.count})` : props.title));
    dot.bindPopup(() => popup(props, data), { ...POPUP, maxWidth: Math.min(260, canvas.clientWidth - 110) });
    dot.addTo(map);
  });

  section.querySelector(".place-map-places")?.removeAttribute("open");
  section.dataset.drawn = "true";
  section.dataset.markers = String(points.length);
}

function getJSON(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } }).then(
    (response) => {
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return response.json();
    },
  );
}

// Leaflet's stylesheet (static/dist/map.css; the archive's touches are in site.css), once per page.
function loadStyle(href) {
  if (document.querySelector(`link[data-map-style]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.mapStyle = "";
    link.onload = resolve;
    link.onerror = () => reject(new Error(`${href}: not loaded`));
    document.head.append(link);
  });
}

// A place's popup: its name, its count, the first records by title and its province's page; a record's:
// its title and type.
function popup(props, texts) {
  const box = element("div", "place-map-popup");
  if (props.kind === "place") {
    box.append(element("strong", "", props.name));
    const count = props.count === 1 ? texts.textOne : (texts.textOther || "").replace("{count}", props.count);
    box.append(element("p", "", count));
    const list = element("ul");
    for (const record of props.records || []) list.append(recordItem(record));
    box.append(list);
    if (props.url) box.append(link(props.url, texts.textMore));
  } else {
    box.append(element("p", "", texts.textRecord));
    const list = element("ul");
    list.append(recordItem(props));
    box.append(list);
  }
  return box;
}

function recordItem(record) {
  const item = element("li");
  const title = record.url ? link(record.url, record.title) : element("span", "", record.title);
  // A record not yet translated keeps its Vietnamese title, marked as such.
  if (record.lang && record.lang !== document.documentElement.lang) title.lang = record.lang;
  item.append(title);
  if (record.type) item.append(" ", element("small", "", record.type));
  return item;
}

function label(map, group, english) {
  const [longitude, latitude] = group.coord;
  const icon = divIcon({
    className: "place-map-label",
    // On two lines ("Quần đảo / Hoàng Sa"), as the statistics' map writes them, to stay inside a phone's width.
    html: element(
      "span",
      "",
      (english ? group.name_en : group.name).replace(/^(Quần đảo) /, "$1\n").replace(/ (\()/, "\n$1"),
    ),
    iconSize: null,
  });
  marker([latitude, longitude], { icon, interactive: false, keyboard: false }).addTo(map);
}

function link(href, text) {
  const anchor = element("a", "", text);
  anchor.href = href;
  return anchor;
}

function element(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
