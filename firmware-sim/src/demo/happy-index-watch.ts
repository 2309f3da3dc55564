import { FACE_SCORE, type Face } from '@careedge/edge';

interface Bucket {
  kiosk?: string;
  taps: number;
  faces: Record<Face, number>;
  filtered: number;
}

/** Taps and Happy Index of one kiosk over the buckets answered (the demo's data is all today). */
function indexOf(buckets: Bucket[], kiosk: string): { taps: number; index: number | null; filtered: number } {
  let taps = 0;
  let score = 0;
  let filtered = 0;
  for (const b of buckets.filter((x) => x.kiosk === kiosk)) {
    filtered += b.filtered;
    for (const [face, n] of Object.entries(b.faces) as [Face, number][]) {
      taps += n;
      score += FACE_SCORE[face] * n;
    }
  }
  return { taps, index: taps > 0 ? score / taps : null, filtered };
}

const describe = (kiosk: string, i: ReturnType<typeof indexOf>) =>
  `Happy Index ${kiosk}: ${i.index === null ? '-' : i.index.toFixed(2)} (${i.taps} tap${i.taps === 1 ? '' : 's'}${i.filtered > 0 ? `, ${i.filtered} filtered as mashing` : ''})`;

/**
 * Polls the gateway's Happy Index (GET /api/v1/feedback/happy-index, with a staff token) for the demo and prints a
 * line when a kiosk's index moves, so the dip of an unhappy burst shows in the timeline.
 */
export function happyIndexWatch(
  httpUrl: string,
  token: string,
  kiosks: string[],
  print: (line: string) => void,
) {
  const last = new Map<string, string>();
  const read = async (): Promise<Bucket[]> => {
    const res = await fetch(`${httpUrl}/api/v1/feedback/happy-index?by=kiosk`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`GET happy-index answered ${res.status}`);
    return ((await res.json()) as { buckets: Bucket[] }).buckets;
  };
  const poll = async () => {
    const buckets = await read();
    for (const kiosk of kiosks) {
      const i = indexOf(buckets, kiosk);
      if (i.taps === 0) continue;
      const line = describe(kiosk, i);
      if (last.get(kiosk) !== line) print(`  ${' '.repeat(9)}  ${line}`);
      last.set(kiosk, line);
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    poll()
      .catch((err: Error) => print(`! Happy Index: ${err.message}`))
      .finally(() => {
        busy = false;
      });
  }, 500);
  return {
    stop: () => clearInterval(timer),
    async summary(): Promise<string[]> {
      const buckets = await read();
      return kiosks.map((k) => describe(k, indexOf(buckets, k)));
    },
  };
}
