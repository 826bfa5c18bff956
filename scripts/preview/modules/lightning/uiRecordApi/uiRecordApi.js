import { request } from 'preview/api';

/**
 * Lightning Data Service for the preview: records come from the companion's API and are shaped the way
 * LDS shapes them ({ apiName, id, fields: { Name: { value, displayValue } } }), with the field API names
 * the components ask for.
 */
const PARTNER_FIELDS = new Set([
  'Partner_Share_Status__c',
  'Partner_Lead_Status__c',
  'Prospect_Share_Status__c',
  'Partner_Prospect_Status__c',
  'Partner_Recalled__c',
  'Partner_Recalled_Date__c',
  'Lead_Acquisition_Source__c',
  'Impartner_Partner_Account__c',
]);

const field = (value, displayValue = null) => ({ value: value === undefined ? null : value, displayValue });
function related(apiName, id, name) {
  return id ? field({ apiName, id, fields: { Id: field(id), Name: field(name) } }, name) : field(null);
}

const fieldName = (f) => {
  const text = typeof f === 'string' ? f : f && f.fieldApiName ? `${f.objectApiName}.${f.fieldApiName}` : '';
  return text.split('.').slice(1).join('.');
};

async function readLead(recordId, names) {
  const wantsPartner = names.some((name) => PARTNER_FIELDS.has(name));
  const [lead, partner] = await Promise.all([
    request('GET', `/v1/leads/${encodeURIComponent(recordId)}`),
    wantsPartner ? request('GET', `/v1/leads/${encodeURIComponent(recordId)}/partner-status`) : null,
  ]);
  const owner = lead.owner || null;
  const account = lead.matchedAccount || null;
  const fields = {
    Id: field(lead.id),
    Name: field(lead.name),
    Title: field(lead.title),
    Email: field(lead.email),
    Company: field(lead.company),
    Status: field(lead.status),
    Country: field(lead.country),
    OwnerId: field(owner && owner.id),
    Owner: owner ? related(owner.kind === 'queue' ? 'Group' : 'User', owner.id, owner.name) : field(null),
    Matched_Account__c: field(account && account.id),
    Matched_Account__r: account ? related('Account', account.id, account.name) : field(null),
    Last_Routed_At__c: field(lead.lastRoutedAt),
    Routing_Reason__c: field(lead.routingReason),
  };
  if (partner) {
    Object.assign(fields, {
      Partner_Share_Status__c: field(partner.partnerShareStatus),
      Partner_Lead_Status__c: field(partner.partnerLeadStatus),
      Prospect_Share_Status__c: field(partner.prospectShareStatus),
      Partner_Prospect_Status__c: field(partner.partnerProspectStatus),
      Partner_Recalled__c: field(partner.recalled),
      Partner_Recalled_Date__c: field(partner.recalledDate),
      Lead_Acquisition_Source__c: field(partner.acquisitionSource),
      Impartner_Partner_Account__c: field(partner.partnerAccount),
    });
  }
  return { apiName: 'Lead', id: lead.id, fields };
}

async function readAccount(recordId) {
  const account = await request('GET', `/v1/accounts/${encodeURIComponent(recordId)}`);
  const owner = account.owner || null;
  const bdr = account.bdr || null;
  return {
    apiName: 'Account',
    id: account.id,
    fields: {
      Id: field(account.id),
      Name: field(account.name),
      Website: field(account.website),
      Type: field(account.type),
      BillingCountry: field(account.country),
      OwnerId: field(owner && owner.id),
      Owner: owner ? related('User', owner.id, owner.name) : field(null),
      BDR_Assigned__c: field(bdr && bdr.id),
      BDR_Assigned__r: bdr ? related('User', bdr.id, bdr.name) : field(null),
      BDR_Prospecting_Status__c: field(account.bdrProspectingStatus),
      LastActivityDate: field(account.lastActivity),
    },
  };
}

function readRecord(recordId, names) {
  if (recordId.startsWith('00Q')) return readLead(recordId, names);
  if (recordId.startsWith('001')) return readAccount(recordId);
  return Promise.reject({
    status: 400,
    body: { message: `The preview shows leads (00Q…) and accounts (001…), not ${recordId}.` },
  });
}

/** LDS errors carry { status, body: { message } }; the companion's words become the message. */
function toLdsError(error) {
  const companion = error && error.body && error.body.error;
  if (!companion) return error;
  return {
    status: error.status,
    ok: false,
    body: {
      message: JSON.stringify({ code: companion.code, message: companion.message, action: companion.action }),
    },
  };
}

const live = new Set();

/** @wire(getRecord, { recordId, fields, optionalFields }) */
export class getRecord {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
    this.config = undefined;
    this.sequence = 0;
  }

  connect() {
    live.add(this);
  }

  disconnect() {
    live.delete(this);
    this.sequence += 1;
  }

  update(config) {
    this.config = config || {};
    if (!this.config.recordId) return;
    live.add(this);
    this.load();
  }

  get recordId() {
    return this.config && this.config.recordId;
  }

  async load() {
    this.sequence += 1;
    const mine = this.sequence;
    const names = [...(this.config.fields || []), ...(this.config.optionalFields || [])].map(fieldName);
    let value;
    try {
      value = { data: await readRecord(this.config.recordId, names), error: undefined };
    } catch (error) {
      value = { data: undefined, error: toLdsError(error) };
    }
    if (mine !== this.sequence) return;
    this.dataCallback(value);
  }
}

/** A field's value: getFieldValue(record, 'Lead.Owner.Name') walks relationships as LDS does. */
export function getFieldValue(record, f) {
  let current = record;
  for (const part of fieldName(f).split('.')) {
    const entry = current && current.fields ? current.fields[part] : undefined;
    if (!entry) return undefined;
    current = entry.value;
  }
  return current;
}

export function getFieldDisplayValue(record, f) {
  const value = getFieldValue(record, f);
  return value === undefined || value === null ? value : String(value);
}

/** Every wire showing one of these records asks again; resolves when they have their fresh data. */
export function notifyRecordUpdateAvailable(items) {
  const ids = new Set((items || []).map((item) => item.recordId));
  return Promise.all([...live].filter((wire) => ids.has(wire.recordId)).map((wire) => wire.load())).then(
    () => undefined,
  );
}

/** Older name of notifyRecordUpdateAvailable, still used by some components. */
export const getRecordNotifyChange = notifyRecordUpdateAvailable;
