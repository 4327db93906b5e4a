// The agents' console page: softphone, status, screen-pop.
import { api, setCsrf, el, signOut, ApiError } from './api.js';
import { Phone } from './phone.js';

const $ = (id) => document.getElementById(id);
const state = { me: null, phone: null, directory: null, timer: null, startedAt: 0, desired: 'available', reason: '' };

const REG_TEXT = {
  connecting: 'Connecting to the phone system…',
  registered: 'Ready: registered',
  unregistered: 'Not registered (offline)',
  failed: 'Registration failed',
  disconnected: 'Connection to the phone system lost: reconnecting…',
};

function setReg(kind, cause) {
  const node = $('reg-state');
  node.dataset.state = kind;
  node.textContent = REG_TEXT[kind] + (cause ? ` (${cause})` : '');
  node.className = `badge reg-${kind}`;
}

function message(text, kind = 'info') {
  const node = $('call-message');
  node.textContent = text;
  node.dataset.kind = kind;
  node.hidden = !text;
}

function setCall(kind) {
  const node = $('call-state');
  node.dataset.state = kind;
  const labels = { idle: 'No call', ringing: 'Ringing', active: 'In call', held: 'On hold', ended: 'Call ended' };
  node.textContent = labels[kind] || kind;
  document.body.dataset.call = kind;
  const inCall = kind === 'active' || kind === 'held';
  $('answer').hidden = kind !== 'ringing';
  $('reject').hidden = kind !== 'ringing';
  $('hangup').hidden = !inCall;
  $('hold').hidden = kind !== 'active';
  $('resume').hidden = kind !== 'held';
  $('mute').hidden = !inCall || (state.phone && state.phone.muted);
  $('unmute').hidden = !inCall || !(state.phone && state.phone.muted);
  $('in-call-tools').hidden = !inCall;
  if (kind === 'ringing') ring(true); else ring(false);
  if (kind === 'active' && !state.timer) startTimer();
  if (!inCall) stopTimer();
}

function startTimer() {
  state.startedAt = Date.now();
  state.timer = setInterval(() => {
    const s = Math.floor((Date.now() - state.startedAt) / 1000);
    $('call-timer').textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }, 250);
}

function stopTimer() { clearInterval(state.timer); state.timer = null; }

let ringer = null;
function ring(on) {
  if (on && !ringer) {
    try {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator(); const gain = ctx.createGain();
      osc.frequency.value = 480; gain.gain.value = 0.05;
      osc.connect(gain).connect(ctx.destination); osc.start();
      const beat = setInterval(() => { gain.gain.value = gain.gain.value ? 0 : 0.05; }, 1000);
      ringer = { ctx, beat };
    } catch (e) { ringer = null; }
  } else if (!on && ringer) {
    clearInterval(ringer.beat); ringer.ctx.close(); ringer = null;
  }
}

async function screenPop(callId, callerName, callerNumber) {
  const box = $('screen-pop');
  box.replaceChildren();
  box.hidden = false;
  box.dataset.callId = callId || '';
  const who = callerName ? `${callerName} (${callerNumber})` : callerNumber;
  if (!callId) {
    box.append(el('h2', {}, `Direct call from ${who}`), el('p', { class: 'muted' }, 'Not handed off by the assistant: no summary.'));
    return;
  }
  box.append(el('h2', {}, `Caller: ${who}`), el('p', { class: 'muted' }, 'Loading what the caller told the assistant…'));
  try {
    const pop = await api(`/api/calls/${encodeURIComponent(callId)}`);
    if (pop.caller_name && !callerName) $('caller-id').textContent = `${pop.caller_name} <${callerNumber}>`;
    box.replaceChildren(
      el('h2', { id: 'pop-name' }, pop.caller_name || callerName || pop.caller_number),
      el('p', { class: 'muted', id: 'pop-meta' }, `${pop.caller_number} · team ${pop.teams.join(', ') || '—'} · call ${pop.call_id}`),
      el('h3', {}, 'Summary'), el('p', { id: 'pop-summary' }, pop.summary || '(no summary)'),
      el('h3', {}, 'Actions taken'),
      el('ul', { id: 'pop-actions' }, ...(pop.actions.length ? pop.actions.map((a) => el('li', {}, `${a.action} ${a.target} ${a.detail}`.trim())) : [el('li', { class: 'muted' }, 'none')])),
      el('h3', {}, 'Transcript'),
      el('ol', { id: 'pop-transcript', class: 'transcript' }, ...pop.transcript.map((t) => el('li', { class: `turn ${t.speaker}` }, el('b', {}, `${t.speaker}: `), t.text))),
    );
  } catch (e) {
    box.replaceChildren(el('h2', {}, `Caller: ${who}`), el('p', { class: 'error' }, e instanceof ApiError && e.status === 404 ? `No record for call ${callId}.` : e.message));
  }
}

