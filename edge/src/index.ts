export * from './clock.js';
export * from './protocol/asyncapi.js';
export * from './protocol/channels.js';
export * from './protocol/common.js';
export * from './protocol/decode.js';
export * from './protocol/device-messages.js';
export * from './protocol/staff-messages.js';
export * from './protocol/topics.js';
