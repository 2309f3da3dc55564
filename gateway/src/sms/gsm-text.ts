/** One SMS part in the GSM 7-bit default alphabet (3GPP TS 23.038) holds 160 characters. */
export const SMS_MAX_CHARS = 160;

/**
 * The characters that are the same byte in ASCII and in the GSM 7-bit default alphabet. With
 * `AT+CSCS="GSM"` modems differ on whether the text's bytes are GSM codes or ASCII mapped to them;
 * these pass unchanged either way. The rest of the GSM alphabet is left out on purpose: `@`, `$`,
 * `_`, `[\]^{|}~` and the accented letters are different codes in the two readings, and some GSM
 * codes are the line's controls (0x1A Ctrl-Z ends the text, 0x1B ESC aborts it, CR brings a new
 * prompt on some modems).
 */
const SAFE = /^[A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]$/;

export interface SmsText {
  /** What is handed to the modem. */
  text: string;
  /** Characters outside the safe set, sent as '?'. */
  replaced: number;
  /** The text was longer than one part and was cut (ending in "..."). */
  truncated: boolean;
}

/**
 * The text as one SMS part can carry it: line breaks become spaces, every other character outside
 * the safe set becomes '?' (a carer reads "Room 12: Zo? fell" rather than nothing), and a text
 * longer than 160 characters is cut to 157 and "...": a multi-part message (UDH concatenation)
 * needs PDU mode, and the first 160 characters of an alert say what and where.
 */
export function toSmsText(input: string): SmsText {
  let replaced = 0;
  let text = '';
  // By code point: an emoji (a surrogate pair) is one '?', not two.
  for (const ch of input.replace(/\r\n|\r|\n/g, ' ')) {
    if (SAFE.test(ch)) text += ch;
    else {
      text += '?';
      replaced++;
    }
  }
  const truncated = text.length > SMS_MAX_CHARS;
  if (truncated) text = `${text.slice(0, SMS_MAX_CHARS - 3)}...`;
  return { text, replaced, truncated };
}
