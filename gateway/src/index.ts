export * from './core/clock.js';
export * from './register/types.js';
