// The sitreps dashboard: a map of incidents coloured by corroboration and sized by their
// events, with town names offline; a list of the incidents to sort and search; a brushable
// timeline of events per day; filters, whose events export as ACLED CSV or GeoJSON; and the
// evidence behind each incident. Everything a report says is untrusted: it is only ever set
// as text, never as HTML.
"use strict";

const STATUS_COLOURS = { corroborated: "#1b7f3b", "single-source": "#d98a00", contested: "#c62828" };
const STATUS_ORDER = { corroborated: 0, contested: 1, "single-source": 2 };
const EVENT_PAGE = 1000;
const EVENT_CAP = 20000; // the timeline shows at most this many events
const TOWN_LABELS = 90; // at most this many town names on the map at once
const TOWN_GAP = 6; // pixels kept clear around a town's name
// The smallest town named at each zoom level: a country-wide view names cities only.
const TOWN_POPULATION = [[4, 1e6], [5, 2e5], [6, 5e4], [7, 2e4], [8, 8e3]];

const state = {
  incidents: [], events: [], markers: null, map: null, brushed: null, towns: [],
  townLabels: null, markerOf: new Map(), eventsOf: new Map(), selected: null,
  sort: { key: "date", descending: true },
};
const $ = (id) => document.getElementById(id);

// Build an element; strings among the children become text nodes, never markup.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Only http(s) addresses become links; any other URL a report carries (javascript:, data:)
// is shown as text.
function webLink(url, label) {
  let parsed = null;
  try { parsed = new URL(url); } catch { /* not a URL: shown as text */ }
  if (!parsed || !["http:", "https:"].includes(parsed.protocol)) return el("span", { class: "url" }, url);
  return el("a", { href: parsed.href, rel: "noopener noreferrer", target: "_blank" }, label);
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function allEvents() {
  const events = [];
  let offset = 0;
  while (offset !== null && events.length < EVENT_CAP) {
    const page = await getJSON(`/events?limit=${EVENT_PAGE}&offset=${offset}`);
    events.push(...page.items);
    offset = page.next_offset;
  }
  return events;
}

// ---- the map -------------------------------------------------------------------------

// Rings that cross the antimeridian (Russia's east, Fiji) would be drawn as bands across the
// whole map: their western-hemisphere points are moved east by 360 degrees.
function unwrap(geometry) {
  const fix = (ring) => (ring.some(([lon]) => lon > 170) && ring.some(([lon]) => lon < -170)
    ? ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]) : ring);
  if (geometry.type === "Polygon") geometry.coordinates = geometry.coordinates.map(fix);
  if (geometry.type === "MultiPolygon") {
    geometry.coordinates = geometry.coordinates.map((polygon) => polygon.map(fix));
  }
  return geometry;
}

async function baseLayers(map) {
  const [world, oblasts] = await Promise.all([
    getJSON("/static/vendor/countries-50m.json"),
    getJSON("/static/vendor/ukraine-oblasts.topo.json"),
  ]);
  const land = topojson.feature(world, world.objects.countries);
  land.features.forEach((feature) => feature.geometry && unwrap(feature.geometry));
  const countries = L.geoJSON(land, {
    style: { color: "#8a94a6", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 },
    interactive: false,
  });
  const regions = L.geoJSON(topojson.feature(oblasts, oblasts.objects.ukr), {
    style: { color: "#a7afbd", weight: 0.6, dashArray: "3 3", fill: false },
    interactive: false,
  });
  const online = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "© OpenStreetMap contributors",
  });
  countries.addTo(map);
  regions.addTo(map);
  state.towns = await getJSON("/static/vendor/towns.json");
  map.createPane("towns").style.zIndex = 450; // above the outlines and markers, never clicked
  state.townLabels = L.layerGroup().addTo(map);
  map.on("moveend zoomend", drawTowns);
  L.control
    .layers(
      { "Offline outlines": L.layerGroup(), "OpenStreetMap (online)": online },
      { "Ukraine's oblasts": regions },
      { collapsed: true },
    )
    .addTo(map);
}

