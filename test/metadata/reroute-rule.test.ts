import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rerouteRefusal } from '../../companion/src/http/access.js';

// One re-route rule, applied twice: in Apex before the callout (SwitchyardController.requireMayReroute)
// and in the companion (access.ts rerouteRefusal). A person refused in Salesforce and in the preview
// must read the same refusal, so this test reads the Apex source and fails when the two drift.

const APEX = readFileSync('force-app/main/default/classes/SwitchyardController.cls', 'utf8');

/** The text as an Apex string literal. */
const apexLiteral = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

describe('the re-route rule', () => {
  const cases = {
    'without the permission': rerouteRefusal(
      { canReroute: false },
      { read: true, edit: true, transfer: true },
    ),
    'without edit access': rerouteRefusal({ canReroute: true }, { read: true, edit: false, transfer: false }),
    'without transfer access': rerouteRefusal(
      { canReroute: true },
      { read: true, edit: true, transfer: false },
    ),
  };

  it.each(Object.entries(cases))('refuses %s, in the same words in Apex', (_case, refusal) => {
    expect(refusal).not.toBeNull();
    expect(APEX).toContain(apexLiteral(refusal!.message));
    expect(APEX).toContain(apexLiteral(refusal!.action));
  });

  it('lets a permission holder with edit and transfer access re-route', () => {
    expect(rerouteRefusal({ canReroute: true }, { read: true, edit: true, transfer: true })).toBeNull();
  });

  it('checks edit and transfer access in Apex from UserRecordAccess, before the callout', () => {
    const body = APEX.slice(APEX.indexOf('private static void requireMayReroute'));
    expect(body).toMatch(/HasEditAccess[\s\S]*HasTransferAccess[\s\S]*FROM UserRecordAccess/);
    const reroute = APEX.slice(APEX.indexOf('public static Map<String, Object> rerouteLead'));
    expect(reroute.indexOf('requireMayReroute(leadId)')).toBeLessThan(reroute.indexOf('send('));
  });
});
