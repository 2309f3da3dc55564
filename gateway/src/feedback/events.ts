import type { Face } from '@careedge/edge';

/** A tap counted as feedback (stored), for forwarding. Anonymous: a kiosk and where it stands. */
export interface CountedTap {
  kioskId: string;
  zoneId: string;
  face: Face;
  reason: string | null;
  /** Gateway clock when it was counted. */
  at: number;
  /** The kiosk's `seq` of the tap (keeps two taps of one millisecond apart). */
  seq: number;
}

/** What feedback/ publishes on the bus. */
export interface FeedbackEvents {
  'feedback:tap': [CountedTap];
}
