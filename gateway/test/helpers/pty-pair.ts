// The PTY pair lives in gateway/harness/, shared with firmware-sim's serial simulators and bench.
export { type PtyPair, ptyPair } from '../../harness/pty-pair.js';
