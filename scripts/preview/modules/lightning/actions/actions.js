/** Closes the quick action's dialog: the preview page listens for it, as Lightning Experience does. */
export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super('lightning__actionsclosescreen', { bubbles: true, composed: true });
  }
}
