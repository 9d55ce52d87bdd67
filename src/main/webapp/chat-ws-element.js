// <chat-ws>: a chat component for pages and portals, built on the client library.
//
//   <script type="module" src="/chat-ws-element.js"></script>
//   <chat-ws endpoint="wss://chat.example.com/chat" model="gpt-4o-mini"></chat-ws>
//
// Attributes: endpoint (default: chat beside the page, e.g. ws://host/chat for /), model (default: the server's),
//             storage-key (sessionStorage key of the conversation id; one per component on a page).
// Property:   tokenProvider = async () => jwt   (offered as the subprotocol bearer.<jwt>; asked on every connect)
// Styling:    CSS custom properties --chat-ws-font, --chat-ws-fg, --chat-ws-bg, --chat-ws-accent,
//             --chat-ws-user-bg, --chat-ws-assistant-bg, --chat-ws-radius, --chat-ws-height;
//             parts: transcript, message, user, assistant, tool, content, usage, tool-call, form,
//             input, send, stop, status, error.
// Events:     chat-ws-state, chat-ws-completion, chat-ws-error (bubbling, composed; detail as in
//             chat-ws.js).
// Model output is only ever set as text (textContent), never parsed as HTML.

import { ChatWsClient } from './chat-ws.js';

const STYLE = `
:host { display: block; font: var(--chat-ws-font, 15px/1.45 system-ui, sans-serif); color: var(--chat-ws-fg, #1d2330);
        background: var(--chat-ws-bg, #fff); border: 1px solid #d6dae3; border-radius: var(--chat-ws-radius, 10px); }
.frame { display: flex; flex-direction: column; height: var(--chat-ws-height, 70vh); }
header { display: flex; align-items: center; gap: .5em; padding: .5em .9em; border-bottom: 1px solid #e4e7ee; font-size: .85em; }
.dot { width: .65em; height: .65em; border-radius: 50%; background: #b0b6c3; }
.dot[data-state=open] { background: #1f9d55; }
.dot[data-state=connecting], .dot[data-state=reconnecting] { background: #e0a100; }
.log { flex: 1; overflow-y: auto; padding: .9em; display: flex; flex-direction: column; gap: .7em; }
.msg { max-width: 85%; padding: .55em .8em; border-radius: var(--chat-ws-radius, 10px); white-space: pre-wrap; overflow-wrap: anywhere; }
.user { align-self: flex-end; background: var(--chat-ws-user-bg, #dbe8ff); }
.assistant { align-self: flex-start; background: var(--chat-ws-assistant-bg, #f1f3f7); }
.tool { align-self: flex-start; background: #fff7e0; font-size: .9em; }
.role { display: block; font-size: .72em; text-transform: uppercase; letter-spacing: .04em; opacity: .6; margin-bottom: .15em; }
.call { font-family: ui-monospace, monospace; font-size: .85em; background: #fff7e0; border-radius: 6px; padding: .3em .5em; margin-top: .35em; }
.usage { display: block; font-size: .75em; opacity: .7; margin-top: .35em; }
.error { color: #a4161a; padding: 0 .9em; min-height: 1.2em; font-size: .9em; }
form { display: flex; gap: .5em; padding: .7em .9em; border-top: 1px solid #e4e7ee; }
textarea { flex: 1; resize: vertical; min-height: 2.6em; font: inherit; padding: .45em .6em; border-radius: 8px; border: 1px solid #c5cad6; }
button { font: inherit; padding: .45em 1em; border-radius: 8px; border: 0; background: var(--chat-ws-accent, #2454d6); color: #fff; cursor: pointer; }
button[hidden] { display: none; }
button.stop { background: #6b7280; }
:focus-visible { outline: 3px solid var(--chat-ws-accent, #2454d6); outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

const STATE_WORDS = { open: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Disconnected' };

export class ChatWsElement extends HTMLElement {
  constructor() {
    super();
    this.tokenProvider = null;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style>
      <div class="frame">
        <header><span class="dot" part="status-dot"></span><span class="status" part="status" role="status">Disconnected</span></header>
        <div class="log" part="transcript" role="log" aria-live="polite" aria-label="Conversation"></div>
        <div class="error" part="error" role="alert"></div>
        <form part="form">
          <label class="sr-only" for="input">Message</label>
          <textarea id="input" part="input" rows="2" placeholder="Message (Enter sends, Shift+Enter new line, Esc stops)"></textarea>
          <button type="submit" class="send" part="send">Send</button>
          <button type="button" class="stop" part="stop" hidden>Stop</button>
        </form>
      </div>`;
    this.log = root.querySelector('.log');
    this.statusText = root.querySelector('.status');
    this.dot = root.querySelector('.dot');
    this.errorLine = root.querySelector('.error');
    this.input = root.querySelector('textarea');
    this.sendButton = root.querySelector('.send');
    this.stopButton = root.querySelector('.stop');
    root.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape' && this.client?.turnInFlight) {
        this.client.cancel();
      }
    });
    this.stopButton.addEventListener('click', () => this.client?.cancel());
  }

  connectedCallback() {
    const endpoint = this.getAttribute('endpoint') || defaultEndpoint();
    this.client = new ChatWsClient({
      url: endpoint,
      storageKey: this.getAttribute('storage-key') || 'chat-ws.conversation',
      token: () => (this.tokenProvider ? this.tokenProvider() : null),
    });
    this.client.addEventListener('state', (e) => this.showState(e.detail.state));
    this.client.addEventListener('conversation', (e) => this.showHistory(e.detail.messages));
    this.client.addEventListener('chunk', (e) => this.addChunk(e.detail));
    this.client.addEventListener('completion', (e) => this.endTurn(e.detail));
    this.client.addEventListener('error', (e) => this.showError(e.detail, e.endsTurn));
    this.client.addEventListener('reset', () => this.showError({ message: 'The conversation is no longer available; a new one was started.' }, false));
    this.client.connect();
  }

  disconnectedCallback() {
    this.client?.close();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text || this.client.turnInFlight) {
      return;
    }
    const request = { messages: [{ role: 'user', content: text }] };
    const model = this.getAttribute('model');
    if (model) {
      request.model = model;
    }
    this.input.value = '';
    this.errorLine.textContent = '';
    this.bubble('user').content.textContent = text;
    this.current = null;
    this.sentHere = true;
    this.client.send(request);
    this.setBusy(true);
  }

  showState(state) {
    this.dot.dataset.state = state;
    this.statusText.textContent = STATE_WORDS[state] || state;
    this.dispatchEvent(new CustomEvent('chat-ws-state', { detail: { state }, bubbles: true, composed: true }));
  }

  /** The history from a conversation frame; a turn still in flight is replayed after it. */
  showHistory(messages) {
    this.log.replaceChildren();
    this.current = null;
    this.sentHere = false;
    for (const message of messages) {
      const bubble = this.bubble(message.role === 'assistant' ? 'assistant' : message.role === 'tool' ? 'tool' : 'user', message.role);
      bubble.content.textContent = textOf(message.content);
      for (const call of message.tool_calls || []) {
        this.toolCall(bubble, call.function?.name, call.function?.arguments);
      }
    }
    if (this.replayedUsage) {
      const replies = this.log.querySelectorAll('.assistant');
      if (replies.length) {
        this.usageLine(replies[replies.length - 1], this.replayedUsage);
      }
      this.replayedUsage = null;
    }
    this.setBusy(false);
  }

  addChunk(chunk) {
    this.setBusy(true);
    // Chunks of a turn this page did not send here: it was reattached mid-turn (a reload).
    this.replaying = !this.sentHere;
    for (const choice of chunk.choices || []) {
      if (choice.index !== 0) {
        continue;
      }
      const delta = choice.delta || {};
      if (!this.current) {
        this.current = this.bubble('assistant');
        this.current.calls = new Map();
      }
      if (typeof delta.content === 'string') {
        this.current.content.textContent += delta.content;
      }
      if (typeof delta.refusal === 'string') {
        this.current.content.textContent += delta.refusal;
      }
      for (const call of delta.tool_calls || []) {
        let shown = this.current.calls.get(call.index);
        if (!shown) {
          shown = this.toolCall(this.current, '', '');
          this.current.calls.set(call.index, shown);
        }
        shown.name += call.function?.name || '';
        shown.args += call.function?.arguments || '';
        shown.element.textContent = `${shown.name}(${shown.args})`;
      }
    }
    this.scrollDown();
  }

  endTurn(completion) {
    const bubble = this.current || this.bubble('assistant');
    const message = completion.choices?.find((c) => c.index === 0)?.message;
    if (!this.current && message) {
      bubble.content.textContent = textOf(message.content);
    }
    if (completion.choices?.[0]?.finish_reason === 'cancelled') {
      bubble.content.textContent += ' [stopped]';
    }
    const usage = describeUsage(completion.usage);
    if (this.replaying) {
      // The history did not hold this turn's request yet: fetch it again, now with the whole turn.
      this.replaying = false;
      this.replayedUsage = usage;
      this.client.refresh();
    } else if (usage) {
      this.usageLine(bubble.element, usage);
    }
    this.current = null;
    this.setBusy(false);
    this.dispatchEvent(new CustomEvent('chat-ws-completion', { detail: completion, bubbles: true, composed: true }));
  }

  showError(error, endsTurn) {
    this.errorLine.textContent = `${error.message || 'Something went wrong.'}${error.retry_after ? ` (retry in ${error.retry_after} s)` : ''}`;
    if (endsTurn) {
      if (this.current) {
        this.current.element.remove();
        this.current = null;
      }
      this.setBusy(false);
    }
    this.dispatchEvent(new CustomEvent('chat-ws-error', { detail: error, bubbles: true, composed: true }));
  }

  usageLine(element, usage) {
    const line = document.createElement('span');
    line.className = 'usage';
    line.setAttribute('part', 'usage');
    line.textContent = usage;
    element.append(line);
  }

  setBusy(busy) {
    this.stopButton.hidden = !busy;
    this.sendButton.disabled = busy;
  }

  bubble(kind, role = kind) {
    const element = document.createElement('div');
    element.className = `msg ${kind}`;
    element.setAttribute('part', `message ${kind}`);
    const label = document.createElement('span');
    label.className = 'role';
    label.textContent = role;
    const content = document.createElement('span');
    content.className = 'content';
    content.setAttribute('part', 'content');
    element.append(label, content);
    this.log.append(element);
    this.scrollDown();
    return { element, content };
  }

  toolCall(bubble, name, args) {
    const element = document.createElement('div');
    element.className = 'call';
    element.setAttribute('part', 'tool-call');
    element.textContent = `${name || ''}(${args || ''})`;
    bubble.element.append(element);
    return { element, name: name || '', args: args || '' };
  }

  scrollDown() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** {@code chat} beside the page (ws:// or wss:// as the page's scheme), e.g. ws://host:9080/chat for /. */
function defaultEndpoint() {
  const url = new URL('chat', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}

/** A message's text: a string, or the text parts of an array of content parts. */
function textOf(content) {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('');
  }
  return '';
}

/** "12 prompt (8 cached) + 30 completion (20 reasoning) = 42 tokens", or '' with no usage. */
function describeUsage(usage) {
  if (!usage) {
    return '';
  }
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return `${usage.prompt_tokens ?? '?'} prompt${cached ? ` (${cached} cached)` : ''}`
    + ` + ${usage.completion_tokens ?? '?'} completion${reasoning ? ` (${reasoning} reasoning)` : ''}`
    + ` = ${usage.total_tokens ?? '?'} tokens`;
}

customElements.define('chat-ws', ChatWsElement);
