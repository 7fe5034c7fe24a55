// Related-incident graph: incidents linked through shared observables, drawn
// in SVG with a small force layout (repulsion between all nodes, springs on
// edges, a pull to the centre; a fixed number of steps, deterministic start).
import {svg} from './dom.js';

export function layout(nodes, edges, width, height, steps = 300) {
  const n = nodes.length;
  const idx = new Map(nodes.map((nd, i) => [nd.id, i]));
  const pos = nodes.map((nd, i) => {
    if (nd.root) return {x: width / 2, y: height / 2, vx: 0, vy: 0};
    const a = (2 * Math.PI * i) / Math.max(1, n);
    const r = Math.min(width, height) * (nd.kind === 'incident' ? 0.38 : 0.2);
    return {x: width / 2 + r * Math.cos(a), y: height / 2 + r * Math.sin(a), vx: 0, vy: 0};
  });
  const links = edges.map((e) => [idx.get(e.source), idx.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
  const k = Math.sqrt((width * height) / Math.max(1, n)) * 0.55;
  for (let s = 0; s < steps; s++) {
    const temp = 1 - s / steps;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let dx = pos[i].x - pos[j].x, dy = pos[i].y - pos[j].y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 0.01) { dx = 0.1 * (i - j); dy = 0.1; d2 = dx * dx + dy * dy; }
        const f = (k * k) / d2;
        pos[i].vx += dx * f * 0.02; pos[i].vy += dy * f * 0.02;
        pos[j].vx -= dx * f * 0.02; pos[j].vy -= dy * f * 0.02;
      }
    }
    for (const [a, b] of links) {
      const dx = pos[b].x - pos[a].x, dy = pos[b].y - pos[a].y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const f = (d - k) / d * 0.08;
      pos[a].vx += dx * f; pos[a].vy += dy * f;
      pos[b].vx -= dx * f; pos[b].vy -= dy * f;
    }
    for (let i = 0; i < n; i++) {
      const p = pos[i];
      if (nodes[i].root) { p.x = width / 2; p.y = height / 2; p.vx = p.vy = 0; continue; }
      p.vx += (width / 2 - p.x) * 0.01; p.vy += (height / 2 - p.y) * 0.01;
      const sp = Math.sqrt(p.vx * p.vx + p.vy * p.vy) || 1;
      const lim = 20 * temp + 0.5;
      if (sp > lim) { p.vx *= lim / sp; p.vy *= lim / sp; }
      p.x = Math.max(110, Math.min(width - 110, p.x + p.vx));
      p.y = Math.max(30, Math.min(height - 40, p.y + p.vy));
      p.vx *= 0.5; p.vy *= 0.5;
    }
  }
  return pos;
}

function short(s, n = 28) {
  s = String(s ?? '');
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// graph: {nodes:[{id, kind, incident_id|observable_id, type, value, root}], edges:[{source,target,via}]}
// names: Map incident_id -> label
export function relatedGraph(graph, names, title) {
  const width = 720, height = 420;
  const nodes = graph.nodes || [];
  const edges = graph.edges || [];
  const pos = layout(nodes, edges, width, height);
  const idx = new Map(nodes.map((nd, i) => [nd.id, i]));
  const root = svg('svg', {viewBox: `0 0 ${width} ${height}`, class: 'graph', role: 'img', 'aria-label': title, id: 'related-graph'});
  root.appendChild(svg('title', {}, title));
  const gE = svg('g', {class: 'edges'});
  for (const e of edges) {
    const a = pos[idx.get(e.source)], b = pos[idx.get(e.target)];
    if (!a || !b) continue;
    gE.appendChild(svg('line', {x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), class: `edge e-${e.via === 'cidr' ? 'cidr' : 'holds'}`}));
  }
  root.appendChild(gE);
  const gN = svg('g', {class: 'nodes'});
  nodes.forEach((nd, i) => {
    const p = pos[i];
    if (nd.kind === 'incident') {
      const lbl = names.get(nd.incident_id) || `#${nd.incident_id}`;
      const g = svg('a', {href: `#/incidents/${nd.incident_id}`, class: nd.root ? 'node inc root' : 'node inc', 'data-incident': nd.incident_id},
        svg('circle', {cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: nd.root ? 16 : 12}),
        svg('text', {x: p.x.toFixed(1), y: (p.y + (nd.root ? 30 : 26)).toFixed(1), 'text-anchor': 'middle'}, short(lbl, 24)),
        svg('title', {}, lbl));
      gN.appendChild(g);
    } else {
      const g = svg('g', {class: `node obs o-${nd.type}`},
        svg('rect', {x: (p.x - 6).toFixed(1), y: (p.y - 6).toFixed(1), width: 12, height: 12, rx: 2}),
        svg('text', {x: (p.x + 9).toFixed(1), y: (p.y + 4).toFixed(1)}, short(nd.value)),
        svg('title', {}, `${nd.type}: ${nd.value}`));
      gN.appendChild(g);
    }
  });
  root.appendChild(gN);
  return root;
}
