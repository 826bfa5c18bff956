import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CodedError } from './engine/coded-error.js';

/**
 * Settings, read and validated once by the composition root (`loadConfig(process.env)`).
 * Every setting has a default that runs locally, except what only Salesforce mode needs.
 */

/** How to reach the org: the one list, which the Salesforce adapter's login takes as it is. */
export interface SalesforceSettings {
  /** https://login.salesforce.com, https://test.salesforce.com or a My Domain URL. */
  loginUrl: string;
  /** The connected app's consumer key. */
  clientId: string;
  /** The integration user the companion acts as. */
  username: string;
  /** PEM of the private key whose certificate is uploaded to the connected app. */
  privateKey: string;
}

/** How long the store keeps what it no longer needs; read by the store's clean-up job. */
export interface Retention {
  /** Decisions (the audit trail), with their outbox rows; null keeps them forever. */
  decisionDays: number | null;
  /** Outbox rows applied to the CRM (a failed row stays as long as its decision). */
  outboxDays: number;
  /** Request keys: a retried request within this time gets the same decision. */
  requestKeyDays: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** The key callers present as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** 'generated' when local mode made one up because SWITCHYARD_API_KEY was unset: print it. */
  apiKeySource: 'env' | 'generated';
  /**
   * The key being retired, still accepted while the org's External Credential moves to `apiKey`
   * (SWITCHYARD_API_KEY_PREVIOUS); null when no rotation is under way.
   */
  previousApiKey: string | null;
  /** PostgreSQL when set; otherwise the embedded PGlite store in `dataDir`. */
  databaseUrl: string | null;
  /** Absolute path of the embedded store's folder. */
  dataDir: string;
  mode: 'local' | 'salesforce';
  /** Demo leads arriving per minute in local mode; 0 turns the stream off. */
  inboundRatePerMinute: number;
  /** Absolute path of the org's routing folder; null routes with the shipped (demo org's) folder. */
  routingDir: string | null;
  /** The size of the demo org seeded on the first local start. */
  demoOrg: { accounts: number; leads: number };
  logLevel: LogLevel;
  /** Requests the API serves at once; more are answered 503 with Retry-After at once. */
  maxInFlight: number;
  retention: Retention;
  /** Where SLA notifications are POSTed; null logs them. */
  notifyWebhookUrl: string | null;
  /** Set in salesforce mode only. */
  salesforce: SalesforceSettings | null;
  /**
   * Who may sign the assertion naming the acting user (salesforce mode): the org Id it must be issued by,
   * and the PEM certificates whose keys may sign it. Null in local mode, where the demo org's users are
   * trusted as named.
   */
  userAssertion: { orgId: string; certificates: string[] } | null;
}

export interface ConfigProblem {
  setting: string;
  message: string;
}

/** Every bad setting at once, each with what to do about it. */
export class ConfigError extends CodedError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `Invalid settings:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n')}\n` +
        'Fix them in the environment (or .env) and start again.',
    );
  }
}

