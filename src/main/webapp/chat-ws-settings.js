// The settings dialog of <chat-ws> (PROTOCOL §10): the conversation's title, system prompt and
// model, saved with conversation.update; every socket of the conversation gets the new
// conversation frame. A native <dialog>: modal, Esc closes it, focus returns to its opener.

export const SETTINGS_STYLE = `
dialog { border: 1px solid #d6dae3; border-radius: var(--chat-ws-radius, 10px); padding: 1em 1.1em; width: min(32rem, calc(100vw - 2.5rem)); box-sizing: border-box; }
dialog::backdrop { background: rgba(20, 24, 33, .35); }
dialog h2 { font-size: 1.05em; margin: 0 0 .6em; }
dialog label { display: block; font-size: .85em; margin: .6em 0 .2em; }
dialog input, dialog textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .4em .55em; border: 1px solid #c5cad6; border-radius: 8px; }
dialog .actions { display: flex; justify-content: flex-end; gap: .5em; margin-top: 1em; }
dialog .cancel { background: #6b7280; }
`;

export class SettingsDialog {
  /** Fills `dialog`; `save(members)` is called with a conversation.update's members. */
  constructor(dialog, save) {
    this.dialog = dialog;
    dialog.setAttribute('aria-labelledby', 'chat-ws-settings-title');
    dialog.innerHTML = `<form method="dialog">
        <h2 id="chat-ws-settings-title">Conversation settings</h2>
        <label for="chat-ws-title">Title</label>
        <input id="chat-ws-title" name="title" maxlength="200" autocomplete="off">
        <label for="chat-ws-system">System prompt (sent first on every turn)</label>
        <textarea id="chat-ws-system" name="system" rows="4"></textarea>
        <label for="chat-ws-model">Model (empty: the server's default)</label>
        <input id="chat-ws-model" name="model" autocomplete="off">
        <div class="actions">
          <button type="button" class="cancel" value="cancel">Cancel</button>
          <button type="submit" class="save" value="save">Save</button>
        </div>
      </form>`;
    this.fields = dialog.querySelector('form').elements;
    dialog.querySelector('.cancel').addEventListener('click', () => dialog.close('cancel'));
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'save') {
        const value = (name) => this.fields[name].value.trim() || null;
        save({ title: value('title'), settings: { system: value('system'), model: value('model') } });
      }
      this.opener?.focus();
    });
  }

  /** Opens it on `frame`'s title and settings; focus goes back to `opener` when it closes. */
  open(frame, opener) {
    this.opener = opener;
    this.dialog.returnValue = '';
    this.fields.title.value = frame?.title || '';
    this.fields.system.value = frame?.settings?.system || '';
    this.fields.model.value = frame?.settings?.model || '';
    this.dialog.showModal();
    this.fields.title.focus();
  }
}
