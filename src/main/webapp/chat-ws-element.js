// <chat-ws>: a chat component for pages and portals, built on the client library.
//
//   <script type="module" src="/chat-ws-element.js"></script>
//   <chat-ws endpoint="wss://chat.example.com/chat" model="gpt-4o-mini" sidebar></chat-ws>
//
// Attributes: endpoint (default: chat beside the page, e.g. ws://host/chat for /), model (default:
//             the conversation's setting, else the server's), storage-key (sessionStorage key of
//             the conversation id; one per component on a page), sidebar (show the list of
//             conversations with New chat, rename and delete; portals with their own leave it off).
// Property:   tokenProvider = async () => jwt   (offered as the subprotocol bearer.<jwt>, asked on
//             every connect; with it the sidebar lists the user's conversations from /api).
// Methods:    open(id) (another conversation; null: a new one), openSettings().
// Styling:    CSS custom properties --chat-ws-font, --chat-ws-fg, --chat-ws-bg, --chat-ws-accent,
//             --chat-ws-user-bg, --chat-ws-assistant-bg, --chat-ws-radius, --chat-ws-height;
//             parts: transcript, message, user, assistant, tool, content, usage, note, tool-call,
//             form, input, send, stop, status, error, branch-controls, title, settings, copy,
//             sidebar, new-chat, conversation-list.
// Branches:   "Edit" under user messages, "Regenerate" under the last answer, "‹ 1/2 ›" where a
//             message has alternatives (the conversation frame's forks); see chat-ws-branches.js.
// Events:     chat-ws-state, chat-ws-completion, chat-ws-error, chat-ws-conversation (bubbling,
//             composed; detail as in chat-ws.js).
// Answers are Markdown, rendered and sanitized by chat-ws-markdown.js (never able to run script);
// user and tool messages are text (textContent).

import { ChatWsClient } from './chat-ws.js';
import { addBranchControls, BRANCH_STYLE } from './chat-ws-branches.js';
import { MarkdownStream, MARKDOWN_STYLE, renderMarkdown } from './chat-ws-markdown.js';
import { SettingsDialog, SETTINGS_STYLE } from './chat-ws-settings.js';
import { apiBase, Sidebar, SIDEBAR_STYLE } from './chat-ws-sidebar.js';
import { STYLE, bubble, defaultEndpoint, describeUsage, note, textOf, toolCall } from './chat-ws-view.js';