// The most populous towns in view, as many as fit without crowding: a name is left out
// where it would overlap a larger town's (its box estimated from its length).
function drawTowns() {
  const map = state.map;
  const bounds = map.getBounds().pad(0.05);
  const zoom = map.getZoom();
  const smallest = (TOWN_POPULATION.find(([level]) => zoom <= level) || [0, 0])[1];
  const placed = [];
  state.townLabels.clearLayers();
  for (const [name, lat, lon, population] of state.towns) {
    if (placed.length >= TOWN_LABELS || population < smallest) break;
    if (!bounds.contains([lat, lon])) continue;
    const { x, y } = map.latLngToContainerPoint([lat, lon]);
    const box = { left: x - 3, right: x + 10 + 6.5 * name.length, top: y - 9, bottom: y + 6 };
    const overlaps = (other) => box.left < other.right + TOWN_GAP && other.left < box.right + TOWN_GAP
      && box.top < other.bottom + TOWN_GAP && other.top < box.bottom + TOWN_GAP;
    if (placed.some(overlaps)) continue;
    placed.push(box);
    const label = el("span", {}, el("i"), name);
    state.townLabels.addLayer(L.marker([lat, lon], {
      pane: "towns",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "town-label", html: label, iconSize: null, iconAnchor: [3, 8] }),
    }));
  }
  $("map").dataset.towns = String(placed.length);
}

function createMap() {
  const map = L.map("map", { worldCopyJump: true, preferCanvas: false }).setView([48.5, 33], 5);
  map.attributionControl.setPrefix(false);
  state.markers = L.layerGroup().addTo(map);
  state.map = map;
  return baseLayers(map);
}

// ---- filters ---------------------------------------------------------------------------

function filters() {
  const range = state.brushed;
  return {
    type: $("filter-type").value,
    status: $("filter-status").value,
    kind: $("filter-kind").value,
    since: range ? range[0] : $("filter-since").value,
    until: range ? range[1] : $("filter-until").value,
    words: $("filter-search").value.toLowerCase().split(/\s+/).filter(Boolean),
  };
}

// What the search looks in, as the API does: the place and its divisions, the actors and
// the sources of each event.
function eventText(event) {
  return [event.location, event.admin1, event.admin2, event.country, event.actor1,
    event.actor2, event.source].filter(Boolean).join(" ").toLowerCase();
}

function eventMatches(event, words) {
  const text = eventText(event);
  return words.every((word) => text.includes(word));
}

// The filters as the API reads them: the export links hand the same ones to the server.
function exportQuery(f) {
  const query = new URLSearchParams();
  if (f.type) query.set("event_type", f.type);
  if (f.status) query.set("status", f.status);
  if (f.kind) query.set("source_kind", f.kind);
  if (f.since) query.set("since", f.since);
  if (f.until) query.set("until", f.until);
  if (f.words.length) query.set("search", f.words.join(" "));
  return query.toString();
}

function updateExports(f) {
  const query = exportQuery(f);
  $("export-csv").href = `/export/acled.csv${query ? `?${query}` : ""}`;
  $("export-geojson").href = `/export/events.geojson${query ? `?${query}` : ""}`;
}

function incidentShown(incident, f) {
  if (f.type && incident.event_type !== f.type) return false;
  if (f.status && incident.status !== f.status) return false;
  if (f.kind && !(incident.source_kinds || []).includes(f.kind)) return false;
  if (f.since || f.until) {
    if (!incident.first_date) return false; // undated incidents cannot meet a date filter
    if (f.since && (incident.last_date || incident.first_date) < f.since) return false;
    if (f.until && incident.first_date > f.until) return false;
  }
  if (f.words.length) {
    const events = state.eventsOf.get(incident.id) || [];
    if (!events.some((event) => eventMatches(event, f.words))) return false;
  }
  return true;
}

