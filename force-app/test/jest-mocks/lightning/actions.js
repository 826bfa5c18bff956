/** Stands in for lightning/actions: the event a screen quick action dispatches to close itself. */
export const CloseActionScreenEvent = class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super('close');
  }
};
