import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import QUEUE_OWNER from '@salesforce/label/c.Switchyard_Queue_Owner';
import FALLBACK_MESSAGE from '@salesforce/label/c.Switchyard_Error_Fallback';
import FALLBACK_ACTION from '@salesforce/label/c.Switchyard_Error_Fallback_Action';

function fromJsonText(text) {
  if (typeof text !== 'string' || !text.trim().startsWith('{')) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed.message === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function problem(code, message, action, status) {
  return {
    code: code || 'UNKNOWN',
    message: message || FALLBACK_MESSAGE,
    action: action || '',
    status: status || 0,
  };
}

/**
 * Turns any error a component can meet into { code, message, action, status }:
 * SwitchyardController's AuraHandledException (its message is JSON with code, message and action),
 * the companion's own { error: {...} } body (the local preview calls it directly),
 * Lightning Data Service errors, JavaScript errors and plain strings.
 */
export function toProblem(error) {
  if (!error) {
    return problem();
  }
  if (typeof error === 'string') {
    return problem('UNKNOWN', error);
  }
  const body = error.body;
  const status = error.status;
  if (Array.isArray(body)) {
    return problem('UNKNOWN', body.map((entry) => entry.message).join(' '), '', status);
  }
  if (body && body.error && typeof body.error.message === 'string') {
    const { code, message, action } = body.error;
    return problem(code, message, action, status);
  }
  if (body && typeof body.message === 'string') {
    const structured = fromJsonText(body.message);
    if (structured) {
      return problem(structured.code, structured.message, structured.action, structured.status || status);
    }
    return problem('UNKNOWN', body.message, '', status);
  }
  if (body && Array.isArray(body.pageErrors) && body.pageErrors.length > 0) {
    return problem('UNKNOWN', body.pageErrors.map((entry) => entry.message).join(' '), '', status);
  }
  if (error.error && typeof error.error.message === 'string') {
    const { code, message, action } = error.error;
    return problem(code, message, action, status);
  }
  if (typeof error.message === 'string') {
    const structured = fromJsonText(error.message);
    if (structured) {
      return problem(structured.code, structured.message, structured.action, structured.status);
    }
    return problem('UNKNOWN', error.message, FALLBACK_ACTION, status);
  }
  return problem('UNKNOWN', FALLBACK_MESSAGE, FALLBACK_ACTION, status);
}

/** Every problem in `errors` (one error or a list), each as a list entry of { key, code, message, action }. */
export function toProblems(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  return list.filter((error) => error).map((error, index) => ({ key: String(index), ...toProblem(error) }));
}

/** lwc-recipes style: each error as one readable sentence (what went wrong, then what to do). */
export function reduceErrors(errors) {
  return toProblems(errors).map(({ message, action }) => (action ? `${message} ${action}` : message));
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: TIME_ZONE,
});
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZone: TIME_ZONE,
});

function format(formatter, iso) {
  if (!iso) {
    return '';
  }
  // A bare date (2026-03-12) is a calendar day, not midnight UTC: keep it on that day in every time zone.
  const value = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : new Date(iso);
  return Number.isNaN(value.getTime()) ? '' : formatter.format(value);
}

/** "Mar 12, 2026" in the user's locale and time zone; '' for an empty or unreadable value. */
export function formatDate(iso) {
  return format(dateFormat, iso);
}

/** "Mar 12, 2026, 3:04 PM" in the user's locale and time zone; '' for an empty or unreadable value. */
export function formatDateTime(iso) {
  return format(dateTimeFormat, iso);
}

/** An owner as people say it: "Maya Chen", or "Partner Queue (queue)". */
export function ownerLabel(owner) {
  if (!owner || !owner.name) {
    return '';
  }
  return owner.kind === 'queue' ? formatLabel(QUEUE_OWNER, owner.name) : owner.name;
}

/**
 * A new idempotency key for one request a person makes (a dialog's submission): sent again with
 * every retry of that request, so the companion answers a retry with the first try's result.
 */
export function newRequestKey() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const random = new Uint32Array(4);
  crypto.getRandomValues(random);
  return Array.from(random, (n) => n.toString(16).padStart(8, '0')).join('-');
}

/**
 * A custom label with its {0}, {1}… placeholders filled, as Salesforce's `String.format` does:
 * formatLabel('Re-route {0}?', 'Ava Patel') → 'Re-route Ava Patel?'. A placeholder with no value stays empty.
 */
export function formatLabel(label, ...values) {
  return String(label).replace(/\{(\d+)\}/g, (_, index) => {
    const value = values[Number(index)];
    return value === undefined || value === null ? '' : String(value);
  });
}

/** The text with its first letter upper-cased, for a label that starts with a name such as "the partner". */
export function capitalize(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
}
