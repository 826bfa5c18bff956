import type { ConditionDoc } from './flow.schema.js';

/**
 * Field names as people say them: the labels a rep reads in a lead's path and an admin reads on a
 * flow's picture, instead of API names.
 */

/** Labels people know these fields by, where the API name says it badly. */
const FIELD_LABELS: Record<string, string> = {
  Impartner_Partner_Account__c: 'Partner account',
  BDR_Assigned__c: 'BDR',
  OwnerId: 'Owner',
  accountRegion: 'Account region',
  accountOwnerRole: 'Account owner role',
};
const SCOPE_WORDS: Record<string, string> = {
  lead: '',
  account: 'Account ',
  campaign: 'Campaign ',
  campaignMember: 'Campaign response ',
  owner: 'Owner ',
  opportunity: 'Opportunity ',
  routing: '',
  trigger: '',
};

/** Labels by scope and field: a decision's path says them for every lead. */
const labels = new Map<string, string>();

/** "Impartner_Partner_Account__c" → "Partner account"; "LeadSource" → "Lead source". */
export function fieldLabel(scope: string, field: string): string {
  const key = `${scope}.${field}`;
  let label = labels.get(key);
  if (label === undefined) {
    label = labelOf(scope, field);
    // Scopes and fields are the catalog's, a few hundred at most; a flood of unknown ones is not kept.
    if (labels.size < 10_000) labels.set(key, label);
  }
  return label;
}

function labelOf(scope: string, field: string): string {
  const words =
    FIELD_LABELS[field] ??
    field
      .replace(/__c$/, '')
      .replace(/_/g, ' ')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .trim();
  const text = `${SCOPE_WORDS[scope] ?? ''}${words}`;
  return text.charAt(0).toUpperCase() + text.slice(1).replace(/\b([A-Z])([a-z]+)\b/g, (w) => w.toLowerCase());
}

const OPERATOR_WORDS: Record<string, string> = {
  equals: 'is',
  notEquals: 'is not',
  in: 'is one of',
  notIn: 'is none of',
  startsWith: 'starts with',
  contains: 'contains',
  greaterThan: 'is more than',
  lessThan: 'is less than',
  greaterOrEqual: 'is at least',
  lessOrEqual: 'is at most',
};

function valueWords(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueWords).join(', ');
  if (value === null || value === undefined || value === '') return 'empty';
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
}

/** A flow condition in words: "Lead source is one of Demo Request, Contact Us and Account type is Customer". */
export function conditionWords(cond: ConditionDoc): string {
  const group = (parts: ConditionDoc[], joiner: string) =>
    parts.map((c) => (c.all || c.any ? `(${conditionWords(c)})` : conditionWords(c))).join(joiner);
  if (cond.all) return group(cond.all, ' and ');
  if (cond.any) return group(cond.any, ' or ');
  if (cond.not) return `not (${conditionWords(cond.not)})`;
  const [scope = '', field = ''] = (cond.field ?? '').split('.');
  const label = fieldLabel(scope, field);
  switch (cond.op ?? 'equals') {
    case 'empty':
      return `${label} is empty`;
    case 'notEmpty':
      return `${label} is set`;
    case 'changed':
      return `${label} changed`;
    case 'olderThanDays':
      return `${label} is more than ${valueWords(cond.value)} days ago`;
    case 'newerThanDays':
      return `${label} is within the last ${valueWords(cond.value)} days`;
    case 'daysAgo':
      return `${label} was ${valueWords(cond.value)} day(s) ago`;
    default:
      return `${label} ${OPERATOR_WORDS[cond.op ?? 'equals'] ?? cond.op} ${valueWords(cond.value)}`;
  }
}