async function postStatus(status, reason) {
  try {
    const result = await api('/api/status', { method: 'POST', body: { status, reason } });
    $('status-now').textContent = result.status + (result.reason ? ` (${result.reason})` : '');
    $('status-now').dataset.status = result.status;
  } catch (e) {
    $('status-now').textContent = `Status not changed: ${e.message}`;
  }
}

async function applyStatus() {
  state.desired = $('status-select').value;
  state.reason = $('status-reason').value;
  $('status-reason').hidden = state.desired !== 'paused';
  if (state.desired === 'offline') {
    await postStatus('offline', '');
    state.phone.unregister();
  } else if (state.phone.ua.isRegistered()) {
    await postStatus(state.desired, state.reason);
  } else {
    state.phone.register();
  }
}

function validTarget(target) {
  const d = state.directory;
  if (!d) return true;
  return target === d.assistant || d.agents.some((a) => a.extension === target) || d.queues.some((q) => q.queue === target);
}

async function transfer(target) {
  target = (target || '').trim();
  if (!/^[0-9]+$/.test(target) || !validTarget(target)) {
    message(`No agent, queue or assistant answers at "${target}". The call is still yours.`, 'error');
    return;
  }
  try {
    await api('/api/transfer', { method: 'POST', body: { target } }); // the server checks too
  } catch (e) {
    message(e.message, 'error');
    return;
  }
  message(`Transferring to ${target}…`);
  state.phone.transfer(target);
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const fill = (select, kind) => {
    select.replaceChildren(el('option', { value: '' }, 'Default'));
    devices.filter((d) => d.kind === kind).forEach((d, i) => select.append(el('option', { value: d.deviceId }, d.label || `${kind} ${i + 1}`)));
  };
  fill($('mic-select'), 'audioinput');
  fill($('speaker-select'), 'audiooutput');
}

function onPhoneEvent(kind, detail) {
  if (kind === 'registration') {
    setReg(detail.state, detail.cause);
    if (detail.state === 'registered' && state.desired !== 'offline') postStatus(state.desired, state.reason);
  } else if (kind === 'incoming') {
    message('');
    $('caller-id').textContent = detail.callerName ? `${detail.callerName} <${detail.callerNumber}>` : detail.callerNumber;
    screenPop(detail.callId, detail.callerName, detail.callerNumber);
  } else if (kind === 'remote-stream') {
    $('remote-audio').srcObject = detail.stream;
  } else if (kind === 'call') {
    if (detail.state === 'ended' || detail.state === 'failed') {
      const who = detail.originator === 'remote' ? 'the caller' : detail.originator === 'local' ? 'you' : 'the system';
      if (!$('call-message').dataset.keep) message(detail.state === 'ended' ? `Call ended by ${who}.` : `Call not connected (${detail.cause}).`);
      setCall('ended');
    } else if (detail.state === 'media-failed') {
      message(`The call's audio could not be set up (${detail.cause}). Check your microphone permission and device.`, 'error');
      setCall('ended');
    } else {
      setCall(detail.state);
    }
    $('call-message').dataset.keep = '';
  } else if (kind === 'transfer') {
    if (detail.ok) { message(`Transferred to ${detail.target}.`); $('call-message').dataset.keep = '1'; }
    else message(`Transfer to ${detail.target} failed (${detail.cause}). The call is still yours.`, 'error');
  }
}

