// The branch controls of <chat-ws> (PROTOCOL §8, §9): under a message of the active path,
// "< 2/3 >" where the conversation frame's `forks` lists alternatives at its place, "Edit" on user
// messages and "Regenerate" on the last answer. Buttons only; what they do is the element's.

export const BRANCH_STYLE = `
.steer { display: flex; gap: .35em; align-items: center; margin-top: .3em; font-size: .78em; }
.steer button { padding: .1em .5em; background: transparent; color: var(--chat-ws-accent, #2454d6); border: 1px solid currentColor; border-radius: 6px; }
.steer button:disabled { opacity: .35; cursor: default; }
.steer .fork { opacity: .75; font-variant-numeric: tabular-nums; }
`;

/**
 * Adds the controls of message `id` (its role `role`) to `element`. `forks` is the conversation
 * frame's; `last` whether the message ends the active path; `act` gets ('switch', otherId),
 * ('edit', id) or ('regenerate').
 */
export function addBranchControls(element, id, role, forks, last, act) {
  const bar = document.createElement('div');
  bar.className = 'steer';
  bar.setAttribute('part', 'branch-controls');
  const alternatives = forks?.[id];
  if (alternatives && alternatives.length > 1) {
    const at = alternatives.indexOf(id);
    bar.append(
      button('‹', `Previous alternative (${at} of ${alternatives.length})`, at <= 0, () => act('switch', alternatives[at - 1]), 'previous'),
      label(`${at + 1}/${alternatives.length}`),
      button('›', `Next alternative (${at + 2} of ${alternatives.length})`, at >= alternatives.length - 1, () => act('switch', alternatives[at + 1]), 'next'));
  }
  if (role === 'user') {
    bar.append(button('Edit', 'Edit this message: a new branch from here', false, () => act('edit', id), 'edit'));
  }
  if (role === 'assistant' && last) {
    bar.append(button('Regenerate', 'Answer again: the old answer stays as an alternative', false, () => act('regenerate'), 'regenerate'));
  }
  if (bar.childElementCount) {
    element.append(bar);
  }
}

function button(text, title, disabled, onClick, name) {
  const control = document.createElement('button');
  control.type = 'button';
  control.textContent = text;
  control.title = title;
  control.setAttribute('aria-label', title);
  control.className = name;
  control.disabled = disabled;
  control.addEventListener('click', onClick);
  return control;
}

function label(text) {
  const span = document.createElement('span');
  span.className = 'fork';
  span.textContent = text;
  return span;
}
