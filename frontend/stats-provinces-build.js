// Build step (run by build.mjs, not bundled): the map of the 34 provinces of today, from the 63 provinces
// before the 2025 merger.
//
// Source: geoBoundaries VNM ADM1 (stats/data/geo/, boundary representative of 2008, public domain,
// "administrative boundaries courtesy of geoBoundaries.org"), a TopoJSON whose neighbouring provinces share
// their border arcs. Each old province is assigned to the province of today that took it over, as the
// archive's place data says (archive/demo/data/places.yaml: the provinces of today and the former provinces
// with their successor), and the provinces of each are merged with topojson-client's merge(), which drops
// the shared borders: a dissolve without slivers. The result is GeoJSON for ECharts' registerMap, keyed by
// today's two-digit code; the build fails when a shape matches no province or a province gets no shape.
//
// The Hoàng Sa and Trường Sa archipelagos: the source has some of their islands in Đà Nẵng and Khánh Hòa, but
// 6–12 km from where they are (Woody Island, Itu Aba, Thitu…). They are replaced by Natural Earth's outlines
// (public domain; stats/data/geo/vn-archipelagos.geojson and its README.md), added to the provinces of today
// that they belong to (Đà Nẵng, Khánh Hòa) so the choropleth colours them with their province: every source
// polygon lying wholly east of 110° E is dropped, and the build fails if a province without an archipelago has
// one. Islands of a few hundred metres are less than a pixel on a map of the country: the output lists each
// island's centre (archipelagos[].islands), which the charts draw as markers in the province's colour.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { merge } from "topojson-client";
import { parse } from "yaml";

const SOURCE = join("stats", "data", "geo", "geoBoundaries-VNM-ADM1.topojson");
const PLACES = join("archive", "demo", "data", "places.yaml");
const ISLANDS = join("stats", "data", "geo", "vn-archipelagos.geojson");
const PRECISION = 1000; // coordinates to 0.001° (about 100 m): plenty for a country map on a phone

// Shapes whose name is not the name of a province in the place data.
const ALIASES = {
  "thua thien hue": "hue", // the province became the centrally-run city of Huế (2025), same territory
  "con dao": "ba ria vung tau", // the island district of Bà Rịa – Vũng Tàu, drawn as a shape of its own
};

// The archipelagos every map of Vietnam must draw, with the province of today each belongs to.
const ARCHIPELAGOS = { "hoang-sa": "48", "truong-sa": "56" };
const OFFSHORE = 110; // ° E: the mainland and its coastal islands (Lý Sơn, Phú Quý, Côn Đảo) lie west of it

// "tỉnh Bà Rịa – Vũng Tàu" → "ba ria vung tau"; "Hà Nội\t" → "ha noi".
export function fold(name) {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .replace(/^(tinh|thanh pho|tp) /, "");
}

function rounded(geometry) {
  const point = ([x, y]) => [Math.round(x * PRECISION) / PRECISION, Math.round(y * PRECISION) / PRECISION];
  const ring = (coordinates) => {
    const out = [];
    for (const position of coordinates.map(point)) {
      const last = out[out.length - 1];
      if (!last || last[0] !== position[0] || last[1] !== position[1]) out.push(position);
    }
    return out;
  };
  const polygons = geometry.coordinates
    .map((polygon) => polygon.map(ring).filter((r) => r.length >= 4))
    .filter((polygon) => polygon.length);
  return { type: "MultiPolygon", coordinates: polygons };
}