function eventShown(event, f) {
  if (f.type && event.event_type !== f.type) return false;
  if (f.status && event.corroboration !== f.status) return false;
  if (f.words.length && !eventMatches(event, f.words)) return false;
  return true;
}

// The events the export links give: every filter as the API applies it, dates and the
// kind of source included (the timeline leaves those two out to show what lies around).
function eventExported(event, f) {
  if (!eventShown(event, f)) return false;
  if (f.kind && !(event.source_kinds || "").split(" ").includes(f.kind)) return false;
  if (f.since && !(event.event_date && event.event_date >= f.since)) return false;
  if (f.until && !(event.event_date && event.event_date <= f.until)) return false;
  return true;
}

function fillSelect(select, values) {
  for (const value of [...new Set(values)].filter(Boolean).sort()) {
    select.append(el("option", { value }, value));
  }
}

// ---- drawing -----------------------------------------------------------------------------

function drawMarkers() {
  const f = filters();
  state.markers.clearLayers();
  state.markerOf.clear();
  const kept = state.incidents.filter((i) => incidentShown(i, f));
  const shown = kept.filter((i) => i.latitude !== null);
  for (const incident of shown) {
    const marker = L.circleMarker([incident.latitude, incident.longitude], {
      radius: 6 + 3 * Math.sqrt(incident.n_events),
      color: "#ffffff",
      weight: 1.5,
      fillColor: STATUS_COLOURS[incident.status] || "#555",
      fillOpacity: 0.85,
      className: `incident-marker status-${incident.status}`,
    });
    // A node, not a string: Leaflet would read a string as HTML.
    marker.bindTooltip(el("span", {}, `${incident.location || "unlocated"} · ${incident.sub_event_type || ""} · ${incident.status}`));
    marker.on("click", () => selectIncident(incident.id));
    state.markers.addLayer(marker);
    marker.getElement().dataset.incident = incident.id;
    state.markerOf.set(incident.id, marker);
  }
  const unlocated = kept.length - shown.length;
  const events = state.events.filter((e) => eventExported(e, f)).length;
  $("summary").replaceChildren(
    `${shown.length} of ${state.incidents.length} incidents on the map`,
    unlocated ? ` (${unlocated} more without a place)` : "",
    ` · ${events} of ${state.events.length} events`,
  );
  $("map").dataset.markers = String(shown.length);
  $("summary").dataset.events = String(events);
  updateExports(f);
  drawList(kept);
}

// ---- the incident list --------------------------------------------------------------------

const COLUMNS = [
  { key: "date", label: "Date", value: (i) => i.first_date || "" },
  { key: "place", label: "Place", value: (i) => (i.location || "").toLowerCase() },
  { key: "type", label: "Type", value: (i) => i.sub_event_type || i.event_type || "" },
  { key: "status", label: "Corroboration", value: (i) => STATUS_ORDER[i.status] ?? 9 },
  { key: "voices", label: "Voices", value: (i) => i.n_independent_sources },
];

function sorted(incidents) {
  const column = COLUMNS.find((c) => c.key === state.sort.key);
  const direction = state.sort.descending ? -1 : 1;
  return [...incidents].sort((a, b) => {
    const [x, y] = [column.value(a), column.value(b)];
    return (x < y ? -1 : x > y ? 1 : 0) * direction || a.id.localeCompare(b.id);
  });
}

function sortBy(key) {
  const same = state.sort.key === key;
  // Numbers and dates first show the largest, words the first in the alphabet.
  const firstDescending = ["date", "voices"].includes(key);
  state.sort = { key, descending: same ? !state.sort.descending : firstDescending };
  drawMarkers();
}

