// The diagram measure, shared by tests/diagram/diagram.test.mjs: the Mermaid text for a
// design's graph, and one measure that runs in the page on any SVG drawing of it (ours
// or Mermaid's), given the selectors of its arrows, cards, labels and tier boxes.

/** Mermaid flowchart text for a design's graph (from `examples/graph.rs`): one
 * subgraph per tier holding the services whose home it is, the internet with an arrow
 * to each published service, one arrow per flow; labels are the ports. Written here,
 * not by our Mermaid export, so both drawings get the same arrows from the design. */
export function mermaidText(g) {
  const id = new Map(g.services.map((s, i) => [s, `s${i}`]));
  // Anything but plain name characters becomes an entity, so no name breaks the text.
  const q = (t) => String(t).replace(/[^A-Za-z0-9_ .\-/:]/g, (c) => `#${c.codePointAt(0)};`);
  let out = 'flowchart TB\n';
  if (g.published.length) out += '  internet(("Internet"))\n';
  g.tiers.forEach((t, i) => {
    if (!t.services.length) return;
    out += `  subgraph t${i}["${q(t.key)}"]\n`;
    for (const s of t.services) out += `    ${id.get(s)}["${q(s)}"]\n`;
    out += '  end\n';
  });
  for (const s of g.loose) out += `  ${id.get(s)}["${q(s)}"]\n`;
  for (const p of g.published) out += `  internet -->|"${q(p.ports)}"| ${id.get(p.service)}\n`;
  for (const f of g.flows) {
    out += f.port == null ? `  ${id.get(f.from)} --> ${id.get(f.to)}\n` : `  ${id.get(f.from)} -->|"${f.port}"| ${id.get(f.to)}\n`;
  }
  return out;
}

/** How many arrows the graph has: one per published service and one per flow. */
export function arrowCount(g) {
  return g.published.length + g.flows.length;
}

/**
 * Runs in the page (pass it to page.evaluate). `spec`:
 * - `root`: selector of the <svg>;
 * - `kind`: 'ours' or 'mermaid' (how arrows name their ends and cards their names).
 * Every coordinate is taken in the root <svg>'s own units (its viewBox), through each
 * element's transform to the root.
 *
 * Returns counts that mean the same for both drawings:
 * - `crossings`: points where two arrows cross (one passes from one side of the other
 *   to the other side; touching, running along each other, or meeting within 8 units
 *   of either arrow's ends does not count), counted once per point per pair;
 * - `throughCards`: (arrow, card) pairs where the arrow runs inside a card (its box
 *   less 2 units each side) that is not one of its ends; ending at a card's edge is
 *   not running through it;
 * - `throughTiers`: (arrow, tier box) pairs where the arrow runs inside a tier box
 *   (less 2 units) that holds neither of its ends (a card is in a box when its centre
 *   is);
 * - `labelOverlaps`: pairs of an arrow label and another label or a card whose boxes
 *   (less 1 unit each side) overlap;
 * - `labelsCrossed`: (arrow, label) pairs where the arrow runs inside the label's box
 *   (less 1 unit);
 * - `width`, `height` (viewBox), `namePx`: the smallest card-name text in pixels when
 *   the whole drawing is scaled to fit a 1920x1080 screen.
 */
