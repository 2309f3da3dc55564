/** The injected clock, defined once in the shared edge package. */
export { type Clock, systemClock } from '@careedge/edge';