/** Empty strings count as unset, as `.env` files and CI variables often leave them. */
const optional = (schema: z.ZodType) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** A whole number of things in [min, max], with one message for every way it can be wrong. */
const wholeNumber = (things: string, min: number, max: number, example: number) => {
  const message = `must be a whole number of ${things} from ${min} to ${max}, e.g. ${example}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: optional(
    z.coerce
      .number({ error: 'must be a whole number from 0 to 65535, e.g. 4600' })
      .int('must be a whole number from 0 to 65535, e.g. 4600')
      .min(0, 'must be a whole number from 0 to 65535, e.g. 4600')
      .max(65535, 'must be a whole number from 0 to 65535, e.g. 4600'),
  ),
  HOST: optional(z.string()),
  SWITCHYARD_API_KEY: optional(
    z.string().min(16, 'is too short: use at least 16 random characters, e.g. `openssl rand -hex 24`'),
  ),
  SWITCHYARD_API_KEY_PREVIOUS: optional(
    z.string().min(16, 'is too short: it must be the key being retired, at least 16 characters'),
  ),
  DATABASE_URL: optional(
    z
      .string()
      .regex(
        /^postgres(?:ql)?:\/\/\S+$/,
        'must be a PostgreSQL URL like postgres://user@host:5432/db; unset it to use the embedded store',
      ),
  ),
  SWITCHYARD_DATA_DIR: optional(z.string()),
  SWITCHYARD_MODE: optional(
    z.enum(['local', 'salesforce'], { error: "must be 'local' (demo org) or 'salesforce'" }),
  ),
  SWITCHYARD_ROUTING_DIR: optional(z.string()),
  SWITCHYARD_INBOUND_RATE: optional(
    z.coerce
      .number({ error: 'must be a number of demo leads per minute, 0 to turn them off' })
      .min(0, 'must be 0 (off) or more demo leads per minute')
      .max(60_000, 'must be at most 60000 demo leads per minute'),
  ),
  SWITCHYARD_DEMO_ACCOUNTS: optional(wholeNumber('accounts', 40, 1_000_000, 50_000)),
  SWITCHYARD_DEMO_LEADS: optional(wholeNumber('leads', 60, 4_000_000, 200_000)),
  SWITCHYARD_MAX_IN_FLIGHT: optional(
    z.coerce
      .number({ error: 'must be a whole number of requests from 1 to 10000, e.g. 64' })
      .int('must be a whole number of requests from 1 to 10000, e.g. 64')
      .min(1, 'must be a whole number of requests from 1 to 10000, e.g. 64')
      .max(10_000, 'must be a whole number of requests from 1 to 10000, e.g. 64'),
  ),
  SWITCHYARD_DECISION_RETENTION_DAYS: optional(
    z.coerce
      .number({ error: 'must be a whole number of days (30 or more), or 0 to keep decisions forever' })
      .int('must be a whole number of days (30 or more), or 0 to keep decisions forever')
      .refine((n) => n === 0 || n >= 30, {
        error:
          'must be 0 (keep forever) or at least 30 days: lead activity counts the flows of the last 30 days',
      }),
  ),
  SWITCHYARD_OUTBOX_RETENTION_DAYS: optional(
    z.coerce
      .number({ error: 'must be a whole number of days, 1 or more' })
      .int('must be a whole number of days, 1 or more')
      .min(1, 'must be at least 1 day: a conversion waits for its lead update to be applied'),
  ),
  SWITCHYARD_REQUEST_KEY_RETENTION_DAYS: optional(
    z.coerce
      .number({ error: 'must be a whole number of days, 2 or more' })
      .int('must be a whole number of days, 2 or more')
      .min(
        2,
        "must be at least 2 days: a scheduled job's second run of a day must find the first run's keys",
      ),
  ),
  SWITCHYARD_NOTIFY_WEBHOOK_URL: optional(
    z
      .string()
      .regex(
        /^https?:\/\/\S+$/,
        'must be an http(s) URL that takes a JSON POST, e.g. a Slack incoming webhook; unset it to log notifications',
      ),
  ),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  SF_LOGIN_URL: optional(
    z.url({
      protocol: /^https?$/,
      error: 'must be a URL like https://login.salesforce.com or your My Domain URL',
    }),
  ),
  SF_CLIENT_ID: optional(z.string()),
  SF_USERNAME: optional(z.string()),
  SF_PRIVATE_KEY_FILE: optional(z.string()),
  SF_PRIVATE_KEY: optional(z.string()),
  SWITCHYARD_ORG_ID: optional(
    z.string().regex(/^00D[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/, {
      error: 'must be the org Id (00D…), as Setup → Company Information shows it',
    }),
  ),
  SWITCHYARD_ORG_CERT_FILE: optional(z.string()),
});

/**
 * The environment variables loadConfig reads.
 * @internal exported for the test that keeps SETTINGS and the README complete
 */
export const SETTING_NAMES = Object.keys(envSchema.shape) as Array<keyof z.infer<typeof envSchema>>;

/**
 * Every setting, its default and what it does: the README's table is checked against it.
 * @internal exported for that test
 */
export const SETTINGS: ReadonlyArray<{
  name: keyof z.infer<typeof envSchema>;
  default: string;
  description: string;
}> = [
  {
    name: 'PORT',
    default: '4600',
    description: 'HTTP port of the API and the preview (0 picks a free one).',
  },
  {
    name: 'HOST',
    default: '127.0.0.1',
    description: 'Interface to listen on; 0.0.0.0 to accept other machines.',
  },
  {
    name: 'SWITCHYARD_API_KEY',
    default: 'generated in local mode',
    description:
      'Bearer key callers present; required in salesforce mode (the External Credential holds it).',
  },
  {
    name: 'SWITCHYARD_API_KEY_PREVIOUS',
    default: 'unset',
    description:
      'The key being retired, still accepted beside SWITCHYARD_API_KEY while the External Credential moves to the new one; unset it when the rotation is done.',
  },
  {
    name: 'DATABASE_URL',
    default: 'unset: embedded PGlite',
    description: 'PostgreSQL URL; set it to run more than one instance on one database.',
  },
  {
    name: 'SWITCHYARD_DATA_DIR',
    default: '.switchyard',
    description: 'Folder of the embedded database (PGlite).',
  },
  { name: 'SWITCHYARD_MODE', default: 'local', description: "'local' (embedded demo org) or 'salesforce'." },
  {
    name: 'SWITCHYARD_ROUTING_DIR',
    default: 'companion/flows (the demo org’s)',
    description:
      'Folder of your org’s flows, pools.yaml and territories.yaml; `npm run cli -- init-routing --out <folder>` writes a first one from the org.',
  },
  {
    name: 'SWITCHYARD_INBOUND_RATE',
    default: '30',
    description: 'Demo leads arriving per minute in local mode; 0 turns them off.',
  },
  {
    name: 'SWITCHYARD_DEMO_ACCOUNTS',
    default: '5000',
    description:
      'Accounts in the demo org, up to 1000000 to try the size of your own org; applies when the demo org is first seeded (an empty data folder).',
  },
  {
    name: 'SWITCHYARD_DEMO_LEADS',
    default: '20000',
    description: 'Leads in the demo org, up to 4000000; applies when the demo org is first seeded.',
  },
  {
    name: 'SWITCHYARD_MAX_IN_FLIGHT',
    default: '64',
    description:
      'Requests the API serves at once; beyond it callers get 503 with Retry-After at once instead of waiting.',
  },
  {
    name: 'SWITCHYARD_DECISION_RETENTION_DAYS',
    default: '365',
    description:
      'Days decisions (the routing history) are kept, with their outbox rows; 0 keeps them forever. Pending ones are kept.',
  },
  {
    name: 'SWITCHYARD_OUTBOX_RETENTION_DAYS',
    default: '7',
    description:
      'Days an effect applied to the org stays in the outbox (failed ones stay with their decision).',
  },
  {
    name: 'SWITCHYARD_REQUEST_KEY_RETENTION_DAYS',
    default: '7',
    description: 'Days a request key is remembered: a retry within them gets the same decision.',
  },
  {
    name: 'SWITCHYARD_NOTIFY_WEBHOOK_URL',
    default: 'unset: notifications go to the log',
    description:
      'URL that gets each SLA notification (new lead, reminder, reassignment, escalation) as a JSON POST with a Slack-style text; a failed one is retried and then listed as failed.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: LOG_LEVELS.join(', ') + '.' },
  {
    name: 'SF_LOGIN_URL',
    default: 'https://login.salesforce.com',
    description: 'Salesforce login or My Domain URL (https://test.salesforce.com for sandboxes).',
  },
  {
    name: 'SF_CLIENT_ID',
    default: 'required in salesforce mode',
    description: "The connected app's consumer key.",
  },
  {
    name: 'SF_USERNAME',
    default: 'required in salesforce mode',
    description: 'The integration user the companion acts as.',
  },
  {
    name: 'SF_PRIVATE_KEY_FILE',
    default: 'this or SF_PRIVATE_KEY in salesforce mode',
    description: 'Path of the PEM private key whose certificate is on the connected app.',
  },
  {
    name: 'SF_PRIVATE_KEY',
    default: 'unset',
    description: 'The PEM itself, newlines as \\n, instead of a file.',
  },
  {
    name: 'SWITCHYARD_ORG_ID',
    default: 'required in salesforce mode',
    description: "The org's Id (00D…): the issuer of the user assertions the Apex controller signs.",
  },
  {
    name: 'SWITCHYARD_ORG_CERT_FILE',
    default: 'required in salesforce mode',
    description:
      'PEM file of the org certificate (Switchyard_Companion) that signs user assertions; two certificates while rotating.',
  },
];

const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Reads and checks the settings. Pure apart from reading SF_PRIVATE_KEY_FILE and SWITCHYARD_ORG_CERT_FILE;
 * throws ConfigError naming every bad setting.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  /** false for commands that log in but serve no requests (the doctor, init-routing): no org certificate asked for. */
  options: { serving?: boolean } = {},
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ setting: String(issue.path[0]), message: issue.message })),
    );
  }
  const e = parsed.data as {
    PORT?: number;
    HOST?: string;
    SWITCHYARD_API_KEY?: string;
    SWITCHYARD_API_KEY_PREVIOUS?: string;
    DATABASE_URL?: string;
    SWITCHYARD_DATA_DIR?: string;
    SWITCHYARD_MODE?: 'local' | 'salesforce';
    SWITCHYARD_ROUTING_DIR?: string;
    SWITCHYARD_INBOUND_RATE?: number;
    SWITCHYARD_DEMO_ACCOUNTS?: number;
    SWITCHYARD_DEMO_LEADS?: number;
    SWITCHYARD_MAX_IN_FLIGHT?: number;
    SWITCHYARD_DECISION_RETENTION_DAYS?: number;
    SWITCHYARD_OUTBOX_RETENTION_DAYS?: number;
    SWITCHYARD_REQUEST_KEY_RETENTION_DAYS?: number;
    SWITCHYARD_NOTIFY_WEBHOOK_URL?: string;
    LOG_LEVEL?: LogLevel;
    SF_LOGIN_URL?: string;
    SF_CLIENT_ID?: string;
    SF_USERNAME?: string;
    SF_PRIVATE_KEY_FILE?: string;
    SF_PRIVATE_KEY?: string;
    SWITCHYARD_ORG_ID?: string;
    SWITCHYARD_ORG_CERT_FILE?: string;
  };
  const mode = e.SWITCHYARD_MODE ?? 'local';
  const problems: ConfigProblem[] = [];

  let salesforce: SalesforceSettings | null = null;
  if (mode === 'salesforce') {
    if (!e.SWITCHYARD_API_KEY) {
      problems.push({
        setting: 'SWITCHYARD_API_KEY',
        message:
          'is required in salesforce mode: set the same secret in the External Credential the Named Credential uses',
      });
    }
    if (!e.SF_CLIENT_ID) {
      problems.push({
        setting: 'SF_CLIENT_ID',
        message: "is required in salesforce mode: the connected app's consumer key",
      });
    }
    if (!e.SF_USERNAME) {
      problems.push({
        setting: 'SF_USERNAME',
        message: 'is required in salesforce mode: the username of the integration user the companion acts as',
      });
    }
    const privateKey = readPrivateKey(e.SF_PRIVATE_KEY_FILE, e.SF_PRIVATE_KEY, problems);
    if (e.SF_CLIENT_ID && e.SF_USERNAME && privateKey) {
      salesforce = {
        loginUrl: (e.SF_LOGIN_URL ?? 'https://login.salesforce.com').replace(/\/+$/, ''),
        clientId: e.SF_CLIENT_ID,
        username: e.SF_USERNAME,
        privateKey,
      };
    }
  }
  if (e.SWITCHYARD_API_KEY_PREVIOUS && !e.SWITCHYARD_API_KEY) {
    problems.push({
      setting: 'SWITCHYARD_API_KEY_PREVIOUS',
      message: 'is the key being retired: set the new key in SWITCHYARD_API_KEY too',
    });
  } else if (e.SWITCHYARD_API_KEY_PREVIOUS && e.SWITCHYARD_API_KEY_PREVIOUS === e.SWITCHYARD_API_KEY) {
    problems.push({
      setting: 'SWITCHYARD_API_KEY_PREVIOUS',
      message: 'is the same as SWITCHYARD_API_KEY: set it to the key being retired, or unset it',
    });
  }
  const userAssertion =
    mode === 'salesforce' && options.serving !== false ? readUserAssertion(e, problems) : null;
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port: e.PORT ?? 4600,
    host: e.HOST ?? '127.0.0.1',
    apiKey: e.SWITCHYARD_API_KEY ?? randomBytes(24).toString('base64url'),
    apiKeySource: e.SWITCHYARD_API_KEY ? 'env' : 'generated',
    previousApiKey: e.SWITCHYARD_API_KEY_PREVIOUS ?? null,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: path.resolve(e.SWITCHYARD_DATA_DIR ?? '.switchyard'),
    mode,
    routingDir: e.SWITCHYARD_ROUTING_DIR ? path.resolve(e.SWITCHYARD_ROUTING_DIR) : null,
    inboundRatePerMinute: e.SWITCHYARD_INBOUND_RATE ?? 30,
    demoOrg: { accounts: e.SWITCHYARD_DEMO_ACCOUNTS ?? 5000, leads: e.SWITCHYARD_DEMO_LEADS ?? 20_000 },
    logLevel: e.LOG_LEVEL ?? 'info',
    maxInFlight: e.SWITCHYARD_MAX_IN_FLIGHT ?? 64,
    retention: {
      decisionDays:
        e.SWITCHYARD_DECISION_RETENTION_DAYS === 0 ? null : (e.SWITCHYARD_DECISION_RETENTION_DAYS ?? 365),
      outboxDays: e.SWITCHYARD_OUTBOX_RETENTION_DAYS ?? 7,
      requestKeyDays: e.SWITCHYARD_REQUEST_KEY_RETENTION_DAYS ?? 7,
    },
    notifyWebhookUrl: e.SWITCHYARD_NOTIFY_WEBHOOK_URL ?? null,
    salesforce,
    userAssertion,
  };
}

/** The certificate as Salesforce downloads it, or its public key alone. */
const CERTIFICATE = /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----[\s\S]+?-----END \1-----/g;

function readUserAssertion(
  e: { SWITCHYARD_ORG_ID?: string; SWITCHYARD_ORG_CERT_FILE?: string },
  problems: ConfigProblem[],
): { orgId: string; certificates: string[] } | null {
  if (!e.SWITCHYARD_ORG_ID) {
    problems.push({
      setting: 'SWITCHYARD_ORG_ID',
      message: "is required in salesforce mode: the org's Id (00D…), from Setup → Company Information",
    });
  }
  if (!e.SWITCHYARD_ORG_CERT_FILE) {
    problems.push({
      setting: 'SWITCHYARD_ORG_CERT_FILE',
      message:
        'is required in salesforce mode: the Switchyard_Companion certificate downloaded from Setup → Certificate and Key Management',
    });
    return null;
  }
  let text: string;
  try {
    text = readFileSync(e.SWITCHYARD_ORG_CERT_FILE, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    problems.push({
      setting: 'SWITCHYARD_ORG_CERT_FILE',
      message: `cannot read ${path.resolve(e.SWITCHYARD_ORG_CERT_FILE)} (${reason}): check the path and its permissions`,
    });
    return null;
  }
  const certificates = text.match(CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    problems.push({
      setting: 'SWITCHYARD_ORG_CERT_FILE',
      message: 'holds no PEM certificate: it must contain "-----BEGIN CERTIFICATE-----"',
    });
    return null;
  }
  return e.SWITCHYARD_ORG_ID ? { orgId: e.SWITCHYARD_ORG_ID, certificates } : null;
}

function readPrivateKey(
  file: string | undefined,
  inline: string | undefined,
  problems: ConfigProblem[],
): string | null {
  if (file && inline) {
    problems.push({
      setting: 'SF_PRIVATE_KEY',
      message: 'set either SF_PRIVATE_KEY_FILE or SF_PRIVATE_KEY, not both',
    });
    return null;
  }
  if (!file && !inline) {
    problems.push({
      setting: 'SF_PRIVATE_KEY_FILE',
      message:
        'is required in salesforce mode (or SF_PRIVATE_KEY): the PEM private key whose certificate is on the connected app',
    });
    return null;
  }
  let pem: string;
  let setting: string;
  if (file) {
    setting = 'SF_PRIVATE_KEY_FILE';
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      problems.push({
        setting,
        message: `cannot read ${path.resolve(file)} (${reason}): check the path and its permissions`,
      });
      return null;
    }
  } else {
    setting = 'SF_PRIVATE_KEY';
    // One-line environment variables often carry the PEM with literal "\n".
    pem = (inline ?? '').replace(/\\n/g, '\n');
  }
  if (!PEM.test(pem)) {
    problems.push({
      setting,
      message: 'is not a PEM private key: it must contain "-----BEGIN PRIVATE KEY-----" (or RSA PRIVATE KEY)',
    });
    return null;
  }
  return pem;
}