function wire() {
  const p = () => state.phone;
  $('answer').onclick = () => p().answer();
  $('reject').onclick = () => p().reject();
  $('hangup').onclick = () => p().hangup();
  $('hold').onclick = () => p().hold();
  $('resume').onclick = () => p().resume();
  $('mute').onclick = () => { p().setMuted(true); setCall($('call-state').dataset.state); };
  $('unmute').onclick = () => { p().setMuted(false); setCall($('call-state').dataset.state); };
  document.querySelectorAll('#keypad button').forEach((b) => { b.onclick = () => p().dtmf(b.textContent); });
  $('transfer-form').onsubmit = (e) => { e.preventDefault(); transfer($('transfer-target').value); };
  $('to-assistant').onclick = () => transfer(state.me.assistant);
  $('status-select').onchange = () => { $('status-reason').hidden = $('status-select').value !== 'paused'; };
  $('status-apply').onclick = () => applyStatus();
  $('mic-select').onchange = () => p().switchMicrophone($('mic-select').value);
  $('speaker-select').onchange = () => { const a = $('remote-audio'); if (a.setSinkId) a.setSinkId($('speaker-select').value); };
  $('sign-out').onclick = () => signOut(async () => { if (state.phone) { state.phone.unregister(); await new Promise((r) => setTimeout(r, 300)); state.phone.stop(); } });
}

// Test aid on window: what the browser tests drive, without the phone's credentials.
function testAid() {
  const p = () => state.phone;
  return {
    phone: {
      isMuted: () => Boolean(p() && p().session && p().session.isMuted().audio),
      transfer: (target) => p().transfer(target),
      audioStats: () => p().audioStats(),
      stop: () => p().stop(),
    },
  };
}

async function main() {
  let me;
  try { me = await api('/api/me'); } catch (e) { if (e.status === 401) window.location.href = '/login'; return; }
  state.me = me;
  setCsrf(me.csrf);
  $('who').textContent = `${me.name} · ${me.tenant} · ${me.role}`;
  $('dashboard-link').hidden = !me.supervisor;
  $('departments').textContent = me.departments.map((d) => `${d.name} (${d.queue})`).join(', ') || '—';
  wire();
  setCall('idle');
  state.directory = await api('/api/directory');
  $('transfer-options').replaceChildren(
    ...state.directory.agents.map((a) => el('option', { value: a.extension }, `${a.name} (agent)`)),
    ...state.directory.queues.map((q) => el('option', { value: q.queue }, `${q.name} queue`)),
    el('option', { value: state.directory.assistant }, 'Assistant'),
  );
  if (!me.sip) { setReg('unregistered', 'no extension to take calls on: ask an admin'); return; }
  $('extension').textContent = me.sip.extension;
  // The SIP password is fetched once, handed to the phone and kept nowhere else.
  let secret;
  try { secret = await api('/api/sip', { method: 'POST' }); } catch (e) { setReg('failed', `${e.message} Ask an admin.`); return; }
  if (me.status.status !== 'offline') state.desired = me.status.status;
  $('status-select').value = state.desired;
  state.phone = new Phone({ uri: me.sip.uri, password: secret.password, wsUrl: me.sip.ws_url, onEvent: onPhoneEvent });
  secret = null;
  window.switchboard = testAid();
  try { await navigator.mediaDevices.getUserMedia({ audio: true }).then((s) => s.getTracks().forEach((t) => t.stop())); await listDevices(); } catch (e) { message('No microphone available: calls cannot be answered.', 'error'); }
  state.phone.start();
  setInterval(async () => { try { await api('/api/me'); } catch (e) { /* banner shown by api() */ } }, 30000);
}

main();
