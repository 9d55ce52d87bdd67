// chat-ws client library: one conversation over one WebSocket, kept across reloads and drops.
// A dependency-free ES module; import it from the server: import { ChatWsClient } from '/chat-ws.js'.
//
//   const chat = new ChatWsClient({ url: 'wss://chat.example.com/chat', token: async () => jwt });
//   chat.addEventListener('chunk', e => …e.detail is a chat.completion.chunk…);
//   chat.addEventListener('completion', e => …the turn's chat.completion…);
//   chat.connect();
//   chat.send({ messages: [{ role: 'user', content: 'Hello' }] });
//
// Events (all CustomEvent, the frame or details in `detail`):
//   state         {state}: 'connecting' | 'open' | 'reconnecting' | 'closed'
//   conversation  the conversation frame (the active path, message_ids, forks); sent on every
//                 (re)attach, before the chunks of a turn still in flight are replayed, and
//                 unasked after a regenerate, edit or branch switch
//   (steering: chat.regenerate(members), chat.edit(messageId, messages), chat.switchBranch(messageId))
//   chunk         a relayed chat.completion.chunk (also Azure's preamble, the usage chunk)
//   completion    the turn's terminal chat.completion
//   error         an error frame's `error` object; `endsTurn` says whether it ended the turn,
//                 `refused` whether it refused the frame just sent (no turn started)
//   reset         the stored conversation is gone (4404); a new one is started
//   closed        {code, reason} of every close, before any reconnect

const TURN_ENDING = new Set(['upstream_error', 'upstream_timeout', 'rate_limited', 'internal_error']);
/** Codes that refuse the frame just sent: the turn it asked for never started. */
const REFUSING = new Set(['invalid_json', 'invalid_request', 'unknown_type']);

/** Codes after which reconnecting cannot help. */
const FINAL = new Set([1003, 1009]);

