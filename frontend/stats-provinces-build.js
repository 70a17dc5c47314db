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
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { merge } from "topojson-client";
import { parse } from "yaml";

const SOURCE = join("stats", "data", "geo", "geoBoundaries-VNM-ADM1.topojson");
const PLACES = join("archive", "demo", "data", "places.yaml");
const PRECISION = 1000; // coordinates to 0.001° (about 100 m): plenty for a country map on a phone

// Shapes whose name is not the name of a province in the place data.
const ALIASES = {
  "thua thien hue": "hue", // the province became the centrally-run city of Huế (2025), same territory
  "con dao": "ba ria vung tau", // the island district of Bà Rịa – Vũng Tàu, drawn as a shape of its own
};

// Hoàng Sa and Trường Sa, which the source does not draw: labelled at approximate centres, with the
// province of today they belong to (Đà Nẵng, Khánh Hòa).
const ARCHIPELAGOS = [
  { name: "Quần đảo Hoàng Sa", name_en: "Hoang Sa (Paracel) Islands", code: "48", coord: [112.0, 16.5] },
  { name: "Quần đảo Trường Sa", name_en: "Truong Sa (Spratly) Islands", code: "56", coord: [114.2, 10.0] },
];

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

export function buildProvinceMap(root, outfile) {
  const topology = JSON.parse(readFileSync(join(root, SOURCE), "utf8"));
  const places = parse(readFileSync(join(root, PLACES), "utf8"));
  const today = new Map(); // folded name → code of today
  for (const province of places.provinces) today.set(fold(province.name), province.code);
  for (const unit of places.historic) {
    if (unit.kind === "former_province") today.set(fold(unit.name), unit.successor);
  }
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
    return {
      type: "Feature",
      id: province.code,
      properties: { code: province.code, name: province.name, name_en: province.name_en, formed_from: formedFrom },
      geometry: rounded(merge(topology, geometries)),
    };
  });
  const collection = {
    type: "FeatureCollection",
    source:
      "geoBoundaries VNM ADM1 (boundaryID VNM-ADM1-63759600, 2008, public domain; geoboundaries.org), " +
      "63 provinces merged into the 34 of 1 July 2025 (Nghị quyết 202/2025/QH15) by the archive",
    archipelagos: ARCHIPELAGOS,
    features,
  };
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, JSON.stringify(collection));
  return features.length;
}