// The archipelagos' islands (Natural Earth outlines) by the code of their province of today, and the list the
// charts label and mark: the archipelago's centre (the middle of its islands' extent) and each island's centre.
function readArchipelagos(root, codes) {
  const collection = JSON.parse(readFileSync(join(root, ISLANDS), "utf8"));
  const polygons = new Map(); // code → island polygons
  const groups = [];
  for (const feature of collection.features) {
    const { key, name, name_en: nameEn, province } = feature.properties;
    if (ARCHIPELAGOS[key] !== province || !codes.has(province)) {
      throw new Error(`${ISLANDS}: "${key}" should belong to province ${ARCHIPELAGOS[key]} of ${PLACES}`);
    }
    const islands = feature.geometry.coordinates;
    if (!islands.length) throw new Error(`${ISLANDS}: "${key}" has no island`);
    if (!polygons.has(province)) polygons.set(province, []);
    polygons.get(province).push(...islands);
    const centres = islands.map(([outer]) => {
      const ring = outer.slice(0, -1); // the closing position repeats the first
      const mean = (axis) => ring.reduce((sum, position) => sum + position[axis], 0) / ring.length;
      return [Math.round(mean(0) * PRECISION) / PRECISION, Math.round(mean(1) * PRECISION) / PRECISION];
    });
    const extent = (axis) => {
      const values = centres.map((centre) => centre[axis]);
      return Math.round(((Math.min(...values) + Math.max(...values)) / 2) * 10) / 10;
    };
    groups.push({ key, name, name_en: nameEn, code: province, coord: [extent(0), extent(1)], islands: centres });
  }
  for (const key of Object.keys(ARCHIPELAGOS)) {
    if (!groups.some((group) => group.key === key)) throw new Error(`${ISLANDS} has no "${key}"`);
  }
  return { polygons, groups, source: collection.source };
}

export function buildProvinceMap(root, outfile) {
  const topology = JSON.parse(readFileSync(join(root, SOURCE), "utf8"));
  const places = parse(readFileSync(join(root, PLACES), "utf8"));
  const today = new Map(); // folded name → code of today
  for (const province of places.provinces) today.set(fold(province.name), province.code);
  for (const unit of places.historic) {
    if (unit.kind === "former_province") today.set(fold(unit.name), unit.successor);
  }
  const archipelagos = readArchipelagos(root, new Set(places.provinces.map((province) => province.code)));
  const [object] = Object.values(topology.objects);
  const shapes = new Map(); // code → geometries
  for (const geometry of object.geometries) {
    let name = fold(geometry.properties.shapeName);
    name = ALIASES[name] ?? name;
    const code = today.get(name);
    if (!code) throw new Error(`${SOURCE}: "${geometry.properties.shapeName}" is no province in ${PLACES}`);
    if (!shapes.has(code)) shapes.set(code, []);
    shapes.get(code).push(geometry);
  }
  const features = places.provinces.map((province) => {
    const geometries = shapes.get(province.code);
    if (!geometries) throw new Error(`${SOURCE} has no shape for ${province.code} ${province.name}`);
    const formedFrom = geometries.map((g) => g.properties.shapeName.trim());
    const merged = merge(topology, geometries);
    const offshore = (polygon) => polygon[0].every(([x]) => x > OFFSHORE);
    const land = { type: "MultiPolygon", coordinates: merged.coordinates.filter((polygon) => !offshore(polygon)) };
    const islands = archipelagos.polygons.get(province.code) || [];
    if (land.coordinates.length < merged.coordinates.length && !islands.length) {
      throw new Error(`${SOURCE}: ${province.name} has shapes east of ${OFFSHORE}° E but no archipelago`);
    }
    const geometry = rounded({ type: "MultiPolygon", coordinates: [...land.coordinates, ...islands] });
    if (geometry.coordinates.length < land.coordinates.length + islands.length) {
      throw new Error(`${province.code} ${province.name}: a shape vanished at ${PRECISION} steps to the degree`);
    }
    const properties = { code: province.code, name: province.name, name_en: province.name_en, formed_from: formedFrom };
    const groups = archipelagos.groups.filter((group) => group.code === province.code);
    if (groups.length) properties.archipelagos = groups.map((group) => group.name);
    return { type: "Feature", id: province.code, properties, geometry };
  });
  const collection = {
    type: "FeatureCollection",
    source:
      "geoBoundaries VNM ADM1 (boundaryID VNM-ADM1-63759600, 2008, public domain; geoboundaries.org), " +
      "63 provinces merged into the 34 of 1 July 2025 (Nghị quyết 202/2025/QH15) by the archive; " +
      `the Hoàng Sa and Trường Sa archipelagos (instead of the source's, misplaced): ${archipelagos.source}`,
    archipelagos: archipelagos.groups,
    features,
  };
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, JSON.stringify(collection));
  return features.length;
}
