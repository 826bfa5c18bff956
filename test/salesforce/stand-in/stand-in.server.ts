/**
 * A local Salesforce stand-in: a real `node:http` server answering the REST, OAuth and SOAP
 * endpoints the adapter uses, in the shapes Salesforce documents, over the in-memory `Org`.
 * Switches in `faults` inject each error the adapter must survive. It holds no routing logic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { BulkQueryJobs, type BulkQueryOptions } from './bulk-query.js';
import { FRESH_ORG_LEAD_STATUSES, Org, TOOLING_OBJECTS, type Rec } from './org.js';
import { assignedPermissionSets } from './sharing.js';

export type Endpoint =
  | 'token'
  | 'query'
  | 'queryMore'
  | 'describe'
  | 'sobject'
  | 'composite'
  | 'soap'
  | 'limits'
  | 'tooling'
  | 'bulkQuery'
  | 'bulkResults'
  | 'customNotification';

export interface Faults {
  /** The next N API calls are refused with REQUEST_LIMIT_EXCEEDED. */
  requestLimit: number;
  /** Record id → how many more write attempts fail with UNABLE_TO_LOCK_ROW. */
  lockRows: Map<string, number>;
  /** The next call to `endpoint` gets no answer; with `afterApply` its effect happens first. */
  timeouts: Array<{ endpoint: Endpoint; afterApply: boolean }>;
  /**
   * The next call to `endpoint` has its connection closed before anything is done or answered, as a
   * server closing a kept-alive connection the client was just sending on.
   */
  resets: Endpoint[];
  /** The token endpoint refuses every assertion with this error_description. */
  refuseLogins: string | null;
  /** Tokens are issued but every call with them is refused (a broken session policy). */
  issueDeadTokens: boolean;
  /** Validation rules: a write touching `id` (or any record when absent) fails with `message`. */
  validation: Array<{ id?: string; message: string; fields?: string[] }>;
  /**
   * The next answer from `endpoint` is damaged after the request took effect: cut off mid-JSON, missing
   * its first result, or one result object where a list belongs.
   */
  malformed: Array<{ endpoint: 'composite' | 'soap' | 'query'; damage: 'truncated' | 'short' | 'object' }>;
}

/** Salesforce Help, article 000386264: a REST call's URI and headers, together. */
const MAX_URI_AND_HEADERS = 16_384;

/**
 * The LeadConvert complex type's elements in the order of its xsd:sequence in the partner WSDL (SOAP
 * API Developer Guide, "convertLead()": LeadConvert arguments). A sequence admits its elements in this
 * order only; Salesforce refuses others with "Element … invalid at this location".
 */
const LEAD_CONVERT_SEQUENCE = [
  'accountId',
  'accountRecord',
  'bypassAccountDedupeCheck',
  'bypassContactDedupeCheck',
  'contactId',
  'contactRecord',
  'convertedStatus',
  'doNotCreateOpportunity',
  'leadId',
  'opportunityId',
  'opportunityName',
  'opportunityRecord',
  'overwriteLeadSource',
  'ownerId',
  'relatedPersonAccountId',
  'relatedPersonAccountRecord',
  'sendNotificationEmail',
];

export interface StandInOptions {
  pageSize?: number;
  dailyApiMax?: number;
  /** Rows of a child relationship (subquery) per page; Salesforce pages big ones separately. */
  childPageSize?: number;
  /** How long a "timed out" request is held before its socket is closed. */
  holdMs?: number;
  /** Bulk API 2.0 query jobs: state checks before a job completes, records per result set by default. */
  bulk?: BulkQueryOptions;
}

const VERSION_PATH = /^\/services\/data\/v(\d+\.\d)(\/.*)$/;

export class SalesforceStandIn {
  readonly org = new Org();
  readonly clientId = '3MVG9StandInConsumerKey';
  readonly username = 'integration@switchyard.test';
  readonly orgId = '00DSY0000000001AAA';
  readonly integrationUserId: string;
  /** The queue Lead Settings name as default lead owner; where the assignment rule sends leads. */
  readonly defaultLeadQueueId: string;
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  /** The custom notifications the org sent (bell and mobile), oldest first. */
  readonly notifications: Array<{
    typeId: string;
    recipientIds: string[];
    title: string;
    body: string;
    targetId: string | null;
  }> = [];
  readonly faults: Faults = {
    requestLimit: 0,
    lockRows: new Map(),
    timeouts: [],
    resets: [],
    refuseLogins: null,
    issueDeadTokens: false,
    validation: [],
    malformed: [],
  };
  private readonly tokens = new Set<string>();
  private readonly counts = new Map<Endpoint, number>();
  private readonly cursors = new Map<
    string,
    { rows: Array<Record<string, unknown>>; version: string; size: number }
  >();
  private cursorSeq = 0;
  /** The org's own count of API calls today, which `resetCounts` leaves alone. */
  private usedToday = 0;
  private readonly held = new Set<ServerResponse>();
  private server!: Server;
  url = '';
  pageSize: number;
  dailyApiMax: number;
  private readonly holdMs: number;
  /** Bulk API 2.0 query jobs, run as the integration user. */
  readonly bulk: BulkQueryJobs;