function drawList(incidents) {
  const rows = sorted(incidents);
  const head = el("tr", {}, COLUMNS.map((column) => el("th", {
    scope: "col",
    "aria-sort": state.sort.key === column.key
      ? (state.sort.descending ? "descending" : "ascending") : "none",
    "data-key": column.key,
  }, el("button", { type: "button", onclick: () => sortBy(column.key) }, column.label))));
  const body = el("tbody", {}, rows.map((incident) => el("tr", {
    "data-incident": incident.id,
    class: incident.id === state.selected ? "selected" : null,
    tabindex: 0,
    onclick: () => selectIncident(incident.id),
  },
  el("td", {}, incident.first_date || "—"),
  el("td", {}, incident.location || "—"),
  el("td", {}, incident.sub_event_type || incident.event_type || "—"),
  el("td", {}, el("span", { class: `badge ${incident.status}` }, incident.status)),
  el("td", { class: "number", title: `${incident.n_reports} report(s)` },
    incident.n_independent_sources))));
  body.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr");
    if (row && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      selectIncident(row.dataset.incident);
    }
  });
  $("incident-list").replaceChildren(rows.length
    ? el("table", {}, el("thead", {}, head), body)
    : el("p", { class: "empty" }, "No incident meets these filters."));
  return rows;
}

// Show an incident's evidence, mark it in the list and bring its marker into view.
function selectIncident(id) {
  state.selected = id;
  for (const row of document.querySelectorAll("#incident-list tbody tr")) {
    row.classList.toggle("selected", row.dataset.incident === id);
    if (row.dataset.incident === id) row.scrollIntoView({ block: "nearest" });
  }
  const marker = state.markerOf.get(id);
  if (marker && !state.map.getBounds().contains(marker.getLatLng())) {
    state.map.panTo(marker.getLatLng());
  }
  return showIncident(id);
}

function drawTimeline() {
  const container = $("timeline");
  container.replaceChildren();
  const f = { ...filters(), since: "", until: "" };
  const days = d3.rollup(
    state.events.filter((e) => e.event_date && eventShown(e, f)),
    (group) => group.length,
    (e) => e.event_date,
  );
  const width = container.clientWidth || 800;
  const height = container.clientHeight || 110;
  const margin = { top: 8, right: 12, bottom: 22, left: 34 };
  const svg = d3.select(container).append("svg").attr("width", width).attr("height", height);
  if (!days.size) {
    svg.append("text").attr("x", margin.left).attr("y", height / 2).attr("fill", "#5b6475")
      .text("No dated events for these filters.");
    return;
  }
  const parse = d3.utcParse("%Y-%m-%d");
  const format = d3.utcFormat("%Y-%m-%d");
  const dates = [...days.keys()].map(parse);
  const [first, last] = d3.extent(dates);
  const x = d3.scaleUtc().domain([d3.utcDay.offset(first, -1), d3.utcDay.offset(last, 2)])
    .range([margin.left, width - margin.right]);
  const y = d3.scaleLinear().domain([0, d3.max(days.values())]).nice()
    .range([height - margin.bottom, margin.top]);
  const barWidth = Math.max(2, x(d3.utcDay.offset(first, 1)) - x(first) - 2);
  const bars = svg.append("g").selectAll("rect").data([...days.entries()]).join("rect")
    .attr("class", "bar")
    .attr("x", ([day]) => x(parse(day)) - barWidth / 2)
    .attr("width", barWidth)
    .attr("y", ([, n]) => y(n))
    .attr("height", ([, n]) => y(0) - y(n));
  bars.append("title").text(([day, n]) => `${day}: ${n} event(s)`);
  svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.min(10, width / 90)));
  svg.append("g").attr("transform", `translate(${margin.left},0)`)
    .call(d3.axisLeft(y).ticks(Math.min(3, d3.max(days.values()))).tickFormat(d3.format("d")));
  const shade = () => bars.classed("out", ([day]) => state.brushed !== null
    && (day < state.brushed[0] || day > state.brushed[1]));
  const brush = d3.brushX()
    .extent([[margin.left, margin.top], [width - margin.right, height - margin.bottom]])
    .on("end", ({ selection }) => {
      state.brushed = selection
        ? selection.map((px) => format(d3.utcDay.floor(x.invert(px))))
        : null;
      if (state.brushed) {
        $("filter-since").value = state.brushed[0];
        $("filter-until").value = state.brushed[1];
      }
      shade();
      drawMarkers();
    });
  svg.append("g").attr("class", "brush").call(brush);
  shade();
}

