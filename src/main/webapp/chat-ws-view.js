// What <chat-ws> looks like and how it words things: its style sheet, the bubbles of messages and
// tool calls, and the text of messages and usage. No state; imported by chat-ws-element.js.

export const STYLE = `
:host { display: block; font: var(--chat-ws-font, 15px/1.45 system-ui, sans-serif); color: var(--chat-ws-fg, #1d2330);
        background: var(--chat-ws-bg, #fff); border: 1px solid #d6dae3; border-radius: var(--chat-ws-radius, 10px); }
.frame { display: flex; flex-direction: column; height: var(--chat-ws-height, 70vh); }
[hidden] { display: none !important; }
header { display: flex; align-items: center; gap: .5em; padding: .5em .9em; border-bottom: 1px solid #e4e7ee; font-size: .85em; }
header .title { flex: 1; min-width: 0; margin: 0; font-size: 1.05em; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
header button { padding: .25em .7em; font-size: .95em; background: transparent; color: var(--chat-ws-accent, #2454d6); border: 1px solid currentColor; }
.dot { width: .65em; height: .65em; border-radius: 50%; background: #b0b6c3; }
.dot[data-state=open] { background: #1f9d55; }
.dot[data-state=connecting], .dot[data-state=reconnecting] { background: #e0a100; }
.log { flex: 1; overflow-y: auto; padding: .9em; display: flex; flex-direction: column; gap: .7em; }
.msg { max-width: min(85%, 46rem); box-sizing: border-box; padding: .55em .8em; border-radius: var(--chat-ws-radius, 10px); white-space: pre-wrap; overflow-wrap: anywhere; }
.user { align-self: flex-end; background: var(--chat-ws-user-bg, #dbe8ff); }
.assistant { align-self: flex-start; background: var(--chat-ws-assistant-bg, #f1f3f7); }
.tool { align-self: flex-start; background: #fff7e0; font-size: .9em; }
.role { display: block; font-size: .72em; text-transform: uppercase; letter-spacing: .04em; opacity: .6; margin-bottom: .15em; }
.call { font-family: ui-monospace, monospace; font-size: .85em; background: #fff7e0; border-radius: 6px; padding: .3em .5em; margin-top: .35em; }
.note { display: block; opacity: .7; font-size: .85em; }
.usage { display: block; font-size: .75em; opacity: .7; margin-top: .35em; }
.error { color: #a4161a; padding: 0 .9em; min-height: 1.2em; font-size: .9em; }
form { display: flex; flex-wrap: wrap; gap: .5em; padding: .7em .9em; border-top: 1px solid #e4e7ee; }
textarea { flex: 1 1 12rem; min-width: 0; resize: vertical; min-height: 2.6em; font: inherit; padding: .45em .6em; border-radius: 8px; border: 1px solid #c5cad6; }
button { font: inherit; padding: .45em 1em; border-radius: 8px; border: 0; background: var(--chat-ws-accent, #2454d6); color: #fff; cursor: pointer; }
button[hidden] { display: none; }
button.stop { background: #6b7280; }
:focus-visible { outline: 3px solid var(--chat-ws-accent, #2454d6); outline-offset: 2px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;

/** {@code chat} beside the page (ws:// or wss:// as the page's scheme), e.g. ws://host:9080/chat for /. */
export function defaultEndpoint() {
  const url = new URL('chat', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}

/** A message's text: a string, or the text parts of an array of content parts. */
export function textOf(content) {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('');
  }
  return '';
}

/** "12 prompt (8 cached) + 30 completion (20 reasoning) = 42 tokens", or '' with no usage. */
export function describeUsage(usage) {
  if (!usage) {
    return '';
  }
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return `${usage.prompt_tokens ?? '?'} prompt${cached ? ` (${cached} cached)` : ''}`
    + ` + ${usage.completion_tokens ?? '?'} completion${reasoning ? ` (${reasoning} reasoning)` : ''}`
    + ` = ${usage.total_tokens ?? '?'} tokens`;
}


/** A message bubble of `kind` (user, assistant, tool), labelled `role`, appended to `log`: its element and content. */
export function bubble(log, kind, role = kind) {
  const element = document.createElement('div');
  element.className = `msg ${kind}`;
  element.setAttribute('part', `message ${kind}`);
  const label = document.createElement('span');
  label.className = 'role';
  label.textContent = role;
  const content = document.createElement('div');
  content.className = 'content';
  content.setAttribute('part', 'content');
  element.append(label, content);
  log.append(element);
  return { element, content };
}

/** A tool call under `target` (a bubble), shown as name(arguments); its element, name and arguments so far. */
export function toolCall(target, name, args) {
  const element = document.createElement('div');
  element.className = 'call';
  element.setAttribute('part', 'tool-call');
  element.textContent = `${name || ''}(${args || ''})`;
  target.element.append(element);
  return { element, name: name || '', args: args || '' };
}

/** A line under `element`: the turn's usage (part usage) or a marker such as "[stopped]" (part note). */
export function note(element, text, kind = 'usage') {
  const line = document.createElement('span');
  line.className = kind;
  line.setAttribute('part', kind);
  line.textContent = text;
  element.append(line);
}