  private constructor(options: StandInOptions) {
    this.pageSize = options.pageSize ?? 2000;
    this.dailyApiMax = options.dailyApiMax ?? 100_000;
    this.holdMs = options.holdMs ?? 30_000;
    const childPageSize = options.childPageSize ?? 200;
    this.org.pageChildren = (rows) =>
      rows.length <= childPageSize
        ? { totalSize: rows.length, done: true, records: rows }
        : this.page(rows, '62.0', 0, undefined, childPageSize);
    const { privateKey, publicKey } = testKeys();
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = publicKey;
    this.integrationUserId = this.org.insert(
      'User',
      { Name: 'Integration User', IsActive: true, UserType: 'Standard' },
      true,
    ).Id;
    FRESH_ORG_LEAD_STATUSES.forEach((status, i) =>
      this.org.insert('LeadStatus', { ...status, MasterLabel: status.ApiName, SortOrder: i + 1 }, true),
    );
    this.bulk = new BulkQueryJobs(this.org, this.integrationUserId, options.bulk);
    this.defaultLeadQueueId = this.seedQueue('Lead_Inbox');
    // The org has an active lead assignment rule. None of its entries match, so a lead it runs on goes
    // to the default lead owner of Lead Settings (Salesforce Help, "Assignment Rules": "If no rule entry
    // matches, the record is assigned to the default owner"): a REST write without
    // `Sforce-Auto-Assign: FALSE` takes the lead away from whoever routing gave it to.
    this.org.leadAssignmentRule = () => this.defaultLeadQueueId;
    this.seedPackageSetup();
  }

  /**
   * A queue, named by its DeveloperName (label: the name with spaces), supporting the objects given
   * (Object Reference, "QueueSobject": a queue owns records only of the objects it lists).
   */
  seedQueue(developerName: string, options: { label?: string; objects?: string[] } = {}): string {
    const id = this.org.insert(
      'Group',
      {
        Name: options.label ?? developerName.replace(/_/g, ' '),
        DeveloperName: developerName,
        Type: 'Queue',
      },
      true,
    ).Id;
    for (const SobjectType of options.objects ?? ['Lead'])
      this.org.insert('QueueSobject', { QueueId: id, SobjectType }, true);
    return id;
  }

  /**
   * A permission set (or, with `profile`, the one a profile owns) granting object permissions, user
   * permissions (`PermissionsTransferAnyLead`, `PermissionsViewSetup`, …) and field permissions, assigned
   * to `assignees`. Field permissions follow Object Reference, "FieldPermissions": the field is named with
   * its object (`Lead.Email`), a row grants at least Read (a row without it is deleted), and Edit needs Read.
   */
  seedPermissionSet(
    name: string,
    grants: {
      objects?: Record<string, { read?: boolean; edit?: boolean; viewAll?: boolean; modifyAll?: boolean }>;
      permissions?: Record<string, boolean>;
      fields?: Record<string, 'read' | 'edit'>;
      profile?: boolean;
    },
    assignees: string[] = [],
  ): string {
    const set = this.org.insert(
      'PermissionSet',
      { Name: name, IsOwnedByProfile: grants.profile === true, ...grants.permissions },
      true,
    ).Id;
    for (const [object, o] of Object.entries(grants.objects ?? {})) {
      this.org.insert(
        'ObjectPermissions',
        {
          ParentId: set,
          SobjectType: object,
          PermissionsRead: o.read === true,
          PermissionsEdit: o.edit === true,
          PermissionsViewAllRecords: o.viewAll === true,
          PermissionsModifyAllRecords: o.modifyAll === true,
        },
        true,
      );
    }
    for (const [field, level] of Object.entries(grants.fields ?? {})) {
      const [object, name, ...rest] = field.split('.');
      if (!object || !name || rest.length > 0 || !this.org.fields(object).includes(name)) {
        throw new Error(
          `FieldPermissions.Field must name a field with its object, like Lead.Email: ${field}`,
        );
      }
      this.org.insert(
        'FieldPermissions',
        {
          ParentId: set,
          SobjectType: object,
          Field: field,
          PermissionsRead: true,
          PermissionsEdit: level === 'edit',
        },
        true,
      );
    }
    for (const user of assignees)
      this.org.insert('PermissionSetAssignment', { AssigneeId: user, PermissionSetId: set }, true);
    return set;
  }

