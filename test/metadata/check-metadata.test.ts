import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkApexSyntax } from '../../scripts/metadata/apex-syntax.check.js';
import { checkFieldAccess } from '../../scripts/metadata/field-access.check.js';
import { checkPmdSecurity } from '../../scripts/metadata/pmd-security.check.js';
import { checkSourceComponents } from '../../scripts/metadata/source-components.check.js';
import { checkXmlWellFormed } from '../../scripts/metadata/xml-wellformed.check.js';

const CLASS_META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>63.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;

let dir: string;

function write(relative: string, text: string): void {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchyard-metadata-'));
  write(
    'default/classes/Hello.cls',
    "public with sharing class Hello { public static String hi() { return 'hi'; } }\n",
  );
  write('default/classes/Hello.cls-meta.xml', CLASS_META);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('offline metadata checks', () => {
  it('pass a small valid package', async () => {
    expect((await checkSourceComponents(dir, '63.0')).problems).toEqual([]);
    expect((await checkXmlWellFormed(dir)).problems).toEqual([]);
    expect((await checkApexSyntax(dir)).problems).toEqual([]);
  });

  it('name a file that belongs to no metadata component', async () => {
    write('default/classes/notes.txt', 'remember to deploy\n');
    const result = await checkSourceComponents(dir, '63.0');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain('notes.txt');
  });

  it('resolve Change Data Capture selections named <channel>_<event>, and name a misplaced one', async () => {
    const member = (entity: string) => `<?xml version="1.0" encoding="UTF-8"?>
<PlatformEventChannelMember xmlns="http://soap.sforce.com/2006/04/metadata">
    <eventChannel>ChangeEvents</eventChannel>
    <selectedEntity>${entity}</selectedEntity>
</PlatformEventChannelMember>
`;
    write(
      'default/platformEventChannelMembers/ChangeEvents_LeadChangeEvent.platformEventChannelMember-meta.xml',
      member('LeadChangeEvent'),
    );
    write('default/platformEventChannelMembers/ChangeEvents_UserChangeEvent.xml', member('UserChangeEvent'));
    const result = await checkSourceComponents(dir, '63.0');
    expect(result.summary).toContain('1 PlatformEventChannelMember');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(
      'ChangeEvents_UserChangeEvent.xml: belongs to no metadata component',
    );
  });

  it('report an Apex class whose -meta.xml is missing', async () => {
    write('default/classes/Orphan.cls', 'public class Orphan {}\n');
    const result = await checkSourceComponents(dir, '63.0');
    expect(result.problems.join('\n')).toContain('Orphan.cls');
  });

  it('name the file, line and reason of malformed XML', async () => {
    write('default/classes/Broken.cls-meta.xml', '<ApexClass><apiVersion>63.0</ApexClass>\n');
    const result = await checkXmlWellFormed(dir);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/Broken\.cls-meta\.xml:1:\d+: /);
  });

  it('count every Apex syntax error with its line', async () => {
    write(
      'default/classes/Typo.cls',
      'public class Typo {\n  void a() { Integer x = ; }\n  void b() { return }\n}\n',
    );
    const result = await checkApexSyntax(dir);
    expect(result.problems.length).toBeGreaterThanOrEqual(2);
    expect(result.problems[0]).toMatch(/Typo\.cls:2:\d+: /);
    expect(result.problems.some((problem) => /Typo\.cls:3:\d+: /.test(problem))).toBe(true);
  });

  it('name fields without description or help text or with text too long, and fields a permission set forgets or invents', async () => {
    const field = (name: string, extra: string) =>
      write(
        `default/objects/Lead/fields/${name}.field-meta.xml`,
        `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${name}</label>
    <type>Text</type>
    <length>80</length>
${extra}
</CustomField>
`,
      );
    field('Documented__c', '    <description>Why.</description>\n    <inlineHelpText>What.</inlineHelpText>');
    field('Forgotten__c', '    <description>Why.</description>\n    <inlineHelpText>What.</inlineHelpText>');
    field('Bare__c', '    <required>true</required>');
    field(
      'Wordy__c',
      `    <description>Why.</description>\n    <inlineHelpText>${'x'.repeat(511)}</inlineHelpText>`,
    );
    write(
      'default/permissionsets/Users.permissionset-meta.xml',
      `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldPermissions>
        <editable>false</editable>
        <field>Lead.Documented__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <fieldPermissions>
        <editable>false</editable>
        <field>Lead.Typo__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Users</label>
</PermissionSet>
`,
    );
    const result = await checkFieldAccess(dir);
    const problems = result.problems.map((problem) => problem.split('/').pop());
    expect(problems.sort()).toEqual(
      [
        'Bare__c.field-meta.xml: has no description',
        'Bare__c.field-meta.xml: has no help text (inlineHelpText)',
        'Users.permissionset-meta.xml: grants access to Lead.Typo__c, which the package does not define',
        'Users.permissionset-meta.xml: no field permission for Lead.Forgotten__c',
        'Users.permissionset-meta.xml: no field permission for Lead.Wordy__c',
        'Wordy__c.field-meta.xml: inlineHelpText is 511 characters; Salesforce allows 510',
      ].sort(),
    );
  });

  it(
    'report PMD security violations of severity 1-2 with file and line',
    { timeout: 120_000 },
    async (context) => {
      write(
        'default/classes/Risky.cls',
        [
          'public with sharing class Risky {',
          '  public static List<Account> find(String name) {',
          "    return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\'');",
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      write('default/classes/Risky.cls-meta.xml', CLASS_META);
      const result = await checkPmdSecurity(dir);
      if (result.skipped && process.env.CI !== 'true') context.skip();
      expect(result.skipped).toBeUndefined();
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatch(/Risky\.cls:3: ApexSOQLInjection \(severity 2\)/);
    },
  );
});
