const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/** The three-character case-safe suffix Salesforce appends to a 15-character Id. */
function suffixOf(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** The 18-character form of a valid 15- or 18-character Id, or null when it is not one. */
export function toId18(id: string): string | null {
  if (!ID_PATTERN.test(id)) return null;
  const id15 = id.slice(0, 15);
  const id18 = id15 + suffixOf(id15);
  return id.length === 18 && id !== id18 ? null : id18;
}

/** @internal the demo org generator's test checks its Ids with it */
export function isSalesforceId(id: string, keyPrefix?: string): boolean {
  return toId18(id) !== null && (keyPrefix === undefined || id.startsWith(keyPrefix));
}

/** A valid, deterministic 18-character Id for demo and test records: prefix + 'SY' + zero-padded n. */
export function demoId(keyPrefix: string, n: number): string {
  const id15 = keyPrefix + 'SY' + String(n).padStart(10, '0');
  return id15 + suffixOf(id15);
}

/** Salesforce key prefixes of the objects routing touches. */
export const KEY_PREFIX = {
  account: '001',
  contact: '003',
  opportunity: '006',
  lead: '00Q',
  user: '005',
  queue: '00G',
  campaign: '701',
  campaignMember: '00v',
} as const;