// ---- the evidence ------------------------------------------------------------------------

function certaintyBadge(certainty) {
  return el("span", { class: `certainty ${certainty}` }, certainty);
}

function chain(attribution) {
  if (!attribution || !attribution.length) return null;
  return el("div", { class: "chain" }, "according to ",
    attribution.map((s) => `${s.name} (${s.kind.replaceAll("_", " ")})`).join(" → "));
}

async function showIncident(id) {
  const incident = await getJSON(`/incidents/${encodeURIComponent(id)}`);
  const evidence = incident.evidence;
  const detail = $("detail");
  detail.replaceChildren(
    el("h2", {}, `${incident.sub_event_type || incident.event_type || "Incident"} — ${incident.location || "no place"}`),
    el("p", {},
      el("span", { class: `badge ${incident.status}` }, incident.status), " ",
      `${incident.n_independent_sources} independent source(s), ${incident.n_reports} report(s) from ${incident.n_outlets} outlet(s)`,
      incident.first_date ? ` · ${incident.first_date}${incident.last_date && incident.last_date !== incident.first_date ? ` – ${incident.last_date}` : ""}` : " · date unknown"),
    el("h3", {}, "Sources, grouped by independence"),
    el("ul", { class: "voices" }, evidence.voices.map((voice) => el("li", {},
      el("strong", {}, voice.group), ": ", voice.sources.join("; ")))),
    el("h3", {}, "Claims"),
    el("ul", { class: "claims" }, evidence.claims.map((claim) => el("li", {},
      el("span", { class: "claim-text" }, `“${claim.text}”`), certaintyBadge(claim.certainty),
      " ", el("span", { class: `badge ${claim.status}` }, claim.status),
      chain(claim.attribution),
      claim.also_said_by && claim.also_said_by.length
        ? el("div", { class: "chain" }, `also said by: ${claim.also_said_by.join("; ")}`) : null))),
    el("h3", {}, "Contradictions"),
    evidence.contradictions.length || evidence.denials.length
      ? el("ul", { class: "contradictions" },
        evidence.contradictions.map((c) => el("li", {}, c)),
        evidence.denials.map((d) => el("li", {}, `denied: “${d}”`)))
      : el("p", { class: "meta" }, "None found."),
    el("h3", {}, "Reports"),
    el("ul", { class: "reports" }, incident.reports.map((report) => el("li", {},
      el("button", { class: "link", type: "button", onclick: () => showReport(report.id) },
        report.title || report.id.slice(0, 12)),
      el("span", { class: "meta" }, ` ${report.outlet || "unknown outlet"}${report.published_at ? ` · ${report.published_at.slice(0, 10)}` : ""}`)))),
  );
  detail.dataset.incident = id;
}

// The report's text cut at every annotation boundary; each piece is a text node in a span
// that carries the classes of the annotations covering it.
function highlighted(text, annotations) {
  const cuts = new Set([0, text.length]);
  for (const a of annotations) { cuts.add(a.start); cuts.add(a.end); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const container = el("div", { class: "report-text" });
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    const classes = annotations.filter((a) => a.start <= start && a.end >= end).map((a) => a.kind);
    container.append(classes.length
      ? el("span", { class: [...new Set(classes)].join(" ") }, text.slice(start, end))
      : document.createTextNode(text.slice(start, end)));
  }
  return container;
}

