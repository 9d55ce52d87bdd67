// Model output as Markdown, for <chat-ws>: marked (GFM) renders it, DOMPurify sanitizes the result,
// both pinned WebJars served from the WAR (no CDN). What a model writes never runs script:
//   - raw HTML in the Markdown is shown as text, never parsed as HTML;
//   - the sanitizer then drops scripts, event handlers, forms, SVG, MathML, styles and style
//     attributes anyway (defence in depth);
//   - links keep only http:, https: and mailto: targets and open in a new tab with
//     rel="noopener noreferrer nofollow"; others become plain text;
//   - images are not loaded (a prompt-injected image URL is a classic way to leak a conversation):
//     each becomes a link to the image, labelled with its alt text;
//   - code blocks get a Copy button.
// While a reply streams, only its unfinished last block is parsed again per chunk: every block
// that a blank line (outside a code fence) or a closing fence ended is rendered once and kept, and
// an open code fence grows as text. When the turn ends the reply is rendered whole once more, so
// what stays on screen is exactly marked's rendering of the whole text.

import { Marked } from './webjars/marked/17.0.1/lib/marked.esm.js';
import createPurify from './webjars/dompurify/3.3.3/dist/purify.es.js';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const marked = new Marked({ gfm: true, breaks: false });
marked.use({
  renderer: {
    // Raw HTML the model writes is text: "<b>" shows as "<b>".
    html(token) {
      return escapeHtml(token.text ?? token.raw ?? '');
    },
    image(token) {
      const label = token.text || token.title || 'image';
      return `<a href="${escapeHtml(token.href || '')}">${escapeHtml(`[image: ${label}]`)}</a>`;
    },
  },
});

// A private instance: its hooks do not touch a DOMPurify the embedding page may use.
const purify = createPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    let safe = false;
    try {
      safe = SAFE_PROTOCOLS.has(new URL(node.getAttribute('href') || '', document.baseURI).protocol) && node.hasAttribute('href');
    } catch (e) {
      safe = false;
    }
    if (!safe) {
      node.removeAttribute('href');
    } else {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  }
});
const SANITIZE = {
  RETURN_DOM_FRAGMENT: true,
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'img', 'video', 'audio', 'source', 'picture', 'iframe', 'object', 'embed', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'class', 'id', 'name', 'srcset', 'formaction', 'action', 'background', 'poster'],
  ALLOW_DATA_ATTR: false,
};

/** The sanitized DOM of Markdown `text`, code blocks with their Copy buttons. */
export function renderMarkdown(text) {
  const fragment = purify.sanitize(marked.parse(text), SANITIZE);
  for (const pre of fragment.querySelectorAll('pre')) {
    addCopyButton(pre);
  }
  return fragment;
}

function addCopyButton(pre) {
  const box = document.createElement('div');
  box.className = 'code';
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'copy';
  copy.setAttribute('part', 'copy');
  copy.textContent = 'Copy';
  copy.setAttribute('aria-label', 'Copy code');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(pre.textContent);
      copy.textContent = 'Copied';
    } catch (e) {
      copy.textContent = 'Copy failed';
    }
    setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
  });
  pre.replaceWith(box);
  box.append(copy, pre);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * One reply being streamed into `element`: `append(delta)` per chunk, `finish()` at the end (or
 * `finish(text)` with the whole text of a reply that did not stream).
 */
export class MarkdownStream {
  constructor(element) {
    this.element = element;
    this.text = '';
    this.settled = 0; // text[0, settled) is rendered into this.done and final
    this.scanned = 0; // lines are scanned for block ends up to here
    this.fence = null; // the open fence at `scanned`, if any
    this.done = document.createElement('div');
    this.done.className = 'md';
    this.tail = document.createElement('div');
    this.tail.className = 'md tail';
    element.replaceChildren(this.done, this.tail);
    this.stats = { chunks: 0, ms: [] };
  }

  append(delta) {
    const started = performance.now();
    this.text += delta;
    let end = this.settled;
    // Scan only the complete lines not scanned yet.
    let newline;
    while ((newline = this.text.indexOf('\n', this.scanned)) !== -1) {
      const line = this.text.slice(this.scanned, newline);
      this.scanned = newline + 1;
      const fence = FENCE.exec(line);
      if (this.fence) {
        if (fence && fence[1][0] === this.fence[0] && fence[1].length >= this.fence.length && line.trim() === fence[1]) {
          this.fence = null;
          end = this.scanned;
        }
      } else if (fence) {
        this.fence = fence[1];
      } else if (line.trim() === '') {
        end = this.scanned;
      }
    }
    if (end > this.settled) {
      this.done.append(renderMarkdown(this.text.slice(this.settled, end)));
      this.settled = end;
    }
    this.renderTail();
    this.stats.chunks += 1;
    this.stats.ms.push(performance.now() - started);
  }

  renderTail() {
    const rest = this.text.slice(this.settled);
    if (this.fence) {
      // An open code fence: its text so far, as text (it is parsed when it closes).
      const open = rest.indexOf('\n');
      const code = open === -1 ? '' : rest.slice(open + 1);
      let pre = this.tail.firstElementChild;
      if (!pre || pre.nodeName !== 'PRE' || !pre.dataset.open) {
        pre = document.createElement('pre');
        pre.dataset.open = 'true';
        pre.append(document.createElement('code'));
        this.tail.replaceChildren(pre);
      }
      pre.firstChild.textContent = code;
    } else {
      this.tail.replaceChildren(renderMarkdown(rest));
    }
  }

  /** The reply is whole: renders it once more as one text (lists and references across blocks). */
  finish(text = this.text) {
    this.text = text;
    this.element.replaceChildren(renderMarkdown(text));
  }
}

export const MARKDOWN_STYLE = `
.content p, .content ul, .content ol, .content pre, .content blockquote, .content table { margin: .35em 0; }
.content > :first-child, .content .md > :first-child { margin-top: 0; }
.content ul, .content ol { padding-left: 1.4em; }
.content pre { background: #1f2430; color: #e8ebf1; padding: .6em .8em; border-radius: 8px; overflow-x: auto; white-space: pre; }
.content code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.content :not(pre) > code { background: rgba(0,0,0,.07); padding: .05em .3em; border-radius: 4px; }
.content blockquote { border-left: 3px solid #c5cad6; padding-left: .7em; color: #4a5263; }
.content table { border-collapse: collapse; display: block; overflow-x: auto; }
.content th, .content td { border: 1px solid #d6dae3; padding: .2em .5em; }
.content a { color: var(--chat-ws-accent, #2454d6); }
.content .code { position: relative; }
.content .copy { position: absolute; top: .3em; right: .3em; padding: .1em .55em; font-size: .75em; background: rgba(255,255,255,.15); color: #fff; border: 1px solid rgba(255,255,255,.35); }
.assistant .content { white-space: normal; }
`;
