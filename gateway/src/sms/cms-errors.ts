/**
 * What a `+CMS ERROR: <n>` means: 3GPP TS 27.005 §3.2.5 (300–340, 500), and the network's causes
 * of 3GPP TS 24.011 Annex E-2 a modem passes on (below 128). Said in the failure's message so
 * the person reading the log knows whether to look at the SIM, the signal or the number.
 */
const MEANINGS: Readonly<Record<number, string>> = {
  1: 'unassigned (unallocated) number',
  8: 'operator determined barring',
  10: 'call barred',
  21: 'short message transfer rejected',
  27: 'destination out of service',
  28: 'unidentified subscriber',
  29: 'facility rejected',
  30: 'unknown subscriber',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'congestion',
  47: 'resources unavailable',
  50: 'requested facility not subscribed',
  69: 'requested facility not implemented',
  96: 'invalid mandatory information',
  300: 'ME failure',
  301: 'SMS service of ME reserved',
  302: 'operation not allowed',
  303: 'operation not supported',
  304: 'invalid PDU mode parameter',
  305: 'invalid text mode parameter',
  310: 'SIM not inserted',
  311: 'SIM PIN required',
  312: 'PH-SIM PIN required',
  313: 'SIM failure',
  314: 'SIM busy',
  315: 'SIM wrong',
  316: 'SIM PUK required',
  317: 'SIM PIN2 required',
  318: 'SIM PUK2 required',
  320: 'memory failure',
  321: 'invalid memory index',
  322: 'memory full',
  330: 'SMSC address unknown',
  331: 'no network service',
  332: 'network timeout',
  340: 'no +CNMA acknowledgement expected',
  500: 'unknown error',
};

export function cmsErrorMeaning(code: number): string {
  const known = MEANINGS[code];
  if (known) return known;
  if (code >= 512) return 'manufacturer-specific error (see the modem’s manual)';
  return 'unlisted error';
}
