// The softphone: one JsSIP user agent registered over WSS, one call at a time.
import JsSIP from 'jssip';

const MEDIA_CAUSES = new Set([
  JsSIP.C.causes.USER_DENIED_MEDIA_ACCESS, JsSIP.C.causes.INCOMPATIBLE_SDP,
  JsSIP.C.causes.BAD_MEDIA_DESCRIPTION, JsSIP.C.causes.MISSING_SDP,
]);

export const CALL_ID_HEADER = 'X-Switchboard-Call-Id';

// Events emitted through `onEvent(kind, detail)`:
//   registration: {state: connecting|registered|unregistered|failed|disconnected, cause}
//   incoming: {session, callerName, callerNumber, callId}
//   call: {state: ringing|active|held|ended|failed, cause, originator}
//   transfer: {ok, target, cause}
export class Phone {
  constructor({ uri, password, wsUrl, onEvent }) {
    this.onEvent = onEvent;
    this.session = null;
    this.micId = '';
    this.muted = false;
    const socket = new JsSIP.WebSocketInterface(wsUrl);
    this.ua = new JsSIP.UA({
      sockets: [socket], uri, password, register: false, session_timers: false,
      register_expires: 120, connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 4, user_agent: 'Switchboard console',
    });
    this.ua.on('connecting', () => this.emit('registration', { state: 'connecting' }));
    this.ua.on('connected', () => { if (this.wantRegistered) this.ua.register(); });
    this.ua.on('disconnected', (e) => this.emit('registration', {
      state: 'disconnected', cause: e && e.error ? 'websocket error' : 'websocket closed',
    }));
    this.ua.on('registered', () => this.emit('registration', { state: 'registered' }));
    this.ua.on('unregistered', () => this.emit('registration', { state: 'unregistered' }));
    this.ua.on('registrationFailed', (e) => this.emit('registration', {
      state: 'failed', cause: e.cause || 'unknown',
    }));
    this.ua.on('newRTCSession', (e) => this.onSession(e));
  }

  emit(kind, detail) { this.onEvent(kind, detail); }

  start() { this.wantRegistered = true; this.ua.start(); }

  register() { this.wantRegistered = true; if (this.ua.isConnected()) this.ua.register(); else this.ua.start(); }

  unregister() { this.wantRegistered = false; if (this.ua.isRegistered()) this.ua.unregister(); }

  stop() { this.wantRegistered = false; try { this.ua.stop(); } catch (e) { /* gone */ } }

  onSession({ originator, session, request }) {
    if (originator !== 'remote') return;
    if (this.session) { session.terminate({ status_code: 486, reason_phrase: 'Busy Here' }); return; }
    this.session = session;
    this.muted = false;
    const identity = session.remote_identity;
    session.on('peerconnection', (e) => this.watchTracks(e.peerconnection));
    session.on('accepted', () => this.emit('call', { state: 'active' }));
    session.on('confirmed', () => this.emit('call', { state: 'active' }));
    session.on('hold', () => this.emit('call', { state: 'held' }));
    session.on('unhold', () => this.emit('call', { state: 'active' }));
    session.on('ended', (e) => this.finish('ended', e));
    session.on('failed', (e) => this.finish('failed', e));
    this.emit('incoming', {
      session,
      callerName: identity.display_name || '',
      callerNumber: identity.uri ? identity.uri.user : '',
      callId: request.getHeader(CALL_ID_HEADER) || '',
    });
    this.emit('call', { state: 'ringing' });
  }

  watchTracks(pc) {
    pc.addEventListener('track', (event) => this.emit('remote-stream', { stream: event.streams[0] }));
  }

  finish(state, e) {
    const media = state === 'failed' && MEDIA_CAUSES.has(e.cause);
    this.session = null;
    this.emit('call', { state: media ? 'media-failed' : state, cause: e.cause, originator: e.originator });
  }

  answer() {
    if (!this.session) return;
    const audio = this.micId ? { deviceId: { exact: this.micId } } : true;
    this.session.answer({ mediaConstraints: { audio, video: false } });
  }

  reject() { if (this.session) this.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' }); }

  hangup() { if (this.session) this.session.terminate(); }

  hold() { if (this.session) this.session.hold(); }

  resume() { if (this.session) this.session.unhold(); }

  setMuted(muted) {
    if (!this.session) return;
    if (muted) this.session.mute({ audio: true }); else this.session.unmute({ audio: true });
    this.muted = muted;
  }

  dtmf(tone) { if (this.session) this.session.sendDTMF(tone, { duration: 120, interToneGap: 70 }); }

  transfer(target) {
    if (!this.session) return;
    const domain = this.ua.configuration.uri.host;
    this.session.refer(`sip:${target}@${domain}`, {
      eventHandlers: {
        requestFailed: (e) => this.emit('transfer', { ok: false, target, cause: e.cause || 'refused' }),
        failed: (e) => this.emit('transfer', { ok: false, target, cause: (e && e.status_line && e.status_line.reason_phrase) || 'failed' }),
        accepted: () => { this.emit('transfer', { ok: true, target }); if (this.session) this.session.terminate(); },
      },
    });
  }

  async switchMicrophone(deviceId) {
    this.micId = deviceId;
    if (!this.session || !this.session.connection) return;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: deviceId ? { deviceId: { exact: deviceId } } : true });
    const [track] = stream.getAudioTracks();
    const sender = this.session.connection.getSenders().find((s) => s.track && s.track.kind === 'audio');
    if (sender) await sender.replaceTrack(track);
  }

  // Test and dashboard aid: audio energy received and sent so far (WebRTC statistics).
  async audioStats() {
    if (!this.session || !this.session.connection) return null;
    const report = await this.session.connection.getStats();
    const out = { inboundEnergy: 0, inboundPackets: 0, outboundPackets: 0 };
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.inboundEnergy = s.totalAudioEnergy || 0; out.inboundPackets = s.packetsReceived || 0;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.outboundPackets = s.packetsSent || 0;
    });
    return out;
  }
}
