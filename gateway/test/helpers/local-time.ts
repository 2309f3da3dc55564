/**
 * `StepContext.local` for a time zone, as the engine gives it (tests of the rule kinds:
 * daylight-saving days of 23 and 25 hours included). The gateway's own conversion, which
 * gateway/test/rules/local-time.test.ts checks against Intl.
 */
export { siteLocalTime as localTimeIn } from '../../src/rules/local-time.js';
