/**
 * The npm packages of the benchmarks, loaded from this folder's node_modules
 * (pinned in package.json / package-lock.json; `npm ci` here installs them), so
 * that Node scripts anywhere under bench/ can import them from one place.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const { WebSocket, WebSocketServer } = require('ws');
export const timesync = require('timesync');
export const { SyncClient, SyncServer } = require('@ircam/sync');