export function measureInPage(spec) {
  // A path's `d` as points: lines as they are, curves and arcs in 16 chords each.
  function flatten(d) {
    const tokens = d.match(/[MmLlHhVvCcSsQqTtZzAa]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) || [];
    const out = [];
    let i = 0, cmd = '', x = 0, y = 0, sx = 0, sy = 0, cx = 0, cy = 0, last = '';
    const num = () => parseFloat(tokens[i++]);
    const curve = (p0, p1, p2, p3) => {
      for (let k = 1; k <= 16; k++) {
        const t = k / 16, u = 1 - t;
        out.push(p3
          ? { x: u * u * u * p0.x + 3 * u * u * t * p1.x + 3 * u * t * t * p2.x + t * t * t * p3.x, y: u * u * u * p0.y + 3 * u * u * t * p1.y + 3 * u * t * t * p2.y + t * t * t * p3.y }
          : { x: u * u * p0.x + 2 * u * t * p1.x + t * t * p2.x, y: u * u * p0.y + 2 * u * t * p1.y + t * t * p2.y });
      }
    };
    while (i < tokens.length) {
      if (/[A-Za-z]/.test(tokens[i])) cmd = tokens[i++];
      const rel = cmd === cmd.toLowerCase();
      const ox = rel ? x : 0, oy = rel ? y : 0;
      switch (cmd.toUpperCase()) {
        case 'M': x = ox + num(); y = oy + num(); sx = x; sy = y; out.push({ x, y }); cmd = rel ? 'l' : 'L'; break;
        case 'L': x = ox + num(); y = oy + num(); out.push({ x, y }); break;
        case 'H': x = (rel ? x : 0) + num(); out.push({ x, y }); break;
        case 'V': y = (rel ? y : 0) + num(); out.push({ x, y }); break;
        case 'C': {
          const p1 = { x: ox + num(), y: oy + num() }, p2 = { x: ox + num(), y: oy + num() }, p3 = { x: ox + num(), y: oy + num() };
          curve({ x, y }, p1, p2, p3); cx = p2.x; cy = p2.y; x = p3.x; y = p3.y; break;
        }
        case 'S': {
          const p1 = /[CS]/i.test(last) ? { x: 2 * x - cx, y: 2 * y - cy } : { x, y };
          const p2 = { x: ox + num(), y: oy + num() }, p3 = { x: ox + num(), y: oy + num() };
          curve({ x, y }, p1, p2, p3); cx = p2.x; cy = p2.y; x = p3.x; y = p3.y; break;
        }
        case 'Q': {
          const p1 = { x: ox + num(), y: oy + num() }, p2 = { x: ox + num(), y: oy + num() };
          curve({ x, y }, p1, p2); cx = p1.x; cy = p1.y; x = p2.x; y = p2.y; break;
        }
        case 'T': {
          const p1 = /[QT]/i.test(last) ? { x: 2 * x - cx, y: 2 * y - cy } : { x, y };
          const p2 = { x: ox + num(), y: oy + num() };
          curve({ x, y }, p1, p2); cx = p1.x; cy = p1.y; x = p2.x; y = p2.y; break;
        }
        case 'A': {
          // Endpoint to centre form (SVG 1.1, appendix F.6), then 16 chords.
          let rx = Math.abs(num()), ry = Math.abs(num());
          const phi = (num() * Math.PI) / 180, large = num() !== 0, sweep = num() !== 0;
          const x2 = ox + num(), y2 = oy + num();
          if (rx === 0 || ry === 0) { x = x2; y = y2; out.push({ x, y }); break; }
          const cos = Math.cos(phi), sin = Math.sin(phi);
          const dx = (x - x2) / 2, dy = (y - y2) / 2;
          const x1p = cos * dx + sin * dy, y1p = -sin * dx + cos * dy;
          const lambda = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry);
          if (lambda > 1) { rx *= Math.sqrt(lambda); ry *= Math.sqrt(lambda); }
          const num2 = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
          let coef = Math.sqrt(Math.max(0, num2 / (rx * rx * y1p * y1p + ry * ry * x1p * x1p)));
          if (large === sweep) coef = -coef;
          const cxp = (coef * rx * y1p) / ry, cyp = (-coef * ry * x1p) / rx;
          const ccx = cos * cxp - sin * cyp + (x + x2) / 2, ccy = sin * cxp + cos * cyp + (y + y2) / 2;
          const ang = (ux, uy, vx, vy) => Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
          const t1 = ang(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry);
          let dt = ang((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry);
          if (!sweep && dt > 0) dt -= 2 * Math.PI;
          if (sweep && dt < 0) dt += 2 * Math.PI;
          for (let k = 1; k <= 16; k++) {
            const t = t1 + (dt * k) / 16;
            out.push({ x: ccx + rx * Math.cos(t) * cos - ry * Math.sin(t) * sin, y: ccy + rx * Math.cos(t) * sin + ry * Math.sin(t) * cos });
          }
          x = x2; y = y2;
          break;
        }
        case 'Z': x = sx; y = sy; out.push({ x, y }); break;
        default: i++;
      }
      last = cmd;
    }
    return out;
  }
  // The point at distance `at` along points.
  function along(pts, at) {
    let run = 0;
    for (let k = 1; k < pts.length; k++) {
      const l = Math.hypot(pts[k].x - pts[k - 1].x, pts[k].y - pts[k - 1].y);
      if (run + l >= at && l > 0) {
        const t = (at - run) / l;
        return { x: pts[k - 1].x + (pts[k].x - pts[k - 1].x) * t, y: pts[k - 1].y + (pts[k].y - pts[k - 1].y) * t };
      }
      run += l;
    }
    return pts[pts.length - 1];
  }
  const svg = document.querySelector(spec.root);
  const vb = svg.viewBox.baseVal;
  const rootInv = svg.getScreenCTM().inverse();
  const toRoot = (el) => rootInv.multiply(el.getScreenCTM());
  const scaleOf = (m) => Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
  const boxOf = (el) => {
    const b = el.getBBox();
    const m = toRoot(el);
    const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
    const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
    return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
  };
  const shrink = (b, d) => ({ x0: b.x0 + d, y0: b.y0 + d, x1: b.x1 - d, y1: b.y1 - d });
  const inside = (b, p) => p.x > b.x0 && p.x < b.x1 && p.y > b.y0 && p.y < b.y1;
  // Whether a segment has any point strictly inside a box (Liang–Barsky clipping).
  const hits = (b, p, q) => {
    let t0 = 0, t1 = 1;
    for (const [o, d, lo, hi] of [[p.x, q.x - p.x, b.x0, b.x1], [p.y, q.y - p.y, b.y0, b.y1]]) {
      if (Math.abs(d) < 1e-12) {
        if (!(o > lo && o < hi)) return false;
      } else {
        let a = (lo - o) / d, c = (hi - o) / d;
        if (a > c) [a, c] = [c, a];
        t0 = Math.max(t0, a);
        t1 = Math.min(t1, c);
      }
    }
    return t1 - t0 > 1e-9;
  };
  const runsInside = (b, pts) => pts.some((p, k) => k > 0 && hits(b, pts[k - 1], p));
  const overlap = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const distToBox = (b, p) => Math.hypot(Math.max(b.x0 - p.x, 0, p.x - b.x1), Math.max(b.y0 - p.y, 0, p.y - b.y1));

  // Cards, with a name each.
  let cards;
  if (spec.kind === 'ours') {
    cards = [...svg.querySelectorAll('rect.card')].map((r) => ({ name: r.parentNode.getAttribute('data-service'), box: boxOf(r) }));
  } else {
    cards = [...svg.querySelectorAll('g.node')]
      .map((n) => ({ id: (n.id.match(/flowchart-([A-Za-z0-9]+)-\d+$/) || [])[1], n }))
      .filter((c) => c.id && c.id !== 'internet')
      .map((c) => ({ name: c.id, box: boxOf(c.n.querySelector('.label-container') || c.n) }));
  }
  const cardByName = new Map(cards.map((c) => [c.name, c]));

  // Arrows as points along them, with their end cards.
  const arrowEls = [...svg.querySelectorAll(spec.kind === 'ours' ? 'path.flow' : 'path.flowchart-link')];
  const arrows = arrowEls.map((p) => {
    const m = toRoot(p);
    const local = flatten(p.getAttribute('d') || '');
    // The flattened path is the rendered one: same length, same points along it.
    const len = p.getTotalLength();
    let flat = 0;
    for (let k = 1; k < local.length; k++) flat += Math.hypot(local[k].x - local[k - 1].x, local[k].y - local[k - 1].y);
    if (Math.abs(flat - len) > Math.max(1, len * 0.01)) throw new Error(`path ${p.id || p.getAttribute('d').slice(0, 60)}: flattened length ${flat}, browser ${len}`);
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      const want = p.getPointAtLength(len * f);
      const got = along(local, flat * f);
      if (Math.hypot(want.x - got.x, want.y - got.y) > Math.max(1.5, len * 0.01)) throw new Error(`path ${p.getAttribute('d').slice(0, 60)}: point at ${f} is ${JSON.stringify(got)}, browser ${want.x},${want.y}`);
    }
    const pts = local.map((q) => new DOMPoint(q.x, q.y).matrixTransform(m));
    // Points in a straight line are one segment (orthogonal arrows are mostly that).
    const line = [pts[0]];
    for (let k = 1; k < pts.length - 1; k++) {
      const a = line[line.length - 1], b = pts[k], c = pts[k + 1];
      const turn = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
      if (Math.abs(turn) > 1e-6 || Math.hypot(b.x - a.x, b.y - a.y) < 1e-9) line.push(b);
    }
    line.push(pts[pts.length - 1]);
    pts.length = 0;
    pts.push(...line);
    let ends;
    if (spec.kind === 'ours') {
      ends = [pts[0], pts[pts.length - 1]].map((q) => {
        let best = null, bestD = 3;
        for (const c of cards) { const d = distToBox(c.box, q); if (d <= bestD) { best = c; bestD = d; } }
        return best ? best.name : null;
      });
    } else {
      const [, from, to] = (p.getAttribute('data-id') || '').split('_');
      ends = [from, to].map((n) => (cardByName.has(n) ? n : null));
    }
    return { pts, ends: new Set(ends.filter(Boolean)), tips: [pts[0], pts[pts.length - 1]] };
  });

  // Crossings: segments in a grid of cells; a pair of segments is tested in the one
  // cell where the overlap of their bounding boxes starts, so once.
  const CELL = 24;
  const grid = new Map();
  const segs = [];
  arrows.forEach((a, ai) => {
    for (let k = 1; k < a.pts.length; k++) {
      const p = a.pts[k - 1], q = a.pts[k];
      const s = { ai, p, q, next: a.pts[k + 1], x0: Math.min(p.x, q.x), y0: Math.min(p.y, q.y), x1: Math.max(p.x, q.x), y1: Math.max(p.y, q.y) };
      segs.push(s);
      for (let cx = Math.floor(s.x0 / CELL); cx <= Math.floor(s.x1 / CELL); cx++) {
        for (let cy = Math.floor(s.y0 / CELL); cy <= Math.floor(s.y1 / CELL); cy++) {
          const key = cx * 100003 + cy;
          let list = grid.get(key);
          if (!list) grid.set(key, (list = []));
          list.push(s);
        }
      }
    }
  });
  const orient = (a, b, c) => (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  const EPS = 1e-9;
  const sign = (v) => (v > EPS ? 1 : v < -EPS ? -1 : 0);
  const points = new Map(); // "ai,bi" -> [points]
  for (const [key, list] of grid) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        let A = list[i], B = list[j];
        if (A.ai === B.ai) continue;
        const ox0 = Math.max(A.x0, B.x0), oy0 = Math.max(A.y0, B.y0);
        if (ox0 > Math.min(A.x1, B.x1) || oy0 > Math.min(A.y1, B.y1)) continue;
        if (Math.floor(ox0 / CELL) * 100003 + Math.floor(oy0 / CELL) !== key) continue;
        if (A.ai > B.ai) [A, B] = [B, A];
        // A proper crossing of two segments; or one arrow's corner lying on the other's
        // segment with the arrow coming from one side and going on to the other.
        const d1 = sign(orient(B.p, B.q, A.p)), d2 = sign(orient(B.p, B.q, A.q));
        const d3 = sign(orient(A.p, A.q, B.p)), d4 = sign(orient(A.p, A.q, B.q));
        let x = null;
        if (d1 * d2 < 0 && d3 * d4 < 0) {
          const t = orient(B.p, B.q, A.p) / (orient(B.p, B.q, A.p) - orient(B.p, B.q, A.q));
          x = { x: A.p.x + (A.q.x - A.p.x) * t, y: A.p.y + (A.q.y - A.p.y) * t };
        } else {
          const through = (S, T, dq) => {
            if (dq !== 0 || !S.next) return null;
            const len2 = (T.q.x - T.p.x) ** 2 + (T.q.y - T.p.y) ** 2;
            const u = ((S.q.x - T.p.x) * (T.q.x - T.p.x) + (S.q.y - T.p.y) * (T.q.y - T.p.y)) / len2;
            if (!(u > 1e-9 && u < 1 - 1e-9)) return null;
            const before = sign(orient(T.p, T.q, S.p)), after = sign(orient(T.p, T.q, S.next));
            return before * after < 0 ? S.q : null;
          };
          x = through(A, B, d2) || through(B, A, d4);
        }
        if (!x) continue;
        if ([...arrows[A.ai].tips, ...arrows[B.ai].tips].some((e) => Math.hypot(e.x - x.x, e.y - x.y) < 8)) continue;
        const pair = `${A.ai},${B.ai}`;
        let found = points.get(pair);
        if (!found) points.set(pair, (found = []));
        if (!found.some((f) => Math.hypot(f.x - x.x, f.y - x.y) < 3)) found.push(x);
      }
    }
  }
  let crossings = 0;
  for (const list of points.values()) crossings += list.length;
  // Which arrows cross, when asked (for looking into a drawing).
  const pairs = spec.pairs
    ? [...points.entries()].map(([k, list]) => [...k.split(',').map((i) => arrowEls[Number(i)].parentNode.querySelector('title')?.textContent || arrowEls[Number(i)].getAttribute('data-id')), list.length])
    : undefined;

  // Arrows through cards and tiers.
  let throughCards = 0;
  const inner = cards.map((c) => ({ name: c.name, box: shrink(c.box, 2) }));
  for (const a of arrows) {
    for (const c of inner) {
      if (a.ends.has(c.name)) continue;
      if (runsInside(c.box, a.pts)) throughCards++;
    }
  }
  const tierEls = [...svg.querySelectorAll(spec.kind === 'ours' ? 'rect.tier' : 'g.cluster > rect')];
  const tiers = tierEls.map((r) => boxOf(r));
  const centre = (b) => ({ x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 });
  let throughTiers = 0;
  for (const a of arrows) {
    const endBoxes = [...a.ends].map((n) => cardByName.get(n).box);
    for (const t of tiers) {
      if (endBoxes.some((b) => inside(t, centre(b)))) continue;
      const tin = shrink(t, 2);
      if (runsInside(tin, a.pts)) throughTiers++;
    }
  }

  // Labels against labels and cards.
  const labelEls = spec.kind === 'ours'
    ? [...svg.querySelectorAll('text.lbl')]
    : [...svg.querySelectorAll('g.edgeLabel foreignObject')];
  const labels = labelEls.map(boxOf).filter((b) => b.x1 - b.x0 > 0.5 && b.y1 - b.y0 > 0.5).map((b) => shrink(b, 1));
  let labelOverlaps = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) if (overlap(labels[i], labels[j])) labelOverlaps++;
    for (const c of cards) if (overlap(labels[i], shrink(c.box, 1))) labelOverlaps++;
  }
  // Arrows running through a label's text (Mermaid sets every label on its own arrow,
  // so this says something of our drawing only).
  let labelsCrossed = 0;
  for (const a of arrows) for (const l of labels) if (runsInside(l, a.pts)) labelsCrossed++;

  // The card names' size when the drawing fills a 1920x1080 screen.
  const fit = Math.min(1920 / vb.width, 1080 / vb.height);
  const nameEls = spec.kind === 'ours'
    ? [...svg.querySelectorAll('text.cn')].map((t) => [t, t])
    : [...svg.querySelectorAll('g.node')].filter((n) => !/flowchart-internet-/.test(n.id)).map((n) => [n.querySelector('.nodeLabel'), n.querySelector('foreignObject')]);
  let namePx = Infinity;
  for (const [text, frame] of nameEls) {
    if (!text || !frame) continue;
    const px = parseFloat(getComputedStyle(text).fontSize) * scaleOf(toRoot(frame)) * fit;
    namePx = Math.min(namePx, px);
  }
  return {
    arrows: arrows.length,
    cards: cards.length,
    crossings,
    throughCards,
    throughTiers,
    labelOverlaps,
    labelsCrossed,
    width: Math.round(vb.width),
    height: Math.round(vb.height),
    namePx: Number.isFinite(namePx) ? Math.round(namePx * 10) / 10 : 0,
    pairs,
  };
}
