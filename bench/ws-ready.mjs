#!/usr/bin/env node
// Exits 0 once a WebSocket handshake with the URL given succeeds (HTTP 101), 1 otherwise: how
// bench/peers.sh tells that a server is ready.
import http from 'node:http';
import crypto from 'node:crypto';

const url = new URL(process.argv[2].replace(/^ws/, 'http'));
const request = http.request(url, {
  headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64') },
  timeout: 2000,
});
request.on('upgrade', (response, socket) => { socket.destroy(); process.exit(response.statusCode === 101 ? 0 : 1); });
request.on('response', () => process.exit(1));
request.on('error', () => process.exit(1));
request.on('timeout', () => process.exit(1));
request.end();
