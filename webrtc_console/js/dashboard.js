// The supervisors' dashboard: live calls, queue waits, agents, and charts drawn as inline SVG.
import { api, setCsrf, el, signOut } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
const STAGE_LABELS = {
  stt_ms: 'STT', agent_first_sentence_ms: 'agent 1st', agent_total_ms: 'agent all',
  tts_first_audio_ms: 'TTS', speech_end_to_first_audio_ms: 'voice-to-voice',
};
const $ = (id) => document.getElementById(id);

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Stacked bars: rows of {label, values: {key: n}}, colours per key.
export function barChart(rows, keys, colours, { width = 560, height = 180 } = {}) {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height + 30}`, class: 'chart', role: 'img' });
  const max = Math.max(1, ...rows.map((r) => keys.reduce((a, k) => a + (r.values[k] || 0), 0)));
  const bw = width / Math.max(1, rows.length);
  rows.forEach((r, i) => {
    let y = height;
    keys.forEach((k) => {
      const h = ((r.values[k] || 0) / max) * (height - 10);
      if (h > 0) {
        y -= h;
        const rect = svg('rect', { x: i * bw + 2, y, width: Math.max(1, bw - 4), height: h, fill: colours[k] });
        rect.append(svg('title', {}, `${r.label}: ${k} ${r.values[k]}`));
        root.append(rect);
      }
    });
    if (rows.length <= 12 || i % 3 === 0) root.append(svg('text', { x: i * bw + bw / 2, y: height + 14, 'text-anchor': 'middle', class: 'axis' }, r.label));
  });
  root.append(svg('text', { x: 2, y: 10, class: 'axis' }, `max ${max}`));
  return root;
}

function legend(colours) {
  return el('p', { class: 'legend' }, ...Object.entries(colours).map(([k, c]) => {
    const key = el('span', { class: 'key' }, k);
    key.style.setProperty('--c', c); // CSSOM, allowed by the page's CSP (no inline styles)
    return key;
  }));
}

function donut(parts, colours) {
  const total = parts.reduce((a, p) => a + p.n, 0) || 1;
  const root = svg('svg', { viewBox: '0 0 120 120', class: 'donut', role: 'img' });
  let angle = -Math.PI / 2;
  parts.forEach((p) => {
    const a2 = angle + (p.n / total) * Math.PI * 2;
    const large = a2 - angle > Math.PI ? 1 : 0;
    const [x1, y1, x2, y2] = [60 + 50 * Math.cos(angle), 60 + 50 * Math.sin(angle), 60 + 50 * Math.cos(a2), 60 + 50 * Math.sin(a2)];
    if (p.n === total) root.append(svg('circle', { cx: 60, cy: 60, r: 50, fill: colours[p.label] }));
    else if (p.n > 0) root.append(svg('path', { d: `M60 60 L${x1} ${y1} A50 50 0 ${large} 1 ${x2} ${y2} Z`, fill: colours[p.label] }));
    angle = a2;
  });
  root.append(svg('circle', { cx: 60, cy: 60, r: 28, fill: '#fff' }));
  root.append(svg('text', { x: 60, y: 65, 'text-anchor': 'middle', class: 'big' }, String(parts.reduce((a, p) => a + p.n, 0))));
  return root;
}

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...(rows.length ? rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))) : [el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'none'))])));
}

async function refresh() {
  const d = await api('/api/dashboard');
  $('pbx-state').textContent = d.pbx_ok ? 'PBX reachable' : 'PBX not reachable: live figures missing';
  $('live-calls').replaceChildren(table(['Channel', 'Caller', 'State', 'Where', 'Waiting in', 'Seconds'],
    d.live_calls.map((c) => [c.channel, c.caller, c.state, c.where, c.waiting_in_queue || '—', c.seconds])));
  $('queue-waits').replaceChildren(barChart(d.departments.map((q) => ({ label: `${q.name} ${q.queue}`, values: { waiting: d.queue_waits[q.queue] || 0 } })), ['waiting'], { waiting: '#d97706' }, { height: 100 }));
  $('agents').replaceChildren(table(['Agent', 'Extension', 'Status', 'Reason', 'Phone', 'On a call'],
    d.agents.map((a) => [a.name, a.extension, a.status, a.reason || '', a.registered ? 'registered' : 'not registered', a.on_call ? 'yes' : 'no'])));
  $('agents').dataset.count = String(d.agents.length);
  const colours = { ai: '#2563eb', transferred: '#16a34a', other: '#9ca3af' };
  $('calls-per-hour').replaceChildren(barChart(d.calls_per_hour.map((b) => ({ label: b.hour.slice(11, 13), values: b })), ['ai', 'transferred', 'other'], colours), legend(colours));
  const ai = d.outcomes.completed || 0; const tr = d.outcomes.transferred || 0;
  const other = Object.values(d.outcomes).reduce((a, n) => a + n, 0) - ai - tr;
  const oc = { 'AI resolved': '#2563eb', transferred: '#16a34a', other: '#9ca3af' };
  $('outcomes').replaceChildren(donut([{ label: 'AI resolved', n: ai }, { label: 'transferred', n: tr }, { label: 'other', n: other }], oc), legend(oc));
  const stages = Object.entries(d.latency_ms);
  $('latency').replaceChildren(stages.length ? barChart(stages.map(([s, v]) => ({ label: STAGE_LABELS[s] || s.replace(/_ms$/, ''), values: { p50: v.p50 } })), ['p50'], { p50: '#7c3aed' }, { height: 120 }) : el('p', { class: 'muted' }, 'No measured turns yet.'),
    table(['Stage', 'p50 ms', 'p95 ms', 'turns'], stages.map(([s, v]) => [s.replace(/_ms$/, '').replaceAll('_', ' '), v.p50, v.p95, v.n])));
  const wc = { open: '#0891b2', overdue: '#dc2626' };
  $('workload').replaceChildren(barChart(d.workload.map((w) => ({ label: w.person.split(' ')[0], values: { open: w.open - w.overdue, overdue: w.overdue } })), ['open', 'overdue'], wc, { height: 120 }), legend(wc),
    table(['Person', 'Open', 'Overdue'], d.workload.map((w) => [w.person, w.open, w.overdue])));
  $('callbacks').replaceChildren(table(['Department', 'Callback', 'Due', 'What they wanted'],
    d.callbacks.map((c) => [c.department, c.title, (c.overdue ? 'overdue · ' : '') + (c.due_at ? new Date(c.due_at).toLocaleString() : 'now'), c.notes || ''])));
  $('callbacks').dataset.count = String(d.callbacks.length);
  document.body.dataset.loaded = 'yes';
}

async function main() {
  const me = await api('/api/me');
  setCsrf(me.csrf);
  $('who').textContent = `${me.name} · ${me.tenant} · ${me.role}`;
  $('sign-out').onclick = () => signOut();
  await refresh();
  setInterval(() => refresh().catch(() => {}), 5000);
}

main();