  /**
   * An org the package was deployed to and the README's set-up followed: Change Data Capture selected
   * for what the package selects, the package's Apex at its API version, and an integration user whose
   * profile grants API Enabled, Convert Leads, View All Users, View Setup and Configuration, Edit on Lead
   * and Contact, and View All on Lead and Account.
   */
  private seedPackageSetup(): void {
    for (const object of ['Lead', 'Account', 'User', 'CampaignMember', 'Opportunity']) {
      this.org.insert(
        'PlatformEventChannelMember',
        {
          DeveloperName: `ChangeEvents_${object}ChangeEvent`,
          EventChannel: 'ChangeEvents',
          SelectedEntity: `${object}ChangeEvent`,
        },
        true,
      );
    }
    this.org.insert('ApexClass', { Name: 'SwitchyardController', ApiVersion: PACKAGE_API_VERSION }, true);
    // force-app/main/default/notificationtypes: the package's bell notifications.
    this.org.insert(
      'CustomNotificationType',
      {
        DeveloperName: 'Switchyard_Lead_Clock',
        CustomNotifTypeName: 'Switchyard Lead Clock',
        Desktop: true,
        Mobile: true,
      },
      true,
    );
    const profile = this.org.insert(
      'PermissionSet',
      {
        Name: 'X00eIntegrationProfile',
        IsOwnedByProfile: true,
        PermissionsApiEnabled: true,
        PermissionsConvertLeads: true,
        PermissionsViewAllUsers: true,
        PermissionsViewAllData: false,
        PermissionsViewSetup: true,
        PermissionsSendCustomNotifications: true,
      },
      true,
    ).Id;
    this.org.insert(
      'PermissionSetAssignment',
      { AssigneeId: this.integrationUserId, PermissionSetId: profile },
      true,
    );
    for (const object of ['Lead', 'Account', 'Contact', 'Opportunity', 'Campaign', 'CampaignMember']) {
      this.org.insert(
        'ObjectPermissions',
        {
          ParentId: profile,
          SobjectType: object,
          PermissionsRead: true,
          PermissionsEdit: object === 'Lead' || object === 'Contact',
          PermissionsViewAllRecords: object === 'Lead' || object === 'Account',
        },
        true,
      );
    }
  }

