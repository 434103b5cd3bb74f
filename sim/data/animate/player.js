// samenspel animate: plays a run (or two, side by side) month by month. Plain JS, no library,
// no network: everything it shows is in the JSON block #samenspel-data, every word in it
// comes from the language catalogue (sim/data/i18n), numbers already formatted by Babel.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("samenspel-data").textContent);
  const W = DATA.words;
  const SVG = document.getElementById("svgns").namespaceURI; // inline SVG's namespace
  const VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962",
    "#addc30", "#fde725"];
  const CIVIDIS = ["#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8779", "#a69d75",
    "#c4b56c", "#e4cf5b", "#fee838"];
  const SPEEDS = [0.5, 1, 2, 4];
  const S = DATA.states.length; // a municipality's row: its states, then paid, withheld, words
  const OWN = DATA.ownership; // where in the row its ownership is (the ring)
  const FORUM = 2, CONVERSATION = 1; // bits of a frame's `mk` (animate.MARKED)
  const BASE_MS = 700; // one month per 0.7 s at speed 1: ten years in 84 s

  let t = 0; // calendar month shown
  let timer = null;
  let speed = 1;
  let state = 0; // index into DATA.states

  const projector = () => document.body.classList.contains("projector");
  function hex(c) { return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)); }
  function mix(a, b, f) {
    const x = hex(a), y = hex(b);
    return "rgb(" + x.map((v, i) => Math.round(v + (y[i] - v) * f)).join(",") + ")";
  }
  function scale(stops, v) {
    if (v === null || v === undefined) return "#bdbdbd";
    const f = Math.min(Math.max(v, 0), 1) * (stops.length - 1);
    const i = Math.min(Math.floor(f), stops.length - 2);
    return mix(stops[i], stops[i + 1], f - i);
  }
  const stateColour = (v) => scale(projector() ? CIVIDIS : VIRIDIS, v);
  const trustColour = (v) => mix("#d4d4d4", projector() ? "#000000" : "#0072b2", Math.min(Math.max(v, 0), 1));
  function el(tag, attrs, text) {
    const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function gradient(stops) { return "linear-gradient(to right," + stops.join(",") + ")"; }

  // --- one panel per run --------------------------------------------------------------------
  function Panel(run, k) {
    const root = el("section", { class: "panel", "data-panel": String(k) });
    const h = el("h2");
    const name = el("span", {}, run.title);
    const when = el("span");
    const month = el("span", { class: "panel-month" });
    const status = el("span", { class: "status" });
    when.append(month, status);
    // the run's timeline, between its name and its month: marks at its forums and conversations
    const timeline = el("svg:svg", { class: "timeline", viewBox: "0 0 200 10", preserveAspectRatio: "none", "aria-hidden": "true" });
    h.append(name, timeline, when);
    root.append(h, el("small", { class: "sub" }, run.subtitle));
    const body = el("div", { class: "body" });
    const map = el("svg:svg", { class: "map", role: "img", "aria-label": run.title });
    const side = el("div", { class: "side" });
    const tablesBox = el("div");
    tablesBox.append(el("h3", {}, W.tables));
    const tables = el("ul", { class: "tables" });
    tablesBox.append(tables);
    const projBox = el("div");
    projBox.append(el("h3", {}, W.coalitions));
    const projects = el("ul", { class: "projects" });
    projBox.append(projects);
    side.append(tablesBox, projBox);
    body.append(map, side);
    // The month's events: as many as fit, the whole sentence on a click (and as its title).
    const caption = el("details", { class: "caption" });
    const summary = el("summary", { "aria-live": "polite" });
    const full = el("p", { class: "full" });
    caption.append(summary, full);
    const strip = el("div", { class: "strip" });
    root.append(body, caption, strip);

    // The map: circles at their places, each name beside its circle where the layout for the
    // chosen type size put it (sim/present/labels.py), the map framed around them all.
    const U = 1000;
    const ms = run.munis;
    map.setAttribute("preserveAspectRatio", "xMidYMid meet");
    const gLines = el("svg:g"), gNodes = el("svg:g"), gLabels = el("svg:g");
    map.append(gLines, gNodes, gLabels);
    const n = ms.length;
    const wedges = [];
    for (let i = 0; i < n; i++) {
      wedges.push([]);
      for (let j = 0; j < n; j++) {
        if (i === j) { wedges[i].push(null); continue; }
        const p = el("svg:polygon", { "data-from": ms[i].name, "data-to": ms[j].name });
        p.append(el("svg:title"));
        gLines.append(p);
        wedges[i].push(p);
      }
    }
    const circles = ms.map((m) => {
      const g = el("svg:g");
      m.px = m.x * U; m.py = m.y * U;
      const c = el("svg:circle", { r: m.r * U, stroke: "#000", "stroke-width": m.centre ? 4 : 2 });
      const tip = el("svg:title");
      c.append(tip);
      // ownership: a ring just inside the circle's edge, a third of its radius wide, filled
      // clockwise from the top; on a white track, so that the state's colour stays inside it
      const band = Math.max(0.3 * m.r * U, 10);
      const rr = m.r * U - (m.centre ? 2 : 1) - band / 2;
      const ring = { fill: "none", "pointer-events": "none" };
      const track = el("svg:path", { ...ring, class: "own-track", "stroke-width": band });
      const own = el("svg:path", { ...ring, class: "own-arc", "stroke-width": band - 4, pathLength: 100 });
      g.append(c, track, own);
      gNodes.append(g);
      const label = el("svg:text", { class: "mlabel" });
      const parts = (m.lines || [m.name]).map((line) => el("svg:tspan", { lengthAdjust: "spacingAndGlyphs" }, line));
      label.append(...parts);
      const paid = el("svg:text", { class: "mark-paid", lengthAdjust: "spacingAndGlyphs" });
      const withheld = el("svg:text", { class: "mark-withheld", lengthAdjust: "spacingAndGlyphs" });
      const lead = el("svg:line", { class: "lead" });
      if (run.layouts.length) gLabels.append(lead, label, paid, withheld);
      return { c, tip, own, track, rr, label, parts, paid, withheld, lead };
    });
    // circle i where the layout puts it, its ring with it
    function place(i) {
      const m = ms[i], q = circles[i], rr = q.rr;
      q.c.setAttribute("cx", m.px); q.c.setAttribute("cy", m.py);
      const d = "M " + m.px + " " + (m.py - rr) + " a " + rr + " " + rr + " 0 1 1 0 " + 2 * rr +
        " a " + rr + " " + rr + " 0 1 1 0 " + -2 * rr; // a circle, clockwise from the top
      q.track.setAttribute("d", d); q.own.setAttribute("d", d);
    }
    ms.forEach((m, i) => place(i));
    let layout = null;
    // The smallest layout whose names come out at least `wanted` pixels on the map as drawn
    // (the same rule as sim/present/labels.py, `choose`).
    function chooseLayout() {
      const W = map.clientWidth || 1, H = map.clientHeight || 1;
      const scale = (o) => Math.min(W / o.view[2], H / o.view[3]);
      const wanted = parseFloat(getComputedStyle(document.body).fontSize) * (projector() ? 1 : 1.1);
      const fit = run.layouts.filter((o) => o.size * scale(o) >= wanted);
      const key = fit.length ? scale : (o) => o.size * scale(o);
      // the largest by `key`, the least spread of equals (as labels.choose's max)
      return (fit.length ? fit : run.layouts).reduce((a, b) => (key(b) > key(a) || (key(b) === key(a) && b.spread < a.spread) ? b : a));
    }
    function frameMap() {
      if (!run.layouts.length) {
        let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
        for (const m of ms) {
          x0 = Math.min(x0, (m.x - m.r) * U); x1 = Math.max(x1, (m.x + m.r) * U);
          y0 = Math.min(y0, (m.y - m.r) * U); y1 = Math.max(y1, (m.y + m.r) * U);
        }
        map.setAttribute("viewBox", [x0 - 20, y0 - 20, x1 - x0 + 40, y1 - y0 + 40].join(" "));
        return;
      }
      layout = chooseLayout();
      map.setAttribute("viewBox", layout.view.join(" "));
      layout.at.forEach((p, i) => { ms[i].px = p[0]; ms[i].py = p[1]; place(i); });
      map.style.setProperty("--label", layout.size + "px");
      layout.labels.forEach((b, i) => {
        const c = circles[i];
        // b: baseline, x of ✓, x of ✗, their rooms, then x and width of each line of the name
        c.parts.forEach((part, q) => {
          part.setAttribute("x", b[5 + 2 * q]); part.setAttribute("y", b[0] + q * layout.line);
          part.setAttribute("textLength", b[6 + 2 * q]);
        });
        c.paid.setAttribute("x", b[1]); c.paid.setAttribute("y", b[0]);
        c.withheld.setAttribute("x", b[2]); c.withheld.setAttribute("y", b[0]);
        c.room = [b[3], b[4]];
        const lead = layout.leads[i]; // a line to a label that stands off its circle
        c.lead.style.display = lead ? "" : "none";
        if (lead) ["x1", "y1", "x2", "y2"].forEach((a, q) => c.lead.setAttribute(a, lead[q]));
      });
    }
    // A mark's text, squeezed into the room its label keeps for it when it has more to say.
    function mark(node, sign, count, room) {
      node.textContent = count ? sign + (count > 1 ? count : "") : "";
      if (count > 9) node.setAttribute("textLength", room); else node.removeAttribute("textLength");
    }

    function drawTrust(trust) {
      const P = projector();
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const v = trust[i][j];
        const a = ms[i], b = ms[j];
        const dx = b.px - a.px, dy = b.py - a.py, d = Math.hypot(dx, dy) || 1;
        const ux = dx / d, uy = dy / d, px = uy, py = -ux; // to the right of i -> j... mirrored by SVG's y
        const off = P ? 9 : 7;
        const w = (P ? 3 : 2) + (P ? 22 : 16) * (v || 0); // wide at the one who trusts
        const sx = a.px + ux * a.r * U, sy = a.py + uy * a.r * U;
        const ex = b.px - ux * b.r * U, ey = b.py - uy * b.r * U;
        const pts = [
          [sx + px * off, sy + py * off], [sx + px * (off + w), sy + py * (off + w)],
          [ex + px * (off + 2), ey + py * (off + 2)], [ex + px * off, ey + py * off],
        ];
        const poly = wedges[i][j];
        poly.setAttribute("points", pts.map((q) => q[0].toFixed(1) + "," + q[1].toFixed(1)).join(" "));
        poly.setAttribute("fill", trustColour(v || 0));
        poly.setAttribute("fill-opacity", P ? "0.95" : "0.8");
        poly.firstChild.textContent = a.name + " → " + b.name + ": " + W.trust + " " + run.trustText(v);
      }
    }

    // The running strip: each series over the whole run, drawn up to the month shown.
    const sparks = run.strip.map((s, q) => {
      const fig = el("figure");
      const cap = el("figcaption");
      const svg = el("svg:svg", { viewBox: "0 0 200 40", preserveAspectRatio: "none" });
      const path = el("svg:polyline", { fill: "none", "stroke-width": 2.2, "vector-effect": "non-scaling-stroke" });
      const dot = el("svg:circle", { r: 3.2 });
      svg.append(path, dot);
      fig.append(cap, svg);
      strip.append(fig);
      const vals = run.frames.map((f) => f.s[q]).filter((v) => v !== null);
      let lo = Math.min(...vals, 0), hi = Math.max(...vals, 1e-9);
      if (hi - lo < 1e-9) hi = lo + 1;
      return { cap, path, dot, lo, hi, label: s.label, unit: s.unit, when: s.when, short: s.short };
    });
    function drawStrip(upto) {
      const N = Math.max(run.frames.length - 1, 1);
      sparks.forEach((sp, q) => {
        const pts = [];
        for (let i = 0; i <= upto; i++) {
          const v = run.frames[i].s[q];
          if (v === null) continue;
          pts.push([(200 * i) / N, 38 - (36 * (v - sp.lo)) / (sp.hi - sp.lo)]);
        }
        sp.path.setAttribute("points", pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "));
        sp.path.setAttribute("stroke", projector() ? "#000" : "#0072b2");
        const last = pts[pts.length - 1];
        if (last) { sp.dot.setAttribute("cx", last[0]); sp.dot.setAttribute("cy", last[1]); }
        sp.dot.setAttribute("fill", projector() ? "#000" : "#0072b2");
        sp.dot.style.display = last ? "" : "none";
        const f = upto >= 0 ? run.frames[upto] : run.initial;
        sp.cap.textContent = "";
        // the number, and its unit a little smaller: they may part at the space between them,
        // never inside the unit
        const value = el("b", {}, f.st[q]);
        if (sp.unit) value.append(" ", el("span", { class: "unit" }, sp.unit.replace(/ /g, "\u00a0")));
        sp.cap.append(el("span", { class: "what long" }, sp.label), el("span", { class: "what short" }, sp.short), value);
        value.append(" ", el("span", { class: "when" }, sp.when));
        sp.cap.title = sp.label;
      });
    }

    // The timeline under the caption: a mark at each month with a forum (tall) or an honest
    // conversation (short), and where the run is now. Hidden for a run with neither.
    const N = Math.max(run.frames.length - 1, 1);
    const tx = (i) => (200 * i) / N;
    run.marked = run.frames.some((f) => f.mk);
    timeline.style.display = run.marked ? "" : "none";
    const cursor = el("svg:rect", { class: "tl-now", y: 0, width: 3, height: 10 });
    timeline.append(cursor);
    run.frames.forEach((f, i) => {
      if (f.mk & FORUM) timeline.append(el("svg:rect", { class: "tl-forum", x: tx(i) - 0.5, y: 0, width: 1, height: 10 }));
      if (f.mk & CONVERSATION) timeline.append(el("svg:rect", { class: "tl-conversation", x: tx(i) - 0.5, y: 5, width: 1, height: 5 }));
    });

    function show(index) {
      const f = index < 0 ? run.initial : run.frames[index];
      const over = t > run.lastCalendar; // ended: its last month stays, nothing happens any more
      month.textContent = over ? "" : DATA.calendar[t];
      status.textContent = index < 0 ? run.notStarted : (over ? run.ended : "");
      root.classList.toggle("waiting", index < 0);
      root.classList.toggle("ended", over);
      drawTrust(f.t);
      f.m.forEach((m, i) => {
        const c = circles[i];
        c.c.setAttribute("fill", stateColour(m[state]));
        c.tip.textContent = run.tooltip(i, m);
        const own = m[OWN] === null ? 0 : Math.min(Math.max(m[OWN], 0), 1);
        c.own.setAttribute("stroke-dasharray", (own * 100).toFixed(1) + " 100");
        mark(c.paid, "✓", over ? 0 : m[S], c.room ? c.room[0] : 0);
        mark(c.withheld, "✗", over ? 0 : m[S + 1], c.room ? c.room[1] : 0);
      });
      tables.textContent = "";
      f.tb.forEach((tb, q) => {
        const met = tb[0] && !over;
        const li = el("li", { class: met ? "met" : "" });
        const left = el("span");
        left.append(run.themes[q].label + " ", el("span", { class: "arr" }, run.themes[q].arrangement));
        const right = el("span", { class: "count" }, (met ? "● " : "○ ") + (tb[1] + tb[2]));
        li.title = run.themes[q].label + " (" + run.themes[q].arrangement + "): " + (met ? W.met : W.not_met) + "; " + tb[3];
        li.append(left, right);
        tables.append(li);
      });
      projects.textContent = "";
      const rows = f.p.map((p) => [p, "run"]).concat(f.c.map((c) => [c, "closed"]));
      if (!rows.length) projects.append(el("li", { class: "none" }, W.no_projects));
      for (const [p, kind] of rows) {
        const li = el("li", { class: kind === "closed" ? "closed" : (p[2] ? "new" : "") });
        const head = W.project.replace("{pid}", p[0]).replace("{theme}", run.themes[p[1]].label);
        li.append(el("div", {}, head + (kind === "closed" ? " (" + p[2] + ")" : "")));
        if (kind === "run") {
          for (const [mi, mode] of p[3]) {
            const chip = el("span", { class: "chip " + mode, title: W["mode_" + mode] }, ms[mi].short);
            li.append(chip);
          }
        }
        projects.append(li);
      }
      tell(over ? run.ended : f.caption);
      fitList(tables);
      fitList(projects);
      cursor.setAttribute("x", tx(Math.max(index, 0)) - 1.5);
      cursor.style.display = index < 0 ? "none" : "";
      drawStrip(Math.min(index, run.frames.length - 1));
    }
    // The caption's events, as many as fit its lines, then "and n more"; all of them on a click.
    function tell(text) {
      full.textContent = text;
      caption.title = text;
      const cut = text.indexOf(": ");
      const events = (cut > 0 && cut < 40 ? text.slice(cut + 2) : text).split(W.separator);
      for (let k = events.length; k >= 1; k--) {
        const rest = events.length - k;
        summary.textContent = events.slice(0, k).join(W.separator) + (rest ? " " + W.caption_more.replace("{count}", rest) : "");
        if (summary.scrollHeight <= summary.clientHeight + 1) { caption.classList.toggle("cut", rest > 0); return; }
      }
      let words = events[0].split(" "); // one event longer than the lines: as many words as fit
      while (words.length > 1 && summary.scrollHeight > summary.clientHeight + 1) {
        words = words.slice(0, -1);
        summary.textContent = words.join(" ") + "… " + W.caption_more.replace("{count}", events.length - 1 || 1);
      }
      caption.classList.add("cut");
    }
    // The items of a list that fit its box, then "and n more" (all of them in its title).
    function fitList(list) {
      const items = [...list.children];
      const box = list.getBoundingClientRect();
      const out = items.filter((li) => li.getBoundingClientRect().bottom > box.bottom + 0.5);
      if (!out.length) return;
      const more = el("li", { class: "more" });
      list.append(more);
      let hidden = out.length;
      for (let k = items.length - out.length; k >= 0; k--) {
        hidden = items.length - k;
        items.forEach((li, q) => { li.style.display = q < k ? "" : "none"; });
        more.textContent = W.projects_more.replace("{count}", hidden);
        if (more.getBoundingClientRect().bottom <= box.bottom + 0.5) break;
      }
      if (more.getBoundingClientRect().bottom > box.bottom + 0.5) more.style.display = "none"; // no room at all
      more.title = items.map((li) => li.textContent).join("\n");
    }
    return { root, show, marked: run.marked, frameMap };
  }

  // --- the page -----------------------------------------------------------------------------
  for (const run of DATA.runs) {
    run.munis.forEach((m) => { m.short = m.short || m.name; });
    run.trustText = (v) => (v === null ? W.not_available : run.numbers[Math.round(v * 100)]);
    run.tooltip = (i, m) => W.tooltip.replace("{name}", run.munis[i].name)
      .replace("{inhabitants}", run.munis[i].popText).replace("{energy}", m[S + 2])
      .replace("{legitimacy}", m[S + 3]).replace("{pledges}", m[S + 4])
      .replace("{ownership}", run.trustText(m[OWN]));
  }
  const main = document.getElementById("panels");
  main.className = "n" + DATA.runs.length;
  const panels = DATA.runs.map((run, k) => { const p = Panel(run, k); main.append(p.root); return p; });
  const slider = document.getElementById("slider");
  const label = document.getElementById("month-label");
  const play = document.getElementById("play");
  const speedSel = document.getElementById("speed");
  const stateSel = document.getElementById("state");
  const proj = document.getElementById("projector");
  slider.max = String(DATA.calendar.length - 1);

  function reframe() { panels.forEach((p) => p.frameMap()); }
  window.addEventListener("resize", () => { reframe(); render(); });
  function render() {
    slider.value = String(t);
    label.textContent = DATA.calendar[t];
    panels.forEach((p, k) => p.show(DATA.rows[t][k]));
  }
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; } play.textContent = W.play; play.setAttribute("aria-pressed", "false"); }
  function start() {
    if (t >= DATA.calendar.length - 1) t = 0;
    stop();
    timer = setInterval(() => {
      if (t >= DATA.calendar.length - 1) { stop(); return; }
      t += 1; render();
    }, BASE_MS / speed);
    play.textContent = W.pause; play.setAttribute("aria-pressed", "true");
  }
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  slider.addEventListener("input", () => { t = Number(slider.value); render(); });
  speedSel.addEventListener("change", () => { speed = Number(speedSel.value); if (timer !== null) start(); });
  stateSel.addEventListener("change", () => { state = Number(stateSel.value); legend(); render(); });
  proj.addEventListener("change", () => { document.body.classList.toggle("projector", proj.checked); legend(); reframe(); render(); });
  document.addEventListener("keydown", (e) => {
    if (e.target && (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") && e.key !== " ") return;
    if (e.key === " ") { e.preventDefault(); timer === null ? start() : stop(); }
    else if (e.key === "ArrowRight") { stop(); t = Math.min(t + 1, DATA.calendar.length - 1); render(); }
    else if (e.key === "ArrowLeft") { stop(); t = Math.max(t - 1, 0); render(); }
    else if (e.key === "p" || e.key === "P") { proj.checked = !proj.checked; proj.dispatchEvent(new Event("change")); }
  });
  function legend() {
    document.getElementById("state-legend").textContent = W.colour_legend.replace("{state}", DATA.states[state].label);
    document.getElementById("state-scale").style.background = gradient(projector() ? CIVIDIS : VIRIDIS);
    document.getElementById("trust-scale").style.background = "linear-gradient(to right,#d4d4d4," + (projector() ? "#000000" : "#0072b2") + ")";
  }
  SPEEDS.forEach((s) => speedSel.append(el("option", { value: String(s) }, W.speeds[String(s)])));
  speedSel.value = "1";
  DATA.states.forEach((s, i) => stateSel.append(el("option", { value: String(i) }, s.label)));
  proj.checked = DATA.projector;
  document.body.classList.toggle("projector", DATA.projector);
  document.getElementById("timeline-legend").style.display = panels.some((p) => p.marked) ? "" : "none";
  legend();
  reframe();
  render();
  document.body.setAttribute("data-ready", "1");
})();
