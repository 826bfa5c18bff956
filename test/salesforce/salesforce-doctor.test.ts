import { afterEach, describe, expect, it } from 'vitest';
import { checkOrg } from '../../companion/src/crm/salesforce/salesforce-doctor.js';
import { runDoctor } from '../../companion/src/crm/salesforce/salesforce-doctor.command.js';
import { REQUIRED_SCHEMA } from '../../companion/src/crm/salesforce/salesforce-fields.js';
import { createSalesforceCrm } from '../../companion/src/crm/salesforce/salesforce.factory.js';
import { startHarness, type Harness } from './salesforce.fixture.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.standIn.close();
  h = undefined;
});

function env(h: Harness): Record<string, string> {
  return {
    SF_LOGIN_URL: h.standIn.url,
    SF_CLIENT_ID: h.standIn.clientId,
    SF_USERNAME: h.standIn.username,
    SF_PRIVATE_KEY: h.standIn.privateKeyPem.replace(/\n/g, '\\n'),
  };
}

describe('Salesforce startup check', () => {
  it('finds everything routing reads and writes in an org with the package deployed', async () => {
    h = await startHarness();
    const report = await checkOrg(h.api, REQUIRED_SCHEMA);
    expect(report.problems).toEqual([]);
    expect(report.objects).toBe(7);
    expect(h.standIn.calls()).toEqual({ describe: 7 });
  });

  it('lists every missing field, read-only written field and extra flow field in one error', async () => {
    h = await startHarness();
    h.standIn.org.missingFields.add('Lead.Partner_Share_Status__c');
    h.standIn.org.missingFields.add('Account.BDR_Assigned__c');
    h.standIn.org.readOnlyFields.add('Lead.Routing_Reason__c');
    const err = await createSalesforceCrm({
      loginUrl: h.standIn.url,
      clientId: h.standIn.clientId,
      username: h.standIn.username,
      privateKey: h.standIn.privateKeyPem,
      extraSchema: [
        { object: 'Lead', read: ['Lead_Score__c'], write: [] },
        { object: 'Territory__c', read: ['Name'], write: [] },
      ],
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SF_SETUP_INCOMPLETE' });
    const problems = (err as { problems: string[] }).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('Lead.Partner_Share_Status__c: field missing');
    expect(problems.join('\n')).toContain(
      'Lead.Routing_Reason__c: routing writes this field but it is read-only',
    );
    expect(problems.join('\n')).toContain('Account.BDR_Assigned__c: field missing');
    expect(problems.join('\n')).toContain('Lead.Lead_Score__c: field missing');
    expect(problems.join('\n')).toContain('Territory__c: the object is missing');
    expect((err as Error).message).toContain('npm run doctor');
  });
});

describe('npm run doctor', () => {
  it('says the org is ready when it is', async () => {
    h = await startHarness();
    const lines: string[] = [];
    expect(await runDoctor(env(h), (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('The org is ready');
    expect(lines.join('\n')).toMatch(
      /API limit: \d+ of 100000 daily calls left; Switchyard's budget is 50000/,
    );
  });

  it('prints what to fix in the org', async () => {
    h = await startHarness();
    h.standIn.org.missingFields.add('User.Region__c');
    const lines: string[] = [];
    expect(await runDoctor(env(h), (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('User.Region__c: field missing');
    expect(lines.join('\n')).toContain('permission set');
  });

  it('prints which settings are missing before trying to log in', async () => {
    const lines: string[] = [];
    expect(await runDoctor({ SF_LOGIN_URL: 'https://login.salesforce.com' }, (l) => lines.push(l))).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('SF_CLIENT_ID');
    expect(out).toContain('SF_USERNAME');
    expect(out).toContain('SF_PRIVATE_KEY_FILE');
    expect(out).not.toContain('SWITCHYARD_API_KEY');
  });

  it('explains a refused login', async () => {
    h = await startHarness();
    h.standIn.faults.refuseLogins = "user hasn't approved this consumer";
    const lines: string[] = [];
    expect(await runDoctor(env(h), (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('pre-authorised');
  });
});
