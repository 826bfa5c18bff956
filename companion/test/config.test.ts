import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTING_NAMES, SETTINGS } from '../src/config.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';
/** The certificate being retired and its successor, as an admin puts both in one file while rotating. */
const ORG_CERTS = [1, 2]
  .map(() =>
    generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
  )
  .join('');
const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return Object.fromEntries((err as ConfigError).problems.map((p) => [p.setting, p.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs locally with no settings at all, with a generated key', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4600,
      host: '127.0.0.1',
      databaseUrl: null,
      dataDir: path.resolve('.switchyard'),
      mode: 'local',
      inboundRatePerMinute: 30,
      logLevel: 'info',
      maxInFlight: 64,
      retention: { decisionDays: 365, outboxDays: 7, requestKeyDays: 7 },
      salesforce: null,
      apiKeySource: 'generated',
    });
    expect(config.apiKey.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).apiKey).not.toBe(config.apiKey);
  });

  it('reads every local setting, treating empty values as unset', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      SWITCHYARD_API_KEY: 'k'.repeat(24),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      SWITCHYARD_DATA_DIR: '/var/lib/switchyard',
      SWITCHYARD_INBOUND_RATE: '0',
      SWITCHYARD_MAX_IN_FLIGHT: '200',
      LOG_LEVEL: 'debug',
      SWITCHYARD_DECISION_RETENTION_DAYS: '0',
      SWITCHYARD_OUTBOX_RETENTION_DAYS: '1',
      SWITCHYARD_REQUEST_KEY_RETENTION_DAYS: '30',
      SF_LOGIN_URL: '',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      apiKey: 'k'.repeat(24),
      apiKeySource: 'env',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      dataDir: '/var/lib/switchyard',
      inboundRatePerMinute: 0,
      maxInFlight: 200,
      logLevel: 'debug',
      retention: { decisionDays: null, outboxDays: 1, requestKeyDays: 30 },
    });
  });

  it('accepts the key being retired beside the new one while a key is rotated', () => {
    const config = loadConfig({
      SWITCHYARD_API_KEY: 'n'.repeat(24),
      SWITCHYARD_API_KEY_PREVIOUS: 'o'.repeat(24),
    });
    expect(config).toMatchObject({ apiKey: 'n'.repeat(24), previousApiKey: 'o'.repeat(24) });
    expect(loadConfig({ SWITCHYARD_API_KEY: 'n'.repeat(24) }).previousApiKey).toBeNull();
    expect(problemsOf({ SWITCHYARD_API_KEY_PREVIOUS: 'o'.repeat(24) }).SWITCHYARD_API_KEY_PREVIOUS).toMatch(
      /set the new key in SWITCHYARD_API_KEY/,
    );
    expect(
      problemsOf({ SWITCHYARD_API_KEY: 'n'.repeat(24), SWITCHYARD_API_KEY_PREVIOUS: 'n'.repeat(24) })
        .SWITCHYARD_API_KEY_PREVIOUS,
    ).toMatch(/same as SWITCHYARD_API_KEY/);
    expect(
      problemsOf({ SWITCHYARD_API_KEY: 'n'.repeat(24), SWITCHYARD_API_KEY_PREVIOUS: 'old' })
        .SWITCHYARD_API_KEY_PREVIOUS,
    ).toMatch(/too short/);
  });

  it('sizes the demo org: 5,000 accounts and 20,000 leads unless told, up to a million accounts', () => {
    expect(loadConfig({}).demoOrg).toEqual({ accounts: 5000, leads: 20_000 });
    expect(
      loadConfig({ SWITCHYARD_DEMO_ACCOUNTS: '1000000', SWITCHYARD_DEMO_LEADS: '250000' }).demoOrg,
    ).toEqual({ accounts: 1_000_000, leads: 250_000 });
    const problems = problemsOf({ SWITCHYARD_DEMO_ACCOUNTS: '1000001', SWITCHYARD_DEMO_LEADS: 'many' });
    expect(problems.SWITCHYARD_DEMO_ACCOUNTS).toBe(
      'must be a whole number of accounts from 40 to 1000000, e.g. 50000',
    );
    expect(problems.SWITCHYARD_DEMO_LEADS).toMatch(/whole number of leads from 60 to 4000000/);
    expect(problemsOf({ SWITCHYARD_DEMO_ACCOUNTS: '12.5' }).SWITCHYARD_DEMO_ACCOUNTS).toMatch(/whole number/);
  });

  it('lists every bad setting at once, each saying what to do', () => {
    const problems = problemsOf({
      PORT: 'http',
      SWITCHYARD_MODE: 'prod',
      SWITCHYARD_INBOUND_RATE: '-1',
      SWITCHYARD_MAX_IN_FLIGHT: '0',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      SWITCHYARD_API_KEY: 'short',
      SWITCHYARD_DECISION_RETENTION_DAYS: '7',
      SWITCHYARD_OUTBOX_RETENTION_DAYS: '0',
      SWITCHYARD_REQUEST_KEY_RETENTION_DAYS: 'a week',
    });
    expect(Object.keys(problems).sort()).toEqual(
      [
        'DATABASE_URL',
        'LOG_LEVEL',
        'PORT',
        'SWITCHYARD_API_KEY',
        'SWITCHYARD_INBOUND_RATE',
        'SWITCHYARD_MAX_IN_FLIGHT',
        'SWITCHYARD_MODE',
        'SWITCHYARD_DECISION_RETENTION_DAYS',
        'SWITCHYARD_OUTBOX_RETENTION_DAYS',
        'SWITCHYARD_REQUEST_KEY_RETENTION_DAYS',
      ].sort(),
    );
    expect(problems.SWITCHYARD_DECISION_RETENTION_DAYS).toMatch(/0 \(keep forever\) or at least 30 days/);
    expect(problems.SWITCHYARD_OUTBOX_RETENTION_DAYS).toMatch(/at least 1 day/);
    expect(problems.SWITCHYARD_REQUEST_KEY_RETENTION_DAYS).toMatch(/whole number of days/);
    expect(problems.PORT).toMatch(/whole number/);
    expect(problems.SWITCHYARD_MODE).toMatch(/'local'.*'salesforce'/);
    expect(problems.DATABASE_URL).toMatch(/postgres:\/\//);
    expect(problems.SWITCHYARD_MAX_IN_FLIGHT).toMatch(/from 1 to 10000/);
    expect(problemsOf({ SWITCHYARD_MAX_IN_FLIGHT: '2.5' }).SWITCHYARD_MAX_IN_FLIGHT).toMatch(/whole number/);
  });

  it('requires the Salesforce settings in salesforce mode only', () => {
    const problems = problemsOf({ SWITCHYARD_MODE: 'salesforce' });
    expect(Object.keys(problems).sort()).toEqual([
      'SF_CLIENT_ID',
      'SF_PRIVATE_KEY_FILE',
      'SF_USERNAME',
      'SWITCHYARD_API_KEY',
      'SWITCHYARD_ORG_CERT_FILE',
      'SWITCHYARD_ORG_ID',
    ]);
    expect(() => loadConfig({ SF_CLIENT_ID: '' })).not.toThrow();
  });

  it('reads the private key from a file or from one line with \\n escapes', () => {
    const keyFile = path.join(dir, 'server.key');
    writeFileSync(keyFile, PEM);
    const certFile = path.join(dir, 'org.crt');
    writeFileSync(certFile, ORG_CERTS);
    const base = {
      SWITCHYARD_MODE: 'salesforce',
      SWITCHYARD_API_KEY: 'x'.repeat(32),
      SF_CLIENT_ID: '3MVG9',
      SF_USERNAME: 'integration@example.com',
      SWITCHYARD_ORG_ID: '00DSY0000000001AAA',
      SWITCHYARD_ORG_CERT_FILE: certFile,
    };
    expect(loadConfig({ ...base, SF_PRIVATE_KEY_FILE: keyFile }).salesforce).toEqual({
      loginUrl: 'https://login.salesforce.com',
      clientId: '3MVG9',
      username: 'integration@example.com',
      privateKey: PEM,
    });
    const inline = loadConfig({
      ...base,
      SF_PRIVATE_KEY: PEM.replace(/\n/g, '\\n'),
      SF_LOGIN_URL: 'https://test.salesforce.com/',
    });
    expect(inline.salesforce?.privateKey).toBe(PEM);
    expect(inline.salesforce?.loginUrl).toBe('https://test.salesforce.com');

    expect(
      problemsOf({ ...base, SF_PRIVATE_KEY_FILE: path.join(dir, 'missing.key') }).SF_PRIVATE_KEY_FILE,
    ).toMatch(/cannot read .*missing\.key \(ENOENT\)/);
    expect(problemsOf({ ...base, SF_PRIVATE_KEY: 'not a key' }).SF_PRIVATE_KEY).toMatch(
      /not a PEM private key/,
    );
    expect(problemsOf({ ...base, SF_PRIVATE_KEY: PEM, SF_PRIVATE_KEY_FILE: keyFile }).SF_PRIVATE_KEY).toMatch(
      /not both/,
    );
  });

  it('reads the certificates that sign user assertions, two while one replaces the other', () => {
    const certFile = path.join(dir, 'org.crt');
    writeFileSync(certFile, ORG_CERTS);
    const base = {
      SWITCHYARD_MODE: 'salesforce',
      SWITCHYARD_API_KEY: 'x'.repeat(32),
      SF_CLIENT_ID: '3MVG9',
      SF_USERNAME: 'integration@example.com',
      SF_PRIVATE_KEY: PEM,
      SWITCHYARD_ORG_ID: '00DSY0000000001AAA',
    };
    const config = loadConfig({ ...base, SWITCHYARD_ORG_CERT_FILE: certFile });
    expect(config.userAssertion).toEqual({
      orgId: '00DSY0000000001AAA',
      certificates: [expect.stringContaining('PUBLIC KEY'), expect.stringContaining('PUBLIC KEY')],
    });
    expect(loadConfig({ ...base, SWITCHYARD_MODE: 'local' }).userAssertion).toBeNull();
    const empty = path.join(dir, 'empty.crt');
    writeFileSync(empty, 'nothing here');
    expect(problemsOf({ ...base, SWITCHYARD_ORG_CERT_FILE: empty }).SWITCHYARD_ORG_CERT_FILE).toMatch(
      /no PEM certificate/,
    );
    expect(
      problemsOf({ ...base, SWITCHYARD_ORG_CERT_FILE: certFile, SWITCHYARD_ORG_ID: '005SY0000000001AAA' })
        .SWITCHYARD_ORG_ID,
    ).toMatch(/org Id \(00D/);
  });

  it('documents every setting it reads, and only those', () => {
    expect(SETTINGS.map((s) => s.name).sort()).toEqual([...SETTING_NAMES].sort());
    expect(SETTING_NAMES).toContain('SWITCHYARD_INBOUND_RATE');
    const readme = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const missing = SETTINGS.filter((s) => !readme.includes(`\`${s.name}\``)).map((s) => s.name);
    expect(missing, 'settings the README does not list').toEqual([]);
  });
});
