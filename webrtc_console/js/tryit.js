// Try it: call the assistant from the browser's microphone (plain ws:// to a local PBX).
import JsSIP from 'jssip';
import { api, setCsrf } from './api.js';

const $ = (id) => document.getElementById(id);
let ua = null; let session = null;

function status(text, kind) { $('tryit-state').textContent = text; $('tryit-state').dataset.state = kind; }

async function main() {
  const me = await api('/api/me');
  setCsrf(me.csrf);
  const cfg = await api('/api/tryit', { method: 'POST' });
  $('call').onclick = () => {
    if (!ua) {
      ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(cfg.ws_url)], uri: cfg.uri, password: cfg.password, register: false, session_timers: false });
      ua.on('disconnected', () => status('Cannot reach the phone system', 'failed'));
      ua.start();
    }
    status('Calling the assistant…', 'calling');
    session = ua.call(`sip:${cfg.target}@${ua.configuration.uri.host}`, {
      mediaConstraints: { audio: true, video: false },
      eventHandlers: {
        confirmed: () => { status('Connected: speak now', 'active'); $('hangup').hidden = false; },
        ended: () => { status('Call ended', 'ended'); $('hangup').hidden = true; },
        failed: (e) => { status(`Call failed (${e.cause})`, 'failed'); $('hangup').hidden = true; },
      },
    });
    session.connection.addEventListener('track', (e) => { $('remote-audio').srcObject = e.streams[0]; });
  };
  $('keypad').onclick = (e) => { if (session && e.target.tagName === 'BUTTON') session.sendDTMF(e.target.textContent); };
  $('hangup').onclick = () => { if (session) session.terminate(); };
}

// Test aid: audio energy received from the assistant so far (WebRTC statistics).
window.tryit = {
  async audioStats() {
    if (!session || !session.connection) return null;
    let inboundEnergy = 0;
    (await session.connection.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') inboundEnergy = s.totalAudioEnergy || 0;
    });
    return { inboundEnergy };
  },
};

main().catch((e) => status(e.message, 'failed'));