async function showReport(id) {
  const analysis = await getJSON(`/reports/${encodeURIComponent(id)}/analysis`);
  const report = analysis.report;
  const annotations = [
    ...analysis.claims.map((c) => ({ start: c.span.start, end: c.span.end, kind: `claim ${c.certainty}`, part: c.span.part })),
    ...analysis.sources.flatMap((s) => s.mentions.map((m) => ({ start: m.start, end: m.end, kind: "source", part: m.part }))),
    ...analysis.places.map((p) => ({ start: p.span.start, end: p.span.end, kind: "place", part: p.span.part })),
    ...analysis.claims.flatMap((c) => c.loaded_language.map((cue) => ({ start: cue.start, end: cue.end, kind: "loaded", part: cue.part }))),
  ].filter((a) => (a.part ?? "text") === "text");  // the title is the heading, not marked in the text
  const back = $("detail").dataset.incident;
  $("detail").replaceChildren(
    back ? el("button", { class: "link", type: "button", onclick: () => showIncident(back) }, "← back to the incident") : null,
    el("h2", {}, report.title || "Report"),
    el("p", { class: "meta" }, `${report.outlet || "unknown outlet"}${report.published_at ? ` · ${report.published_at}` : ""}`,
      report.url ? el("span", {}, " · ", webLink(report.url, "original")) : null),
    el("p", { class: "key" }, el("span", { class: "claim" }, "claim"), el("span", { class: "source" }, "source"),
      el("span", { class: "place" }, "place"), el("span", { class: "loaded" }, "loaded term")),
    highlighted(report.text, annotations),
    el("h3", {}, "Claims"),
    el("ul", {}, analysis.claims.map((claim) => el("li", {},
      el("span", { class: "claim-text" }, `“${claim.span.text}”`), certaintyBadge(claim.certainty),
      chain(claim.attribution.map((sid) => analysis.sources.find((s) => s.id === sid)).filter(Boolean))))),
    el("h3", {}, "Events"),
    el("ul", {}, analysis.events.map((e) => el("li", {},
      `${e.event_type} / ${e.sub_event_type}`,
      e.location ? ` at ${analysis.places.find((p) => p.id === e.location)?.name ?? "?"}` : " (no place)",
      e.count ? ` × ${e.count.text}` : "",
      e.actor1 ? ` · ${e.actor1.name}` : ""))),
  );
  $("detail").dataset.report = id;
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  await createMap();
  [state.incidents, state.events] = await Promise.all([getJSON("/incidents"), allEvents()]);
  fillSelect($("filter-type"), state.incidents.map((i) => i.event_type));
  fillSelect($("filter-kind"), state.incidents.flatMap((i) => i.source_kinds || []));
  for (const event of state.events) {
    if (!event.incident_id) continue;
    if (!state.eventsOf.has(event.incident_id)) state.eventsOf.set(event.incident_id, []);
    state.eventsOf.get(event.incident_id).push(event);
  }
  for (const id of ["filter-type", "filter-status", "filter-kind"]) {
    $(id).addEventListener("change", () => { drawMarkers(); drawTimeline(); });
  }
  $("filter-search").addEventListener("input", () => { drawMarkers(); drawTimeline(); });
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  for (const id of ["filter-since", "filter-until"]) {
    $(id).addEventListener("change", () => { state.brushed = null; drawMarkers(); drawTimeline(); });
  }
  $("filters").addEventListener("reset", () => setTimeout(() => {
    state.brushed = null; drawMarkers(); drawTimeline();
  }));
  window.addEventListener("resize", drawTimeline);
  drawMarkers();
  drawTimeline();
  drawTowns();
  // Frame the middle 90 % of incidents: one country-wide point must not zoom the map out.
  const located = state.incidents.filter((i) => i.latitude !== null);
  if (located.length) {
    const lats = located.map((i) => i.latitude).sort(d3.ascending);
    const lons = located.map((i) => i.longitude).sort(d3.ascending);
    const corner = (q) => [d3.quantileSorted(lats, q), d3.quantileSorted(lons, q)];
    state.map.fitBounds(L.latLngBounds([corner(0.05), corner(0.95)]).pad(0.4), { maxZoom: 8 });
  }
  // The panel is never empty: the first incident of the list (the latest) is shown.
  const first = document.querySelector("#incident-list tbody tr");
  if (first) await selectIncident(first.dataset.incident);
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  $("summary").replaceChildren(`Could not load the dashboard: ${error.message}`);
  document.body.dataset.ready = "error";
});
