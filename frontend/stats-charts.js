// Draws one chart of a statistics page with Apache ECharts (only the parts used, so the chunk stays small):
// a time series (line), a comparison across ethnic groups (bars) or a choropleth of the provinces of today.
// The figures come from the JSON the page prints beside the chart (Chart.spec() in stats/pages.py), the
// same rows as the chart's table.
import { BarChart, LineChart, MapChart, ScatterChart } from "echarts/charts";
import { GeoComponent, GridComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  LineChart,
  BarChart,
  MapChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  VisualMapComponent,
  GeoComponent,
  CanvasRenderer,
]);

const INK = "#1d1b19";
const MUTED = "#4a4540";
const ACCENT = "#8a2b0e";
const LINE = "#d9d2c5";
const NO_DATA = "#e4e0d8"; // provinces without a figure
const english = (document.documentElement.lang || "vi").startsWith("en");
let provinces = null; // the map's GeoJSON, fetched once per page

export async function drawChart(container, mapUrl) {
  const source = document.getElementById(container.dataset.statsChart);
  if (!source || container.dataset.drawn) return;
  const spec = JSON.parse(source.textContent);
  const format = numberFormat(spec.decimals);
  const text = (value) => (value === null || value === undefined ? spec.noData : `${format.format(value)} ${spec.unit}`);
  let option;
  if (spec.kind === "map") {
    const geojson = await provinceMap(mapUrl);
    option = mapOption(spec, geojson, text);
  } else if (spec.kind === "groups") {
    container.style.height = `${Math.max(220, spec.rows.length * 30 + 60)}px`;
    option = barOption(spec, format, text);
  } else {
    option = lineOption(spec, format, text);
  }
  container.hidden = false;
  const chart = echarts.init(container, null, { renderer: "canvas" });
  chart.on("finished", () => {
    container.dataset.drawn = "true";
  });
  chart.setOption({ animation: false, textStyle: { fontFamily: "system-ui, sans-serif", color: INK }, ...option });
  if ("ResizeObserver" in window) new ResizeObserver(() => chart.resize()).observe(container);
}

function numberFormat(decimals) {
  return new Intl.NumberFormat(english ? "en" : "vi-VN", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

function shortFormat() {
  // Axis ticks: 1,215 Tr / 1.215M — four significant digits, so that close ticks stay distinct.
  return new Intl.NumberFormat(english ? "en" : "vi-VN", { notation: "compact", maximumSignificantDigits: 4 });
}

function point(row) {
  // A provisional figure (only staff see them) is drawn hollow.
  return { value: row.value, symbol: row.provisional ? "emptyCircle" : "circle", itemStyle: row.provisional ? { opacity: 0.6 } : {} };
}

function lineOption(spec, format, text) {
  const compact = shortFormat();
  return {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", valueFormatter: text },
    xAxis: {
      type: "category",
      data: spec.rows.map((row) => row.label),
      axisLine: { lineStyle: { color: MUTED } },
      axisLabel: { hideOverlap: true },
    },
    yAxis: {
      type: "value",
      scale: spec.rows.length > 1,
      name: spec.unit,
      axisLabel: { formatter: (value) => compact.format(value), hideOverlap: true },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [
      {
        type: "line",
        name: spec.title,
        data: spec.rows.map(point),
        color: ACCENT,
        symbolSize: 8,
        lineStyle: { width: 2 },
        label: { show: spec.rows.length <= 6, position: "top", formatter: ({ value }) => format.format(value) },
      },
    ],
  };
}

function barOption(spec, format, text) {
  const compact = shortFormat();
  const rows = [...spec.rows].reverse(); // the largest at the top
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: text },
    xAxis: {
      type: "value",
      splitNumber: 3,
      axisLabel: { formatter: (value) => compact.format(value), hideOverlap: true },
      splitLine: { lineStyle: { color: LINE } },
    },
    yAxis: { type: "category", data: rows.map((row) => row.label), axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      {
        type: "bar",
        name: spec.title,
        data: rows.map((row) => ({ value: row.value, itemStyle: { color: ACCENT, opacity: row.provisional ? 0.55 : 1 } })),
        barMaxWidth: 22,
      },
    ],
  };
}

async function provinceMap(url) {
  if (!provinces) {
    provinces = fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) throw new Error(`province map: HTTP ${response.status}`);
      return response.json();
    });
    provinces.then((geojson) => echarts.registerMap("vn-2025", geojson));
  }
  return provinces;
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

