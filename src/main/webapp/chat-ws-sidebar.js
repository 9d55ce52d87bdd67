// The conversation list of <chat-ws sidebar>: the user's conversations, most recently updated
// first, with "New chat", rename and delete. With a token (the element's tokenProvider) they come
// from the HTTP API (GET /api/conversations, PROTOCOL §12); an anonymous page keeps the ids and
// titles of its own conversations in localStorage (key "<storage-key>.list"), as only the holder
// of an anonymous id can reach it. Rename and delete go over HTTP for any listed conversation
// (PATCH, DELETE /api/conversations/{id}); the open conversation's sockets hear of it from the
// server. Titles are text, never HTML.

const MAX_LOCAL = 50;

/** The HTTP API's base beside a chat endpoint: ws://host/chat → http://host/api/. */
export function apiBase(endpoint) {
  const url = new URL(endpoint);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/chat\/?$/, '') + 'api/';
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class Sidebar {
  /**
   * `nav` is the element to fill; `api` the HTTP API's base; `token` an async function giving a
   * bearer token or null; `open(id)` opens a conversation (null: a new one).
   */
  constructor(nav, { api, token, storageKey, open }) {
    this.nav = nav;
    this.api = api;
    this.token = token;
    this.key = `${storageKey}.list`;
    this.open = open;
    this.current = null;
    this.remote = false;
    this.items = [];
    nav.innerHTML = `<button type="button" class="new" part="new-chat">New chat</button>
      <h2 class="sr-only" id="chat-ws-list-heading">Conversations</h2>
      <ul part="conversation-list" aria-labelledby="chat-ws-list-heading"></ul>
      <p class="empty" hidden>No conversations yet.</p>`;
    this.list = nav.querySelector('ul');
    this.empty = nav.querySelector('.empty');
    nav.querySelector('.new').addEventListener('click', () => this.open(null));
  }

  async request(method, path, body) {
    const headers = {};
    const token = this.token ? await this.token() : null;
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(new URL(path, this.api), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { response, token };
  }

  /** Lists the conversations again: the API's with a token, else this browser's own (no request made). */
  async refresh() {
    try {
      const token = this.token ? await this.token() : null;
      if (token) {
        const { response } = await this.request('GET', 'conversations?limit=50');
        if (response.ok) {
          const page = await response.json();
          this.remote = true;
          this.items = page.data.map(({ id, title, updated }) => ({ id, title, updated }));
          this.render();
          return;
        }
      }
    } catch (e) {
      // No API (a portal without it, or offline): fall back to this browser's list.
    }
    this.remote = false;
    this.items = this.local();
    this.render();
  }

  /** A conversation frame arrived: it is the open one; an anonymous page remembers it once it has a message. */
  seen(frame) {
    this.current = frame.id;
    const known = this.items.find((item) => item.id === frame.id);
    if (this.remote) {
      if (known) {
        known.title = frame.title;
      } else if (frame.messages.length > 0) {
        this.refresh();
        return;
      }
    } else if (frame.messages.length > 0) {
      const others = this.local().filter((item) => item.id !== frame.id);
      this.store([{ id: frame.id, title: frame.title, updated: Math.floor(Date.now() / 1000) }, ...others].slice(0, MAX_LOCAL));
      this.items = this.local();
    }
    this.render();
  }

  local() {
    try {
      const list = JSON.parse(localStorage.getItem(this.key) || '[]');
      return Array.isArray(list) ? list.filter((item) => typeof item?.id === 'string') : [];
    } catch (e) {
      return [];
    }
  }

  store(list) {
    try {
      localStorage.setItem(this.key, JSON.stringify(list));
    } catch (e) {
      // Storage full or disabled: the list lasts as long as the page.
    }
  }

  render() {
    this.list.replaceChildren(...this.items.map((item) => this.row(item)));
    this.empty.hidden = this.items.length > 0;
  }

  row(item) {
    const li = document.createElement('li');
    const name = item.title || 'Untitled chat';
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'open';
    open.textContent = name;
    open.title = name;
    if (item.id === this.current) {
      open.setAttribute('aria-current', 'true');
    }
    open.addEventListener('click', () => this.open(item.id));
    const rename = small('Rename', `Rename “${name}”`, () => this.rename(li, item));
    const remove = small('Delete', `Delete “${name}”`, () => {
      if (remove.dataset.armed) {
        this.remove(item);
      } else {
        remove.dataset.armed = 'true';
        remove.textContent = 'Confirm';
        remove.setAttribute('aria-label', `Confirm: delete “${name}” for good`);
        remove.focus();
      }
    });
    remove.addEventListener('blur', () => {
      delete remove.dataset.armed;
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete “${name}”`);
    });
    li.append(open, rename, remove);
    return li;
  }

  rename(li, item) {
    const input = document.createElement('input');
    input.type = 'text';
    input.maxLength = 200;
    input.value = item.title || '';
    input.setAttribute('aria-label', 'New title (Enter saves, Esc cancels)');
    li.replaceChildren(input);
    input.focus();
    input.addEventListener('keydown', async (e) => {
      if (e.key === 'Escape') {
        this.render();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        const title = input.value.trim() || null;
        await this.request('PATCH', `conversations/${encodeURIComponent(item.id)}`, { title }).catch(() => null);
        item.title = title;
        this.store(this.local().map((known) => (known.id === item.id ? { ...known, title } : known)));
        this.render();
        this.list.querySelector(`li:nth-child(${this.items.indexOf(item) + 1}) .open`)?.focus();
      }
    });
  }

  async remove(item) {
    await this.request('DELETE', `conversations/${encodeURIComponent(item.id)}`).catch(() => null);
    this.items = this.items.filter((known) => known.id !== item.id);
    this.store(this.local().filter((known) => known.id !== item.id));
    if (item.id === this.current) {
      this.open(null);
    }
    this.render();
    this.nav.querySelector('.new').focus();
  }
}

function small(text, label, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = text.toLowerCase();
  button.textContent = text;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', onClick);
  return button;
}

export const SIDEBAR_STYLE = `
.shell { display: flex; height: var(--chat-ws-height, 70vh); position: relative; }
.shell > .frame { flex: 1; min-width: 0; height: auto; }
nav.sidebar { width: 15rem; flex: none; border-right: 1px solid #e4e7ee; padding: .6em; overflow-y: auto; display: flex; flex-direction: column; gap: .5em; background: #fafbfd; }
nav.sidebar ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .15em; }
nav.sidebar li { display: flex; gap: .2em; align-items: center; }
nav.sidebar .open { flex: 1; min-width: 0; text-align: left; background: transparent; color: inherit; padding: .35em .5em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav.sidebar .open[aria-current] { background: #e4ebfb; font-weight: 600; }
nav.sidebar .rename, nav.sidebar .delete { font-size: .72em; padding: .2em .4em; background: transparent; color: var(--chat-ws-accent, #2454d6); border: 1px solid transparent; }
nav.sidebar .delete[data-armed] { color: #a4161a; border-color: currentColor; }
nav.sidebar input { flex: 1; min-width: 0; font: inherit; padding: .3em .4em; }
nav.sidebar .empty { font-size: .85em; opacity: .7; margin: 0; }
.toggle { display: none; }
@media (max-width: 640px) {
  .toggle { display: inline-block; }
  nav.sidebar { display: none; position: absolute; inset: 0 auto 0 0; width: min(85%, 18rem); z-index: 2; box-shadow: 2px 0 12px rgba(0,0,0,.18); }
  .shell.show-list nav.sidebar { display: flex; }
}
`;
