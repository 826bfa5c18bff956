/**
 * Lightning Message Service for the preview: one page, so every subscriber of a channel hears every
 * publish on it, as components on one Lightning page do. Channels are the strings
 * `@salesforce/messageChannel/<name>` imports become.
 */
const subscribers = new Map();
let nextId = 1;

/** @wire(MessageContext): the page's one context. */
export class MessageContext {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  connect() {
    this.dataCallback({ preview: true });
  }

  disconnect() {}

  update() {}
}

export function publish(_context, channel, message) {
  for (const subscription of subscribers.values()) {
    if (subscription.channel === channel) {
      // Delivered after the publisher's turn, as the platform does.
      Promise.resolve().then(() => subscription.listener(message));
    }
  }
}

export function subscribe(_context, channel, listener) {
  const subscription = { id: nextId++, channel, listener };
  subscribers.set(subscription.id, subscription);
  return subscription;
}

export function unsubscribe(subscription) {
  if (subscription) subscribers.delete(subscription.id);
}

export const APPLICATION_SCOPE = 'APPLICATION_SCOPE';