  static async start(options: StandInOptions = {}): Promise<SalesforceStandIn> {
    const s = new SalesforceStandIn(options);
    // Node refuses a request line and headers over 16 KB itself (431); the stand-in takes more, to answer
    // as Salesforce does (`handle`).
    s.server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
      s.handle(req, res).catch((err: Error) =>
        s.json(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: err.message }]),
      );
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The SOQL of each REST query since the last reset, in order. */
  readonly soqlLog: string[] = [];

  /** Calls per endpoint since the last reset. */
  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** API calls (everything but the token endpoint) since the last reset. */
  apiCalls(): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k !== 'token') n += v;
    return n;
  }

  resetCounts(): void {
    this.counts.clear();
    this.soqlLog.length = 0;
  }

  /** Every session token stops working, as when a session times out or an admin revokes it. */
  expireTokens(): void {
    this.tokens.clear();
  }

  isValidToken(token: string | undefined): boolean {
    return !!token && this.tokens.has(token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A REST call's URI and headers together may be at most 16,384 bytes: a longer URI is 414 URI Too
    // Long, longer headers 431 (Salesforce Help, "Maximum number of rows returned by SOQL queries over
    // the REST API", article 000386264).
    const uriBytes = Buffer.byteLength(req.url ?? '');
    const headerBytes = req.rawHeaders.reduce((n, part) => n + Buffer.byteLength(part) + 2, 0);
    if (uriBytes > MAX_URI_AND_HEADERS) return void res.writeHead(414).end('URI Too Long');
    if (uriBytes + headerBytes > MAX_URI_AND_HEADERS)
      return void res.writeHead(431).end('Request Header Fields Too Large');
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    if (url.pathname === '/services/oauth2/token' && req.method === 'POST') return this.token(res, body);
    if (url.pathname.startsWith('/services/Soap/u/') && req.method === 'POST') return this.soap(res, body);

    const m = VERSION_PATH.exec(url.pathname);
    if (!m)
      return this.json(res, 404, [
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    const [, version, rest] = m as unknown as [string, string, string];
    const endpoint = this.endpointOf(req.method ?? 'GET', rest);
    this.count(endpoint);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!this.isValidToken(token)) {
      return this.json(res, 401, [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);
    }
    if (this.faults.requestLimit > 0) {
      this.faults.requestLimit--;
      return this.json(res, 403, [
        { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
      ]);
    }
    if (this.takeReset(endpoint)) return void req.socket.destroy();
    const timeout = this.takeTimeout(endpoint);
    if (timeout && !timeout.afterApply) return this.hold(res);

    if (endpoint === 'bulkQuery' || endpoint === 'bulkResults') {
      const answer = this.bulk.answer(req.method ?? 'GET', version, rest, url, body)!;
      if (timeout) return this.hold(res);
      if ('csv' in answer) {
        res.writeHead(answer.status, { 'content-type': 'text/csv', ...answer.headers });
        return void res.end(answer.csv);
      }
      if (answer.status === 204) return void res.writeHead(204).end();
      return this.json(res, answer.status, answer.json);
    }

    let status = 200;
    let payload: unknown;
    try {
      if (endpoint === 'tooling' || endpoint === 'query') {
        // Tooling API objects answer only at /tooling/query, and only they do (Tooling API Developer Guide).
        const soql = url.searchParams.get('q') ?? '';
        const from = /\bFROM\s+(\w+)/i.exec(soql)?.[1] ?? '';
        if (TOOLING_OBJECTS.has(from) !== (endpoint === 'tooling')) {
          throw Object.assign(new Error(`sObject type '${from}' is not supported.`), {
            code: 'INVALID_TYPE',
          });
        }
      }
      if (endpoint === 'tooling') {
        const { rows, totalSize } = this.org.run(url.searchParams.get('q') ?? '', false);
        payload = {
          size: totalSize,
          totalSize,
          done: true,
          records: rows,
          entityTypeName: 'PlatformEventChannelMember',
        };
      } else if (endpoint === 'query') {
        const all = rest.startsWith('/queryAll');
        this.soqlLog.push(url.searchParams.get('q') ?? '');
        // The session is the integration user's: what depends on who asks is answered for it.
        const { rows, totalSize } = this.org.run(
          url.searchParams.get('q') ?? '',
          all,
          this.integrationUserId,
        );
        payload = rows.length === 0 ? { totalSize, done: true, records: [] } : this.page(rows, version, 0);
      } else if (endpoint === 'queryMore') {
        const [locator, offset] = rest.split('/').pop()!.split('-') as [string, string];
        payload = this.page(null, version, Number(offset), locator);
      } else if (endpoint === 'describe') {
        const type = rest.split('/')[2]!;
        if (!this.org.hasObject(type)) {
          status = 404;
          payload = [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist` }];
        } else payload = this.org.describe(type);
      } else if (endpoint === 'sobject') {
        const [, , type, id] = rest.split('/') as [string, string, string, string];
        const rec = this.org.get(type, id);
        if (!rec) {
          status = 404;
          payload = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];
        } else
          payload = {
            attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${id}` },
            ...rec,
          };
      } else if (endpoint === 'composite') {
        payload = this.org.as(this.integrationUserId, `com/salesforce/api/rest/${version}`, () =>
          this.composite(
            JSON.parse(body) as { allOrNone?: boolean; records: Array<Record<string, unknown>> },
            autoAssign(req.headers['sforce-auto-assign']),
          ),
        );
      } else if (endpoint === 'customNotification') {
        const answer = this.customNotification(JSON.parse(body) as { inputs?: unknown });
        status = answer.status;
        payload = answer.payload;
      } else if (endpoint === 'limits') {
        payload = {
          DailyApiRequests: {
            Max: this.dailyApiMax,
            Remaining: Math.max(0, this.dailyApiMax - this.usedToday),
          },
        };
      } else {
        status = 404;
        payload = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];
      }
    } catch (err) {
      const e = err as { code?: string; message: string };
      status = 400;
      payload = [{ errorCode: e.code ?? 'MALFORMED_QUERY', message: e.message }];
    }
    if (timeout) return this.hold(res);
    const damage =
      endpoint === 'composite' || endpoint === 'query' ? this.takeMalformed(endpoint) : undefined;
    if (damage) return this.damaged(res, status, payload, damage);
    this.json(res, status, payload);
  }

  /**
   * The Custom Notification action (Actions Developer Guide, "Custom Notification Actions",
   * POST /services/data/vXX.X/actions/standard/customNotificationAction): each input needs the Id of a
   * notification type the org has (customNotifTypeId), recipients (recipientIds: users, queues or groups,
   * at most 500), a title (at most 250 characters), a body (at most 750) and a target (targetId or
   * targetPageRef). Inactive users get nothing. Each input answers `isSuccess` and its `errors`; a bad
   * input makes the request a 400.
   */
  private customNotification(request: { inputs?: unknown }): { status: number; payload: unknown } {
    const inputs = Array.isArray(request.inputs) ? (request.inputs as Array<Record<string, unknown>>) : null;
    if (!inputs || inputs.length === 0) {
      return {
        status: 400,
        payload: [{ errorCode: 'JSON_PARSER_ERROR', message: 'The request must contain inputs.' }],
      };
    }
    // Actions Developer Guide, "Custom Notification Actions"
    // (https://developer.salesforce.com/docs/atlas.en-us.pushImplGuide.meta/pushImplGuide/actions_obj_custom_notification.htm):
    // in orgs created in Winter '21 or later a REST call needs the Send Custom Notifications user
    // permission. The page gives the rule, not the refusal's words: the stand-in answers each input in
    // the action's shape (isSuccess false, errors) with words of its own, so the adapter must not read them.
    const permitted = assignedPermissionSets(this.org, this.integrationUserId).some(
      (s) => s['PermissionsSendCustomNotifications'] === true,
    );
    const results = inputs.map((input) => {
      const errors: Array<{ statusCode: string; message: string; fields: string[] }> = [];
      const problem = (field: string, message: string) =>
        errors.push({ statusCode: 'REQUIRED_FIELD_MISSING', message, fields: [field] });
      if (!permitted)
        errors.push({
          statusCode: 'INSUFFICIENT_ACCESS',
          message: 'The running user lacks the permission to send custom notifications.',
          fields: [],
        });
      const type = typeof input['customNotifTypeId'] === 'string' ? input['customNotifTypeId'] : '';
      if (!this.org.get('CustomNotificationType', type))
        problem('customNotifTypeId', 'Invalid notification type Id.');
      const recipients = Array.isArray(input['recipientIds']) ? (input['recipientIds'] as unknown[]) : [];
      if (recipients.length === 0 || recipients.length > 500)
        problem('recipientIds', 'Provide between 1 and 500 recipient Ids.');
      for (const id of recipients) {
        const kind = typeof id === 'string' ? this.org.typeOfId(id) : undefined;
        if (!kind || !['User', 'Group', 'Account', 'Opportunity'].includes(kind))
          problem('recipientIds', `Invalid recipient Id: ${String(id)}.`);
      }
      const text = (field: string, max: number) => {
        const value = input[field];
        if (typeof value !== 'string' || value.trim() === '') problem(field, `Required field: ${field}.`);
        else if (value.length > max) problem(field, `${field} exceeds ${max} characters.`);
      };
      text('title', 250);
      text('body', 750);
      if (typeof input['targetId'] !== 'string' && typeof input['targetPageRef'] !== 'string')
        problem('targetId', 'Provide targetId or targetPageRef.');
      if (errors.length === 0) {
        const active = recipients.filter((id) => {
          const user = this.org.get('User', id as string);
          return !user || user['IsActive'] !== false;
        });
        this.notifications.push({
          typeId: type,
          recipientIds: active as string[],
          title: input['title'] as string,
          body: input['body'] as string,
          targetId: (input['targetId'] as string | undefined) ?? null,
        });
      }
      return {
        actionName: 'customNotificationAction',
        errors: errors.length ? errors : null,
        isSuccess: errors.length === 0,
        outputValues: errors.length
          ? null
          : { SuccessMessage: 'Your custom notification is processed successfully.' },
      };
    });
    return { status: results.every((r) => r.isSuccess) ? 200 : 400, payload: results };
  }

  private takeMalformed(
    endpoint: Faults['malformed'][number]['endpoint'],
  ): Faults['malformed'][number]['damage'] | undefined {
    const i = this.faults.malformed.findIndex((m) => m.endpoint === endpoint);
    return i < 0 ? undefined : this.faults.malformed.splice(i, 1)[0]!.damage;
  }

  /** A JSON answer damaged as `damage` says; the request's effect has already happened. */
  private damaged(
    res: ServerResponse,
    status: number,
    payload: unknown,
    damage: Faults['malformed'][number]['damage'],
  ): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    const whole = JSON.stringify(payload);
    if (damage === 'truncated' || !Array.isArray(payload)) {
      return void res.end(whole.slice(0, Math.floor(whole.length / 2)));
    }
    res.end(JSON.stringify(damage === 'short' ? payload.slice(1) : payload[0]));
  }

  private endpointOf(method: string, rest: string): Endpoint {
    if (rest === '/tooling/query') return 'tooling';
    if (/^\/jobs\/query\/[^/]+\/results$/.test(rest)) return 'bulkResults';
    if (/^\/jobs\/query(\/[^/]+)?$/.test(rest)) return 'bulkQuery';
    if (/^\/query(All)?\/[^/]+$/.test(rest)) return 'queryMore';
    if (/^\/query(All)?$/.test(rest)) return 'query';
    if (rest === '/composite/sobjects') return 'composite';
    if (rest === '/limits') return 'limits';
    if (method === 'POST' && rest === '/actions/standard/customNotificationAction')
      return 'customNotification';
    if (/^\/sobjects\/\w+\/describe$/.test(rest)) return 'describe';
    if (method === 'GET' && /^\/sobjects\/\w+\/\w+$/.test(rest)) return 'sobject';
    return 'sobject';
  }

  private page(
    rows: Array<Record<string, unknown>> | null,
    version: string,
    offset: number,
    locator?: string,
    size?: number,
  ): unknown {
    let id = locator;
    if (rows) {
      id = `01gSY${String(++this.cursorSeq).padStart(10, '0')}`;
      this.cursors.set(id, { rows, version, size: size ?? this.pageSize });
    }
    const cursor = this.cursors.get(id!);
    if (!cursor) throw Object.assign(new Error('invalid query locator'), { code: 'INVALID_QUERY_LOCATOR' });
    const slice = cursor.rows.slice(offset, offset + cursor.size);
    const next = offset + cursor.size;
    const done = next >= cursor.rows.length;
    if (done) this.cursors.delete(id!);
    return {
      totalSize: cursor.rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${cursor.version}/query/${id}-${next}` }),
      records: slice,
    };
  }

  private composite(
    body: { allOrNone?: boolean; records: Array<Record<string, unknown>> },
    runAssignmentRules: boolean,
  ): unknown[] {
    // REST API Developer Guide, "Update Records Using sObject Collections": the list can contain up to
    // 200 objects.
    if (body.records.length > 200) {
      throw Object.assign(new Error('The number of records in a request must be 200 or fewer.'), {
        code: 'EXCEEDED_ID_LIMIT',
      });
    }
    const seen = new Set<string>();
    return body.records.map((input) => {
      const { attributes, Id, id, ...fields } = input as Record<string, unknown> & {
        attributes?: { type: string };
      };
      const recId = String(Id ?? id);
      const type = attributes?.type ?? this.org.typeOfId(recId) ?? 'Lead';
      const fail = (statusCode: string, message: string, errFields: string[] = []) => ({
        success: false,
        errors: [{ statusCode, message, fields: errFields }],
      });
      // One record once per request: a repeated Id is refused, and only the repeat (Apex Developer
      // Guide, "Things You Should Know about Data in Apex": update checks each batch for duplicate Ids
      // and marks the extra ones "Attempt to update Id more than once in this API call"). The REST
      // sObject Collections page says nothing of duplicates; the stand-in refuses every repeat, so
      // the adapter cannot come to rely on any being applied.
      const key = recId.slice(0, 15);
      if (seen.has(key)) {
        return fail('DUPLICATE_VALUE', `Attempt to update Id more than once in this API call: ${recId}`);
      }
      seen.add(key);
      if (this.org.table(type).get(recId)?.['IsDeleted'])
        return fail('ENTITY_IS_DELETED', 'entity is deleted');
      const current = this.org.get(type, recId);
      if (!current) return fail('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, ['Id']);
      const locks = this.faults.lockRows.get(recId) ?? 0;
      if (locks > 0) {
        this.faults.lockRows.set(recId, locks - 1);
        return fail(
          'UNABLE_TO_LOCK_ROW',
          `unable to obtain exclusive access to this record or 1 records: ${recId}`,
        );
      }
      const rule = this.faults.validation.find((v) => !v.id || v.id === recId);
      if (rule) return fail('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.fields ?? []);
      // Fields describe reports not updateable (read-only, compound, missing) are refused (SOAP API
      // Developer Guide, "Core Data Types Used in API Calls": INVALID_FIELD_FOR_INSERT_UPDATE).
      const bad = Object.keys(fields).find((f) => !this.org.updateable(type, f));
      if (bad)
        return fail('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${bad}.`, [bad]);
      if ('OwnerId' in fields && fields['OwnerId'] !== current['OwnerId']) {
        const refused = this.ownerRefusal(type, fields['OwnerId']);
        if (refused) return fail(refused.statusCode, refused.message, ['OwnerId']);
      }
      const rec = this.org.update(type, recId, fields);
      if (type === 'Lead' && runAssignmentRules) this.assign(rec);
      return { id: recId, success: true, errors: [] };
    });
  }

  /**
   * Why Salesforce refuses `ownerId` as the new owner of a `type` record, or null when it takes it.
   * - Not an Id at all: MALFORMED_ID; an Id of neither a user nor a group: FIELD_INTEGRITY_EXCEPTION
   *   (SOAP API Developer Guide, "Core Data Types Used in API Calls": StatusCode).
   * - A user who does not exist: INVALID_CROSS_REFERENCE_KEY; an inactive one: INACTIVE_OWNER_OR_USER
   *   (same StatusCode list: "The owner of the specified item is an inactive user"). Checked only when
   *   the owner changes, so other fields of a lead an inactive user still owns can be written.
   * - A group that is not a queue, or a queue without a QueueSobject for `type` (its Supported Objects
   *   leave the object out): INVALID_CROSS_REFERENCE_KEY (Object Reference, "QueueSobject": the object
   *   types a queue may hold; "Group": a queue is a Group whose Type is Queue).
   */
  private ownerRefusal(type: string, ownerId: unknown): { statusCode: string; message: string } | null {
    const id = typeof ownerId === 'string' ? ownerId : '';
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) {
      return {
        statusCode: 'MALFORMED_ID',
        message: `Owner ID: id value of incorrect type: ${String(ownerId)}`,
      };
    }
    const ownerType = this.org.typeOfId(id);
    if (ownerType === 'User') {
      const user = this.org.get('User', id);
      if (!user) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id' };
      if (user['IsActive'] !== true) {
        return {
          statusCode: 'INACTIVE_OWNER_OR_USER',
          message: `operation performed with inactive user [${id}] as owner of ${type.toLowerCase()}`,
        };
      }
      return null;
    }
    if (ownerType === 'Group') {
      return this.org.queueTakes(id, type)
        ? null
        : { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id' };
    }
    return {
      statusCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `Owner ID: id value of incorrect type: ${id}`,
    };
  }

  /**
   * The active lead assignment rule runs on a lead saved through REST unless the request said
   * `Sforce-Auto-Assign: FALSE` (REST API Developer Guide, "Assignment Rule Header"), and its owner wins.
   */
  private assign(lead: Rec): void {
    const owner = this.org.leadAssignmentRule?.(lead) ?? null;
    if (owner && owner !== lead['OwnerId']) this.org.update('Lead', lead.Id, { OwnerId: owner });
  }

  private token(res: ServerResponse, body: string): void {
    this.count('token');
    if (this.takeReset('token')) return void res.socket?.destroy();
    const params = new URLSearchParams(body);
    const refuse = (error: string, description: string) =>
      this.json(res, 400, { error, error_description: description });
    if (params.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return refuse('unsupported_grant_type', 'grant type not supported');
    }
    if (this.faults.refuseLogins) return refuse('invalid_grant', this.faults.refuseLogins);
    const parts = (params.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return refuse('invalid_grant', 'invalid assertion');
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string };
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString()) as typeof header;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as typeof claims;
    } catch {
      return refuse('invalid_grant', 'invalid assertion');
    }
    const signed =
      header.alg === 'RS256' &&
      verify('sha256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, 'base64url'));
    if (!signed) return refuse('invalid_grant', 'invalid assertion');
    if (claims.iss !== this.clientId) return refuse('invalid_client_id', 'client identifier invalid');
    if (claims.aud !== this.url) return refuse('invalid_grant', 'audience is invalid');
    if (claims.sub !== this.username) return refuse('invalid_grant', "user hasn't approved this consumer");
    if (!claims.exp || claims.exp * 1000 < Date.now())
      return refuse('invalid_grant', 'expired authorization code');
    // Opaque session ids, as orgs issue by default: jsforce refuses SOAP calls with JWT-shaped ones.
    const accessToken = `${this.orgId}!${randomBytes(24).toString('hex')}`;
    if (!this.faults.issueDeadTokens) this.tokens.add(accessToken);
    this.json(res, 200, {
      access_token: accessToken,
      scope: 'api',
      instance_url: this.url,
      id: `${this.url}/id/${this.orgId}/${this.integrationUserId}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    });
  }

  private soap(res: ServerResponse, body: string): void {
    this.count('soap');
    if (this.takeReset('soap')) return void res.socket?.destroy();
    const parsed = new XMLParser({
      removeNSPrefix: true,
      ignoreAttributes: true,
      parseTagValue: false,
    }).parse(body) as {
      Envelope?: { Header?: { SessionHeader?: { sessionId?: string } }; Body?: Record<string, unknown> };
    };
    const session = parsed.Envelope?.Header?.SessionHeader?.sessionId;
    if (!this.isValidToken(session)) {
      return this.soapFault(
        res,
        'INVALID_SESSION_ID',
        'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session',
      );
    }
    if (this.faults.requestLimit > 0) {
      this.faults.requestLimit--;
      return this.soapFault(
        res,
        'REQUEST_LIMIT_EXCEEDED',
        'REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.',
      );
    }
    const call = parsed.Envelope?.Body?.['convertLead'] as { leadConverts?: unknown } | undefined;
    if (!call)
      return this.soapFault(res, 'INVALID_OPERATION', 'only convertLead is answered by the stand-in');
    const timeout = this.takeTimeout('soap');
    if (timeout && !timeout.afterApply) return this.hold(res);
    const entries = (Array.isArray(call.leadConverts) ? call.leadConverts : [call.leadConverts]) as Array<
      Record<string, string>
    >;
    // SOAP API Developer Guide, "convertLead()": up to 100 LeadConvert objects per call.
    if (entries.length > 100) {
      return this.soapFault(res, 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED: convertLead takes at most 100 leads');
    }
    const outOfSequence = outOfSequenceElement(body);
    if (outOfSequence) {
      return this.soapFault(
        res,
        'INVALID_TYPE',
        `Element {urn:partner.soap.sforce.com}${outOfSequence} invalid at this location`,
        'soapenv:Client',
      );
    }
    const answered = this.org.as(this.integrationUserId, 'com/salesforce/api/soap/62.0', () =>
      entries.map((e) => this.convertOne(e)),
    );
    if (timeout) return this.hold(res);
    const damage = this.takeMalformed('soap');
    // A SOAP answer is a list of <result> elements, so only a missing result can be simulated here.
    const results = damage ? answered.slice(1) : answered;
    const xml = results
      .map((r) => {
        const errors = r.errors
          .map(
            (e) =>
              `<errors><message>${esc(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`,
          )
          .join('');
        return (
          `<result><accountId${nil(r.accountId)}</accountId><contactId${nil(r.contactId)}</contactId>${errors}` +
          `<leadId${nil(r.leadId)}</leadId><opportunityId${nil(r.opportunityId)}</opportunityId>` +
          `<success>${r.success}</success></result>`
        );
      })
      .join('');
    this.xml(res, 200, `<convertLeadResponse>${xml}</convertLeadResponse>`);
  }

  private convertOne(e: Record<string, string>): {
    leadId: string | null;
    accountId: string | null;
    contactId: string | null;
    opportunityId: string | null;
    success: boolean;
    errors: Array<{ statusCode: string; message: string }>;
  } {
    const leadId = e['leadId'] ?? '';
    const fail = (statusCode: string, message: string) => ({
      leadId,
      accountId: null,
      contactId: null,
      opportunityId: null,
      success: false,
      errors: [{ statusCode, message }],
    });
    if (this.org.table('Lead').get(leadId)?.['IsDeleted'])
      return fail('ENTITY_IS_DELETED', 'entity is deleted');
    const lead = this.org.get('Lead', leadId);
    if (!lead) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    const locks = this.faults.lockRows.get(leadId) ?? 0;
    if (locks > 0) {
      this.faults.lockRows.set(leadId, locks - 1);
      return fail(
        'UNABLE_TO_LOCK_ROW',
        `unable to obtain exclusive access to this record or 1 records: ${leadId}`,
      );
    }
    if (lead['IsConverted']) return fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
    // SOAP API Developer Guide, "convertLead()": convertedStatus must be a LeadStatus value whose
    // IsConverted is true (Object Reference, "LeadStatus").
    const status = e['convertedStatus'] ?? '';
    const converted = [...this.org.table('LeadStatus').values()].some(
      (s) => s['IsConverted'] === true && (s['ApiName'] === status || s['MasterLabel'] === status),
    );
    if (!converted) return fail('INVALID_STATUS', `invalid convertedStatus: ${status}`);
    const rule = this.faults.validation.find((v) => !v.id || v.id === leadId);
    if (rule) return fail('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message);
    const accountId = e['accountId'] ?? '';
    if (!this.org.get('Account', accountId))
      return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id: accountId');
    const ownerId = e['ownerId'] || (lead['OwnerId'] as string);
    // The new contact (and opportunity) get this owner, and neither can be owned by a queue or by an
    // inactive user (SOAP API Developer Guide, "convertLead()": ownerId; Object Reference, "Contact").
    const ownerRefused = this.ownerRefusal('Contact', ownerId);
    if (ownerRefused) return fail(ownerRefused.statusCode, ownerRefused.message);
    const contact = this.org.insert('Contact', {
      AccountId: accountId,
      OwnerId: ownerId,
      LastName: lead['LastName'],
      Email: lead['Email'],
    });
    const opportunity =
      e['doNotCreateOpportunity'] === 'true'
        ? null
        : this.org.insert('Opportunity', {
            AccountId: accountId,
            OwnerId: ownerId,
            Name: e['opportunityName'] || `${String(lead['Company'])}-`,
            StageName: 'Prospecting',
            IsClosed: false,
          });
    this.org.update('Lead', leadId, {
      IsConverted: true,
      Status: e['convertedStatus'],
      OwnerId: ownerId,
      ConvertedContactId: contact.Id,
      ConvertedOpportunityId: opportunity?.Id ?? null,
      ConvertedAccountId: accountId,
    });
    return {
      leadId,
      accountId,
      contactId: contact.Id,
      opportunityId: opportunity?.Id ?? null,
      success: true,
      errors: [],
    };
  }

  private takeReset(endpoint: Endpoint): boolean {
    const i = this.faults.resets.indexOf(endpoint);
    if (i >= 0) this.faults.resets.splice(i, 1);
    return i >= 0;
  }

  private takeTimeout(endpoint: Endpoint): { afterApply: boolean } | undefined {
    const i = this.faults.timeouts.findIndex((t) => t.endpoint === endpoint);
    if (i < 0) return undefined;
    return this.faults.timeouts.splice(i, 1)[0];
  }

  /** No answer: the client times out. The socket is closed later so nothing leaks. */
  private hold(res: ServerResponse): void {
    this.held.add(res);
    setTimeout(() => {
      this.held.delete(res);
      res.destroy();
    }, this.holdMs).unref();
  }

  private count(endpoint: Endpoint): void {
    if (endpoint !== 'token') this.usedToday++;
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  private json(res: ServerResponse, status: number, payload: unknown): void {
    res.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'sforce-limit-info': `api-usage=${this.usedToday}/${this.dailyApiMax}`,
    });
    res.end(JSON.stringify(payload));
  }

  private xml(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`,
    );
  }

  private soapFault(res: ServerResponse, code: string, message: string, faultcode = `sf:${code}`): void {
    this.xml(
      res,
      500,
      `<soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${esc(message)}</faultstring></soapenv:Fault>`,
    );
  }
}

/** The API version the package's Apex is deployed with: its class's -meta.xml, as a deploy reads it. */
const PACKAGE_API_VERSION = Number(
  /<apiVersion>([\d.]+)<\/apiVersion>/.exec(
    readFileSync(
      new URL('../../../force-app/main/default/classes/SwitchyardController.cls-meta.xml', import.meta.url),
      'utf8',
    ),
  )?.[1],
);

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** The connected app's certificate key pair; made once per process because RSA key generation is slow. */
function testKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  keys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return keys;
}

/** REST API Developer Guide, "Assignment Rule Header": absent means TRUE; TRUE and FALSE ignore case. */
function autoAssign(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined || value.trim().toUpperCase() !== 'FALSE';
}

/** The first element of a LeadConvert that breaks LEAD_CONVERT_SEQUENCE's order, or is not in it. */
function outOfSequenceElement(body: string): string | null {
  for (const [, entry] of body.matchAll(
    /<(?:\w+:)?leadConverts(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?leadConverts>/g,
  )) {
    let last = -1;
    for (const [, name] of entry!.matchAll(/<(?:\w+:)?(\w+)(?:\s[^>]*)?\/?>/g)) {
      const at = LEAD_CONVERT_SEQUENCE.indexOf(name!);
      if (at <= last) return name!;
      last = at;
    }
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const nil = (v: string | null): string => (v === null ? ' xsi:nil="true">' : `>${esc(v)}`);
