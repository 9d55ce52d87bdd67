// Unit tests of the client library's connection and event logic: node --test src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatWsClient } from '../../main/webapp/chat-ws.js';

/** A WebSocket stand-in that records what the client does and lets the test play the server. */
class FakeSocket {
  static all = [];
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code, reason) { this.closedWith = code; this.onclose?.({ code, reason }); }
  serve(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
  drop(code, reason = '') { this.onclose({ code, reason }); }
}

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

function client(options = {}) {
  FakeSocket.all = [];
  const timers = [];
  const chat = new ChatWsClient({
    url: 'ws://host/chat',
    storage: new MemoryStorage(),
    WebSocketImpl: FakeSocket,
    random: () => 1,
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
    ...options,
  });
  const events = [];
  for (const type of ['state', 'conversation', 'chunk', 'completion', 'error', 'reset', 'closed']) {
    chat.addEventListener(type, (e) => events.push({ type, detail: e.detail, endsTurn: e.endsTurn }));
  }
  return { chat, timers, events };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const conversation = (id, messages = []) => ({ object: 'conversation', id, created: 1, messages });

test('keeps the conversation id and reattaches with it after a drop, with growing jittered back-off', async () => {
  const { chat, timers } = client();
  chat.connect();
  await tick();
  assert.equal(FakeSocket.all[0].url, 'ws://host/chat');
  FakeSocket.all[0].serve(conversation('conv_a'));
  assert.equal(chat.conversationId, 'conv_a');
  assert.equal(chat.state, 'open');

  FakeSocket.all[0].drop(1006);
  assert.equal(chat.state, 'reconnecting');
  assert.equal(timers.at(-1).ms, 500, 'first back-off: up to 500 ms (random() = 1 here)');
  timers.at(-1).fn();
  await tick();
  assert.equal(FakeSocket.all[1].url, 'ws://host/chat?conversation=conv_a');
  FakeSocket.all[1].drop(1001);
  assert.equal(timers.at(-1).ms, 1000, 'doubles');
  timers.at(-1).fn();
  await tick();
  FakeSocket.all[2].drop(1006);
  assert.equal(timers.at(-1).ms, 2000);
  timers.at(-1).fn();
  await tick();
  FakeSocket.all[3].serve(conversation('conv_a'));
  FakeSocket.all[3].drop(1006);
  assert.equal(timers.at(-1).ms, 500, 'a successful attach resets the back-off');
});

test('the back-off is jittered and capped', async () => {
  const { chat, timers } = client({ random: () => 0.25, maxDelay: 4000 });
  chat.connect();
  await tick();
  for (let i = 0; i < 8; i++) {
    FakeSocket.all.at(-1).drop(1006);
    timers.at(-1).fn();
    await tick();
  }
  assert.deepEqual(timers.map((t) => t.ms), [125, 250, 500, 1000, 1000, 1000, 1000, 1000]);
});

test('a conversation that is gone (4404) is forgotten and a new one started', async () => {
  const { chat, timers, events } = client();
  chat.storage.setItem('chat-ws.conversation', 'conv_old');
  chat.connect();
  await tick();
  assert.equal(FakeSocket.all[0].url, 'ws://host/chat?conversation=conv_old');
  FakeSocket.all[0].drop(4404, 'conversation not found');
  assert.equal(chat.conversationId, null);
  assert.ok(events.some((e) => e.type === 'reset'));
  timers.at(-1).fn();
  await tick();
  assert.equal(FakeSocket.all[1].url, 'ws://host/chat');
});

test('frames become events; the turn is in flight from send to its terminal frame', async () => {
  const { chat, events } = client();
  chat.connect();
  await tick();
  const socket = FakeSocket.all[0];
  chat.send({ messages: [{ role: 'user', content: 'early' }] });
  assert.equal(socket.sent.length, 0, 'held until the conversation frame');
  socket.serve(conversation('conv_b'));
  assert.deepEqual(socket.sent, [{ messages: [{ role: 'user', content: 'early' }] }]);
  assert.equal(chat.turnInFlight, true);
  socket.serve({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' } }] });
  socket.serve({ error: { code: 'turn_in_progress', message: 'busy' } });
  assert.equal(chat.turnInFlight, true, 'an answer to one frame does not end the turn');
  socket.serve({ object: 'chat.completion', choices: [] });
  assert.equal(chat.turnInFlight, false);
  chat.send({ messages: [{ role: 'user', content: 'again' }] });
  socket.serve({ error: { code: 'upstream_error', message: 'down' } });
  assert.equal(chat.turnInFlight, false);
  chat.cancel();
  chat.refresh();
  assert.deepEqual(socket.sent.slice(-2), [{ type: 'response.cancel' }, { type: 'conversation.get' }]);
  const kinds = events.filter((e) => e.type !== 'state').map((e) => e.type + (e.endsTurn === undefined ? '' : ':' + e.endsTurn));
  assert.deepEqual(kinds, ['conversation', 'chunk', 'error:false', 'completion', 'error:true']);
});

test('the token is asked for on every connect and sent as a subprotocol, never in the URL', async () => {
  let issued = 0;
  const { chat, timers } = client({ token: async () => `jwt-${++issued}` });
  chat.storage.setItem('chat-ws.conversation', 'conv_c');
  chat.connect();
  await tick();
  assert.equal(FakeSocket.all[0].url, 'ws://host/chat?conversation=conv_c');
  assert.deepEqual(FakeSocket.all[0].protocols, ['chat-ws', 'bearer.jwt-1']);
  FakeSocket.all[0].drop(4401);
  timers.at(-1).fn();
  await tick();
  assert.deepEqual(FakeSocket.all[1].protocols, ['chat-ws', 'bearer.jwt-2'], 'refreshed on reconnect');
  assert.ok(!FakeSocket.all[1].url.includes('jwt'));
});

test('without a token the client still offers the chat-ws subprotocol', async () => {
  const { chat } = client();
  chat.connect();
  await tick();
  assert.deepEqual(FakeSocket.all[0].protocols, ['chat-ws']);
});

test('sending while the token is still being fetched opens one socket, not two', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const { chat } = client({ token: () => gate });
  chat.connect();
  chat.send({ messages: [{ role: 'user', content: 'one' }] });
  chat.send({ messages: [{ role: 'user', content: 'two' }] });
  chat.refresh();
  release('jwt');
  await tick();
  await tick();
  assert.equal(FakeSocket.all.length, 1, 'one socket');
  FakeSocket.all[0].serve(conversation('conv_t'));
  assert.equal(FakeSocket.all[0].sent.length, 3, 'every pending frame goes on the one socket');
});

test('close() stops for good; an idle close waits for something to send', async () => {
  const { chat, timers } = client();
  chat.connect();
  await tick();
  FakeSocket.all[0].serve(conversation('conv_d'));
  FakeSocket.all[0].drop(1008, 'idle');
  assert.equal(chat.state, 'closed');
  assert.equal(timers.length, 0, 'no reconnect after an idle close');
  chat.send({ messages: [{ role: 'user', content: 'back' }] });
  await tick();
  FakeSocket.all[1].serve(conversation('conv_d'));
  assert.deepEqual(FakeSocket.all[1].sent, [{ messages: [{ role: 'user', content: 'back' }] }]);
  chat.close();
  assert.equal(FakeSocket.all[1].closedWith, 1000);
  assert.equal(chat.state, 'closed');
  assert.equal(timers.length, 0);
});

test('steering frames go out as the protocol names them, and a refused one ends nothing in flight', async () => {
  const { chat, events } = client();
  chat.connect();
  await tick();
  const socket = FakeSocket.all[0];
  socket.serve(conversation('conv_s'));
  chat.regenerate({ temperature: 1.2 });
  assert.equal(chat.turnInFlight, true, 'a regenerate is a turn');
  socket.serve({ error: { code: 'invalid_request', message: 'nothing to regenerate', param: null } });
  assert.equal(chat.turnInFlight, false, 'refused: no turn started');
  assert.equal(events.filter((e) => e.type === 'error').length, 1);
  chat.edit('msg_0', [{ role: 'user', content: 'again' }], { model: 'm' });
  socket.serve({ object: 'chat.completion', choices: [] });
  chat.switchBranch('msg_1');
  assert.deepEqual(socket.sent, [
    { temperature: 1.2, type: 'response.regenerate' },
    { model: 'm', type: 'message.edit', message_id: 'msg_0', messages: [{ role: 'user', content: 'again' }] },
    { type: 'branch.switch', message_id: 'msg_1' },
  ]);
  assert.equal(chat.turnInFlight, false, 'a switch is not a turn');
});

test('switchTo opens another conversation (or a new one) on a fresh socket; the old one goes quietly', async () => {
  const { chat, events } = client();
  chat.connect();
  await tick();
  FakeSocket.all[0].serve(conversation('conv_a'));
  chat.update({ title: 'Trip', settings: { model: 'm' } });
  assert.deepEqual(FakeSocket.all[0].sent.at(-1), { title: 'Trip', settings: { model: 'm' }, type: 'conversation.update' });

  chat.switchTo('conv_b');
  await tick();
  assert.equal(FakeSocket.all[0].closedWith, 1000);
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(FakeSocket.all[1].url, 'ws://host/chat?conversation=conv_b');
  assert.equal(events.filter((e) => e.type === 'closed').length, 0, 'the switched-from socket reports nothing');

  chat.switchTo(null);
  await tick();
  assert.equal(FakeSocket.all[2].url, 'ws://host/chat', 'a new conversation');
  assert.equal(chat.conversationId, null);
  FakeSocket.all[2].serve(conversation('conv_c'));
  assert.equal(chat.conversationId, 'conv_c');
});
