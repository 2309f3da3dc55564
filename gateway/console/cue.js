// The cue for a new high-priority alert: sound (browsers allow it only after a first tap on the
// page), vibration where the phone has it. The visual cue is the page's (a flashing banner).
let audio;

export function unlockAudio() {
  if (audio) return;
  const Ctx = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctx) return;
  audio = new Ctx();
  void audio.resume();
}

export const audioReady = () => audio?.state === 'running';

/** Three short tones, like a nurse-call high-priority burst. */
export function alarm() {
  navigator.vibrate?.([300, 150, 300, 150, 300]);
  if (!audioReady()) return;
  const start = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.3;
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.25);
    osc.stop(start + i * 0.25 + 0.15);
  }
}