function mapOption(spec, geojson, text) {
  const names = new Map(
    geojson.features.map((feature) => [feature.properties.code, english ? feature.properties.name_en || feature.properties.name : feature.properties.name]),
  );
  const values = spec.rows.map((row) => row.value);
  const byCode = new Map(spec.rows.map((row) => [row.code, row]));
  const regions = spec.highlight ? [{ name: spec.highlight, itemStyle: { borderColor: INK, borderWidth: 2.5 } }] : [];
  const archipelagos = geojson.archipelagos || [];
  const groupName = (group) => (english ? group.name_en : group.name);
  // Each island of Hoàng Sa and Trường Sa as a marker in its province's colour: their outlines, in the province's
  // shape, are less than a pixel at this scale. A province without a figure gives its islands no value (grey).
  const islands = archipelagos.flatMap((group) =>
    group.islands.map((centre) => {
      const row = byCode.get(group.code);
      return { name: group.code, group: groupName(group), value: [...centre, row ? row.value : null] };
    }),
  );
  return {
    tooltip: {
      trigger: "item",
      formatter: (item) => {
        if (item.seriesIndex === 2) return item.name;
        const row = byCode.get(item.name);
        const name = names.get(item.name) || item.name;
        const where = item.seriesIndex === 1 ? `${item.data.group} (${name})` : name;
        return `${where}: ${text(row ? row.value : null)}`;
      },
    },
    visualMap: {
      type: "continuous",
      min: Math.min(...values),
      max: values.length > 1 ? Math.max(...values) : Math.min(...values) + 1,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 140,
      calculable: false,
      realtime: false,
      seriesIndex: [0, 1],
      inRange: { color: ["#f6e3c8", "#d9865a", ACCENT, "#4a1406"] },
      outOfRange: { color: NO_DATA },
      text: [`${shortFormat().format(Math.max(...values))} ${spec.unit}`, shortFormat().format(Math.min(...values))],
      textGap: 6,
      textStyle: { color: MUTED },
    },
    geo: {
      map: "vn-2025",
      nameProperty: "code",
      roam: false,
      aspectScale: 0.96, // cos 16°: kilometres east and north alike at Vietnam's middle latitude
      boundingCoords: [
        [102, 23.6],
        [117.0, 8.2],
      ], // room for Hoàng Sa and Trường Sa, and their names
      top: 8,
      bottom: 48,
      itemStyle: { areaColor: NO_DATA, borderColor: "#ffffff", borderWidth: 0.6 },
      emphasis: { label: { show: false }, itemStyle: { areaColor: "#e0b05f" } },
      select: { disabled: true },
      regions,
    },
    series: [
      {
        type: "map",
        geoIndex: 0,
        name: spec.title,
        color: NO_DATA, // regions without a figure; the visual map colours the others
        data: spec.rows.map((row) => ({ name: row.code, value: row.value })),
      },
      {
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 5,
        color: NO_DATA, // islands of a province without a figure; the visual map colours the others
        itemStyle: { borderColor: INK, borderWidth: 0.6 },
        data: islands,
      },
      {
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 0,
        silent: true,
        label: { show: true, position: "bottom", formatter: "{b}", fontSize: 10, lineHeight: 12, color: MUTED, align: "center" },
        // Names on two lines ("Quần đảo / Trường Sa") so that they stay inside a phone's width, under the islands.
        data: archipelagos.map((group) => ({
          name: groupName(group).replace(/^(Quần đảo) /, "$1\n").replace(/ (\()/, "\n$1"),
          value: [mean(group.islands.map((centre) => centre[0])), Math.min(...group.islands.map((centre) => centre[1])) - 0.2],
        })),
      },
    ],
  };
}
