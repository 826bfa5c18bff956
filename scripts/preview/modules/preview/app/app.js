import { LightningElement } from 'lwc';
import { actingUserId, apiKey, page, rememberActingUser, rememberApiKey } from 'preview/session';

const TOAST_ICONS = {
  success: 'utility:success',
  error: 'utility:error',
  warning: 'utility:warning',
  info: 'utility:info',
};
/** How long a toast stays before it fades, unless it is sticky. */
const TOAST_MS = 12000;

/**
 * The preview's page: a global header (search, act as), then a Lead page, an Account page or the
 * landing page, and the toasts the components raise.
 */
export default class App extends LightningElement {
  toasts = [];
  nextToastId = 1;
  keyDraft = '';
  userDraft = '';

  constructor() {
    super();
    this.addEventListener('lightning__showtoast', (event) => this.showToast(event.detail || {}));
  }

  get pageKind() {
    return page().page || 'landing';
  }

  get recordId() {
    return page().recordId;
  }

  /** Bound to another interface than loopback, the page has no key: the reader types it. */
  get needsKey() {
    return !apiKey() || !actingUserId();
  }

  get connected() {
    return !this.needsKey;
  }

  get userDraftValue() {
    return this.userDraft || actingUserId();
  }

  get isLead() {
    return this.pageKind === 'lead';
  }

  get isAccount() {
    return this.pageKind === 'account';
  }

  get isAdmin() {
    return this.pageKind === 'admin';
  }

  get isNotFound() {
    return this.pageKind === 'not-found';
  }

  get notFoundErrors() {
    return {
      status: 404,
      body: {
        error: {
          code: 'NOT_FOUND',
          message: page().problem || 'There is no preview page at this address.',
          action: 'Search for a lead or an account above, or open one from the start page.',
        },
      },
    };
  }

  showToast(detail) {
    const variant = TOAST_ICONS[detail.variant] ? detail.variant : 'info';
    const id = this.nextToastId++;
    this.toasts = [
      ...this.toasts,
      {
        id,
        title: detail.title || detail.label || '',
        message: detail.message || '',
        icon: TOAST_ICONS[variant],
        variantText: variant,
        className: `slds-notify slds-notify_toast slds-theme_${variant}`,
      },
    ];
    if (detail.mode !== 'sticky') {
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      setTimeout(() => this.removeToast(id), TOAST_MS);
    }
  }

  removeToast(id) {
    this.toasts = this.toasts.filter((toast) => toast.id !== id);
  }

  handleDismiss(event) {
    this.removeToast(Number(event.currentTarget.dataset.id));
  }

  handleKeyInput(event) {
    this.keyDraft = event.target.value;
  }

  handleUserInput(event) {
    this.userDraft = event.target.value;
  }

  handleKeySave() {
    const key = this.keyDraft.trim() || apiKey();
    const user = this.userDraftValue.trim();
    if (key && user) {
      rememberApiKey(key);
      rememberActingUser(user);
      window.location.reload();
    }
  }
}