const STATE_WORDS = { open: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Disconnected' };

export class ChatWsElement extends HTMLElement {
  constructor() {
    super();
    this.tokenProvider = null;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}${BRANCH_STYLE}${MARKDOWN_STYLE}${SIDEBAR_STYLE}${SETTINGS_STYLE}</style>
      <div class="shell">
        <nav class="sidebar" part="sidebar" id="chat-ws-sidebar" aria-label="Conversations" hidden></nav>
        <div class="frame">
          <header>
            <button type="button" class="toggle" part="toggle" aria-controls="chat-ws-sidebar" aria-expanded="false" hidden>Chats</button>
            <h2 class="title" part="title">New chat</h2>
            <span class="dot" part="status-dot"></span><span class="status" part="status" role="status">Disconnected</span>
            <button type="button" class="settings" part="settings" aria-haspopup="dialog">Settings</button>
          </header>
          <div class="log" part="transcript" role="log" aria-live="polite" aria-label="Conversation" tabindex="0"></div>
          <div class="error" part="error" role="alert"></div>
          <form part="form">
            <label class="sr-only" for="input">Message</label>
            <textarea id="input" part="input" rows="2" placeholder="Message (Enter sends, Shift+Enter new line, Esc stops)"></textarea>
            <button type="submit" class="send" part="send">Send</button>
            <button type="button" class="stop" part="stop" hidden>Stop</button>
          </form>
        </div>
      </div>
      <dialog part="settings-dialog"></dialog>`;
    const $ = (selector) => root.querySelector(selector);
    Object.assign(this, { shell: $('.shell'), nav: $('nav'), toggle: $('.toggle'), heading: $('.title'), log: $('.log'), statusText: $('.status'),
      dot: $('.dot'), errorLine: $('.error'), input: $('textarea'), sendButton: $('.send'), stopButton: $('.stop'), settingsButton: $('.settings') });
    this.settings = new SettingsDialog($('dialog'), (members) => this.client.update(members));
    $('form').addEventListener('submit', (e) => {
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
    this.settingsButton.addEventListener('click', () => this.openSettings());
    this.toggle.addEventListener('click', () => this.showList(!this.shell.classList.contains('show-list')));
  }

  connectedCallback() {
    const endpoint = this.getAttribute('endpoint') || defaultEndpoint();
    const storageKey = this.getAttribute('storage-key') || 'chat-ws.conversation';
    const token = () => (this.tokenProvider ? this.tokenProvider() : null);
    this.client = new ChatWsClient({ url: endpoint, storageKey, token });
    this.client.addEventListener('state', (e) => this.showState(e.detail.state));
    this.client.addEventListener('conversation', (e) => this.showHistory(e.detail));
    this.client.addEventListener('chunk', (e) => this.addChunk(e.detail));
    this.client.addEventListener('completion', (e) => this.endTurn(e.detail));
    this.client.addEventListener('error', (e) => this.showError(e.detail, e.endsTurn || e.refused));
    this.client.addEventListener('reset', () => this.showError({ message: 'The conversation is no longer available; a new one was started.' }, false));
    if (this.hasAttribute('sidebar')) {
      this.nav.hidden = false;
      this.toggle.hidden = false;
      this.sidebar = new Sidebar(this.nav, { api: apiBase(endpoint), token, storageKey, open: (id) => this.open(id) });
      this.sidebar.refresh();
    }
    this.client.connect();
  }

  disconnectedCallback() {
    this.client?.close();
  }

  /** Opens conversation `id` (null: a new one) in this component. */
  open(id) {
    this.showList(false);
    this.log.replaceChildren();
    this.current = null;
    this.editing = null;
    this.lastUsage = '';
    this.stopped = false;
    this.errorLine.textContent = '';
    this.setBusy(false);
    this.client.switchTo(id);
    this.input.focus();
  }

  openSettings() {
    this.settings.open(this.frame, this.settingsButton);
  }

  showList(shown) {
    this.shell.classList.toggle('show-list', shown);
    this.toggle.setAttribute('aria-expanded', String(shown));
    if (shown) {
      this.nav.querySelector('button')?.focus();
    }
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
      bubble(this.log, 'user').content.textContent = text;
      this.scrollDown();
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
    this.frame = frame;
    this.heading.textContent = frame.title || 'New chat';
    this.sidebar?.seen(frame);
    this.log.replaceChildren();
    this.current = null;
    const { messages, message_ids: ids = [], forks = {} } = frame;
    messages.forEach((message, i) => {
      const kind = message.role === 'assistant' ? 'assistant' : message.role === 'tool' ? 'tool' : 'user';
      const shown = bubble(this.log, kind, message.role);
      if (kind === 'assistant') {
        shown.content.append(renderMarkdown(textOf(message.content) + (typeof message.refusal === 'string' ? message.refusal : '')));
      } else {
        shown.content.textContent = textOf(message.content);
      }
      for (const call of message.tool_calls || []) {
        toolCall(shown, call.function?.name, call.function?.arguments);
      }
      if (ids[i]) {
        addBranchControls(shown.element, ids[i], message.role, forks, i === messages.length - 1, (action, id) => this.steer(action, id, message));
      }
    });
    // The last turn's usage and "[stopped]" belong to the newest answer: shown while it ends the path.
    const seqs = [...ids, ...Object.values(forks).flat()].map((id) => Number(String(id).slice(4)));
    const newest = seqs.length ? Math.max(...seqs) : -1;
    const lastReply = this.log.lastElementChild;
    if (lastReply?.classList.contains('assistant') && ids.length && Number(ids[ids.length - 1].slice(4)) === newest) {
      if (this.stopped) {
        note(lastReply.querySelector('.content'), '[stopped]', 'note');
      }
      if (this.lastUsage) {
        note(lastReply, this.lastUsage);
      }
    }
    this.scrollDown();
    this.setBusy(false);
    this.dispatchEvent(new CustomEvent('chat-ws-conversation', { detail: frame, bubbles: true, composed: true }));
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
        this.current = bubble(this.log, 'assistant');
        this.current.calls = new Map();
        this.current.markdown = new MarkdownStream(this.current.content);
      }
      const text = (typeof delta.content === 'string' ? delta.content : '') + (typeof delta.refusal === 'string' ? delta.refusal : '');
      if (text) {
        this.current.markdown.append(text);
      }
      for (const call of delta.tool_calls || []) {
        let shown = this.current.calls.get(call.index);
        if (!shown) {
          shown = toolCall(this.current, '', '');
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
    const reply = this.current || bubble(this.log, 'assistant');
    const message = completion.choices?.find((c) => c.index === 0)?.message;
    if (this.current) {
      this.current.markdown.finish();
    } else if (message) {
      reply.content.append(renderMarkdown(textOf(message.content)));
    }
    this.stopped = completion.choices?.[0]?.finish_reason === 'cancelled';
    if (this.stopped) {
      note(reply.content, '[stopped]', 'note');
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

  setBusy(busy) {
    this.stopButton.hidden = !busy;
    this.sendButton.disabled = busy;
  }

  scrollDown() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

customElements.define('chat-ws', ChatWsElement);
