#!/usr/bin/env node
// The table and plot of bench/peers.sh: per level and series (peer, chatws, floor) the medians
// over runs of TTFT and gap percentiles, "added" = series − direct of the same level (medians over
// runs), server CPU per relayed chunk, peak RSS, turns ended with their terminal frame.
// Usage: node bench/peers-report.mjs results.jsonl [plot.svg]
import fs from 'node:fs';

const [file, svgFile] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seriesOf = (r) => r.label.split(':')[0];
const med = (a) => { const s = a.filter(Number.isFinite).sort((x, y) => x - y); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const f = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const levels = [...new Set(rows.map((r) => r.c))].sort((a, b) => a - b);
const names = ['peer', 'chatws', 'floor'].filter((s) => rows.some((r) => seriesOf(r) === s));
const title = { peer: 'peer (Quarkus)', chatws: 'chat-ws', floor: 'floor (Liberty relay)' };

function figures(c, s) {
  const g = rows.filter((r) => r.c === c && seriesOf(r) === s);
  if (!g.length) return null;
  const d = rows.filter((r) => r.c === c && seriesOf(r) === 'direct');
  const dv = (sel) => med(d.map(sel));
  const v = (sel) => med(g.map(sel));
  const server = (r) => (r.procs || []).find((p) => p.name === 'peer');
  const cpu = v((r) => server(r)?.cpuPct);
  const expected = g.reduce((n, r) => n + r.c * r.turnsPerConn, 0);
  const ok = g.reduce((n, r) => n + r.okTurns, 0);
  const errors = g.reduce((n, r) => n + Object.values(r.errors).reduce((a, b) => a + b, 0) + r.contentMismatch, 0);
  return {
    runs: g.length,
    t50: v((r) => r.ttft.p50) - dv((r) => r.ttft.p50),
    t99: v((r) => r.ttft.p99) - dv((r) => r.ttft.p99),
    g50: v((r) => r.gap.p50),
    g99: v((r) => r.gap.p99) - dv((r) => r.gap.p99),
    cpu,
    // µs of server CPU per relayed chunk: CPU seconds per second over chunks per second
    perChunk: v((r) => (server(r)?.cpuPct / 100 / r.tokensPerSec) * 1e6),
    chunksPerSec: v((r) => r.tokensPerSec),
    rss: Math.max(...g.map((r) => server(r)?.rssPeakMb).filter(Number.isFinite)),
    ended: `${ok}/${expected}`,
    errors,
  };
}

const table = new Map();
for (const c of levels) for (const s of names) table.set(c + '|' + s, figures(c, s));

console.log('| streams | series | added TTFT p50 / p99 ms | gap p50 ms | added gap p99 ms | server CPU % | CPU µs per chunk | chunks/s | RSS peak MB | turns ended / asked | errors |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of levels) {
  for (const s of names) {
    const x = table.get(c + '|' + s);
    if (!x) continue;
    console.log(`| ${c} | ${title[s]} | ${f(x.t50)} / ${f(x.t99)} | ${f(x.g50)} | ${f(x.g99)} | ${f(x.cpu)} | ${f(x.perChunk)} | ${f(x.chunksPerSec)} | ${f(x.rss)} | ${x.ended} | ${x.errors} |`);
  }
}
if (names.includes('peer') && names.includes('chatws')) {
  console.log('\nchat-ws at or below the peer (✓) or above it (✗), per level:\n');
  console.log('| streams | added TTFT p50 | added TTFT p99 | added gap p99 | CPU per chunk | RSS peak |');
  console.log('|---|---|---|---|---|---|');
  for (const c of levels) {
    const a = table.get(c + '|chatws'), b = table.get(c + '|peer');
    if (!a || !b) continue;
    const mark = (k) => `${a[k] <= b[k] ? '✓' : '✗'} ${f(a[k])} vs ${f(b[k])}`;
    console.log(`| ${c} | ${mark('t50')} | ${mark('t99')} | ${mark('g99')} | ${mark('perChunk')} | ${mark('rss')} |`);
  }
}

if (svgFile) fs.writeFileSync(svgFile, plot());

// Two panels against streams (log scale): added gap p99, and server CPU per relayed chunk.
function plot() {
  const W = 460, H = 300, L = 60, R = 15, T = 40, B = 45;
  const colors = { peer: '#d62728', chatws: '#1f77b4', floor: '#7f7f7f' };
  const panel = (x0, key, label) => {
    const values = names.flatMap((s) => levels.map((c) => table.get(c + '|' + s)?.[key])).filter(Number.isFinite);
    const top = nice(Math.max(1, ...values));
    const bottom = Math.min(0, ...values);
    const px = (i) => x0 + L + (levels.length === 1 ? 0.5 : i / (levels.length - 1)) * (W - L - R);
    const py = (v) => T + (1 - (v - bottom) / (top - bottom)) * (H - T - B);
    let s = `<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-size="14">${label}</text>`;
    for (let k = 0; k <= 4; k++) {
      const v = bottom + ((top - bottom) * k) / 4;
      s += `<line x1="${x0 + L}" x2="${x0 + W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/><text x="${x0 + L - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${f(v)}</text>`;
    }
    levels.forEach((c, i) => { s += `<text x="${px(i)}" y="${H - B + 18}" text-anchor="middle" font-size="11">${c}</text>`; });
    s += `<text x="${x0 + L + (W - L - R) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">concurrent streams</text>`;
    for (const n of names) {
      const pts = levels.map((c, i) => [i, table.get(c + '|' + n)?.[key]]).filter(([, v]) => Number.isFinite(v));
      s += `<polyline fill="none" stroke="${colors[n]}" stroke-width="2" points="${pts.map(([i, v]) => `${px(i)},${py(v)}`).join(' ')}"/>`;
      s += pts.map(([i, v]) => `<circle cx="${px(i)}" cy="${py(v)}" r="3" fill="${colors[n]}"/>`).join('');
    }
    return s;
  };
  const legend = names.map((n, i) => `<rect x="${70 + i * 170}" y="${H + 5}" width="12" height="12" fill="${colors[n]}"/><text x="${88 + i * 170}" y="${H + 16}" font-size="12">${title[n]}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 25}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>`
    + panel(0, 'g99', 'added gap p99 (ms)') + panel(W, 'perChunk', 'server CPU per relayed chunk (µs)') + legend + '</svg>\n';
}

function nice(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