export class ChatWsClient extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.url            ws:// or wss:// URL of /chat
   * @param {() => (string|Promise<string>)} [options.token]  returns a JWT, asked on every connect
   * @param {Storage} [options.storage]     where the conversation id is kept (sessionStorage)
   * @param {string} [options.storageKey]
   * @param {number} [options.initialDelay] first reconnect back-off in ms (500)
   * @param {number} [options.maxDelay]     back-off cap in ms (30000)
   */
  constructor({
    url,
    token = null,
    storage = globalThis.sessionStorage,
    storageKey = 'chat-ws.conversation',
    initialDelay = 500,
    maxDelay = 30000,
    WebSocketImpl = globalThis.WebSocket,
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id),
  }) {
    super();
    this.url = url;
    this.token = token;
    this.storage = storage;
    this.storageKey = storageKey;
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.WebSocketImpl = WebSocketImpl;
    this.random = random;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.socket = null;
    this.opening = false;
    this.attempts = 0;
    this.timer = null;
    this.stopped = true;
    this.pending = [];
    this.turnInFlight = false;
    this._state = 'closed';
  }

  /** The id of this client's conversation, or null before the first conversation frame. */
  get conversationId() {
    return this.storage?.getItem(this.storageKey) ?? null;
  }

  get state() {
    return this._state;
  }

  /** Opens the socket (reattaching to the stored conversation, if any) and keeps it open. */
  connect() {
    this.stopped = false;
    // While the token is being fetched there is no socket yet: `opening` keeps a second one from starting.
    if (!this.socket && !this.opening && this.timer === null) {
      this._open();
    }
  }

  /** Closes the socket for good; the conversation id stays stored. */
  close() {
    this.stopped = true;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.socket) {
      this.socket.close(1000, 'bye');
    }
    this._setState('closed');
  }

  /** Sends a chat request (an object with `messages`); sent once the socket is open. */
  send(request) {
    this.turnInFlight = true;
    this._sendFrame(JSON.stringify(request), true);
  }

  /** Stops the turn in flight (`response.cancel`). */
  cancel() {
    this._sendFrame(JSON.stringify({ type: 'response.cancel' }));
  }

  /** Runs the last turn again (`response.regenerate`), with `members` (e.g. `{ temperature: 1 }`) over its request's. */
  regenerate(members = {}) {
    this.turnInFlight = true;
    this._sendFrame(JSON.stringify({ ...members, type: 'response.regenerate' }), true);
  }

  /** A new branch just before the user message `messageId` (`message.edit`), with `messages` as its new messages. */
  edit(messageId, messages, members = {}) {
    this.turnInFlight = true;
    this._sendFrame(JSON.stringify({ ...members, type: 'message.edit', message_id: messageId, messages }), true);
  }

  /** Makes the branch that holds `messageId` active (`branch.switch`); every socket then gets the conversation frame. */
  switchBranch(messageId) {
    this._sendFrame(JSON.stringify({ type: 'branch.switch', message_id: messageId }));
  }

  /** Asks for the conversation frame again (`conversation.get`). */
  refresh() {
    this._sendFrame(JSON.stringify({ type: 'conversation.get' }));
  }

  /** Sets the title and settings (`conversation.update`, PROTOCOL §10), e.g. `{ title: 'Trip', settings: { system: 'Be brief.' } }`. */
  update(members) {
    this._sendFrame(JSON.stringify({ ...members, type: 'conversation.update' }));
  }

  /**
   * Moves to conversation `id` (null: a new one): the socket closes and opens again on it; what
   * was waiting to be sent is dropped, and a turn in flight goes on without this client (§5).
   */
  switchTo(id) {
    if (id) {
      this.storage?.setItem(this.storageKey, id);
    } else {
      this.forget();
    }
    const socket = this.socket;
    this.socket = null;
    this.pending = [];
    this.turnInFlight = false;
    this.attempts = 0;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.close(1000, 'switched');
    }
    this.stopped = false;
    if (!this.opening) {
      this._open();
    }
  }

  /** Forgets the stored conversation; the next connect starts a new one. */
  forget() {
    this.storage?.removeItem(this.storageKey);
  }

  _sendFrame(text, startsTurn = false) {
    if (this.socket && this._state === 'open') {
      this.socket.send(text);
    } else {
      this.pending.push({ text, startsTurn });
      this.connect();
    }
  }

  async _open() {
    this.opening = true;
    this._setState(this.attempts === 0 ? 'connecting' : 'reconnecting');
    // The token goes in Sec-WebSocket-Protocol (PROTOCOL §7), never in the URL, where proxies and
    // traces would record it; the server selects 'chat-ws'.
    const protocols = ['chat-ws'];
    if (this.token) {
      try {
        const token = await this.token();
        if (token) {
          protocols.push(`bearer.${token}`);
        }
      } catch (e) {
        this.opening = false;
        this._scheduleReconnect();
        return;
      }
    }
    this.opening = false;
    if (this.stopped || this.socket) {
      return;
    }
    const id = this.conversationId;
    const url = id ? `${this.url}?${new URLSearchParams({ conversation: id })}` : this.url;
    const socket = new this.WebSocketImpl(url, protocols);
    this.socket = socket;
    socket.onmessage = (event) => this._receive(event.data);
    socket.onclose = (event) => this._closed(socket, event.code, event.reason);
  }

  _receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (frame.object === 'conversation') {
      this.storage?.setItem(this.storageKey, frame.id);
      this.attempts = 0;
      this.turnInFlight = false;
      this._setState('open');
      this._emit('conversation', frame);
      for (const { text, startsTurn } of this.pending.splice(0)) {
        this.turnInFlight ||= startsTurn;
        this.socket.send(text);
      }
    } else if (frame.error) {
      const endsTurn = TURN_ENDING.has(frame.error.code);
      const refused = REFUSING.has(frame.error.code);
      if (endsTurn || refused) {
        this.turnInFlight = false;
      }
      this._emit('error', frame.error, { endsTurn, refused });
    } else if (frame.object === 'chat.completion') {
      this.turnInFlight = false;
      this._emit('completion', frame);
    } else {
      this.turnInFlight = true;
      this._emit('chunk', frame);
    }
  }

  _closed(socket, code, reason) {
    if (this.socket !== socket) {
      return;
    }
    this.socket = null;
    this._emit('closed', { code, reason });
    if (this.stopped) {
      this._setState('closed');
      return;
    }
    if (code === 4404) {
      this.forget();
      this._emit('reset', { code });
    }
    if (FINAL.has(code) || (code === 1008 && reason === 'idle' && this.pending.length === 0)) {
      // An idle close or a frame the server refused: reconnect only when there is something to send.
      this.stopped = true;
      this._setState('closed');
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    const ceiling = Math.min(this.maxDelay, this.initialDelay * 2 ** this.attempts);
    const delay = Math.round(this.random() * ceiling);
    this.attempts += 1;
    this._setState('reconnecting');
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) {
        this._open();
      }
    }, delay);
  }

  _setState(state) {
    if (this._state !== state) {
      this._state = state;
      this._emit('state', { state });
    }
  }

  _emit(type, detail, extra = {}) {
    const event = new CustomEvent(type, { detail });
    Object.assign(event, extra);
    this.dispatchEvent(event);
  }
}
