/** SLIP (RFC 1055) special bytes. */
export const SLIP = {
  END: 0xc0,
  ESC: 0xdb,
  /** ESC ESC_END stands for a data byte 0xC0. */
  ESC_END: 0xdc,
  /** ESC ESC_ESC stands for a data byte 0xDB. */
  ESC_ESC: 0xdd,
} as const;

/**
 * Escapes a frame and puts an END before and after it. The leading END (RFC 1055's advice) closes
 * whatever line noise came before, so the noise is its own rejected packet and never the start of
 * this frame.
 */
export function slipEncode(frame: Uint8Array): Buffer {
  let specials = 0;
  for (const b of frame) if (b === SLIP.END || b === SLIP.ESC) specials++;
  const out = Buffer.allocUnsafe(frame.length + specials + 2);
  let o = 0;
  out[o++] = SLIP.END;
  for (const b of frame) {
    if (b === SLIP.END) {
      out[o++] = SLIP.ESC;
      out[o++] = SLIP.ESC_END;
    } else if (b === SLIP.ESC) {
      out[o++] = SLIP.ESC;
      out[o++] = SLIP.ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP.END;
  return out;
}
