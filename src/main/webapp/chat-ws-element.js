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
//             input, send, stop, status, error, branch-controls.
// Branches:   "Edit" under user messages, "Regenerate" under the last answer, "‹ 1/2 ›" where a
//             message has alternatives (the conversation frame's forks); see chat-ws-branches.js.
// Events:     chat-ws-state, chat-ws-completion, chat-ws-error (bubbling, composed; detail as in
//             chat-ws.js).
// Model output is only ever set as text (textContent), never parsed as HTML.

import { ChatWsClient } from './chat-ws.js';
import { addBranchControls, BRANCH_STYLE } from './chat-ws-branches.js';
import { STYLE, defaultEndpoint, describeUsage, textOf } from './chat-ws-view.js';


const STATE_WORDS = { open: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Disconnected' };

export class ChatWsElement extends HTMLElement {
  constructor() {
    super();
    this.tokenProvider = null;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}${BRANCH_STYLE}</style>
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
      } else if (e.key === 'Escape' && this.editing) {
        this.editing = null;
        this.errorLine.textContent = '';
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
    this.client.addEventListener('conversation', (e) => this.showHistory(e.detail));
    this.client.addEventListener('chunk', (e) => this.addChunk(e.detail));
    this.client.addEventListener('completion', (e) => this.endTurn(e.detail));
    this.client.addEventListener('error', (e) => this.showError(e.detail, e.endsTurn || e.refused));
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
    this.current = null;
    if (this.editing) {
      const { messages, ...members } = request;
      this.client.edit(this.editing, messages, members);
      this.editing = null;
    } else {
      this.bubble('user').content.textContent = text;
      this.client.send(request);
    }
    this.setBusy(true);
  }

  showState(state) {
    this.dot.dataset.state = state;
    this.statusText.textContent = STATE_WORDS[state] || state;
    this.dispatchEvent(new CustomEvent('chat-ws-state', { detail: { state }, bubbles: true, composed: true }));
  }

  /** The active path from a conversation frame, with its branch controls; a turn still in flight is replayed after it. */
  showHistory(frame) {
    this.log.replaceChildren();
    this.current = null;
    const { messages, message_ids: ids = [], forks = {} } = frame;
    messages.forEach((message, i) => {
      const bubble = this.bubble(message.role === 'assistant' ? 'assistant' : message.role === 'tool' ? 'tool' : 'user', message.role);
      bubble.content.textContent = textOf(message.content);
      for (const call of message.tool_calls || []) {
        this.toolCall(bubble, call.function?.name, call.function?.arguments);
      }
      if (ids[i]) {
        addBranchControls(bubble.element, ids[i], message.role, forks, i === messages.length - 1, (action, id) => this.steer(action, id, message));
      }
    });
    // The last turn's usage and "[stopped]" belong to the newest answer: shown while it ends the path.
    const seqs = [...ids, ...Object.values(forks).flat()].map((id) => Number(String(id).slice(4)));
    const newest = seqs.length ? Math.max(...seqs) : -1;
    const lastReply = this.log.lastElementChild;
    if (lastReply?.classList.contains('assistant') && ids.length && Number(ids[ids.length - 1].slice(4)) === newest) {
      if (this.stopped) {
        lastReply.querySelector('.content').textContent += ' [stopped]';
      }
      if (this.lastUsage) {
        this.usageLine(lastReply, this.lastUsage);
      }
    }
    this.setBusy(false);
  }

  /** A branch control was used: switch to another alternative, start editing a user message, or regenerate. */
  steer(action, id, message) {
    if (this.client.turnInFlight) {
      return;
    }
    if (action === 'switch') {
      this.client.switchBranch(id);
    } else if (action === 'edit') {
      this.editing = id;
      this.input.value = textOf(message.content);
      this.input.focus();
      this.errorLine.textContent = 'Editing a message: Send makes a new branch from it (Esc leaves it as it was).';
    } else {
      this.current = null;
      this.log.querySelector('.assistant:last-of-type')?.remove();
      this.client.regenerate(this.getAttribute('model') ? { model: this.getAttribute('model') } : {});
      this.setBusy(true);
    }
  }

  addChunk(chunk) {
    this.setBusy(true);
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
    this.stopped = completion.choices?.[0]?.finish_reason === 'cancelled';
    if (this.stopped) {
      bubble.content.textContent += ' [stopped]';
    }
    // The conversation frame again: the committed messages with their ids and branch controls
    // (and, after a reattach mid-turn, this turn's request, which the first frame did not hold yet).
    this.lastUsage = describeUsage(completion.usage);
    this.client.refresh();
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

customElements.define('chat-ws', ChatWsElement);
