import { describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../../src/engine/flow/flow-loader.js';
import { OrgPeople, rebindPeople } from '../../../src/engine/flow/org-people.js';
import { loadRoutingSet, type OrgCatalog, type RoutingSet } from '../../../src/engine/flow/routing-set.js';
import type { QueueRecord, UserRecord } from '../../../src/engine/model.js';
import { demoId } from '../../../src/engine/salesforce-id.js';

/** An org that is not the demo org: its own people and queues. */
const ANN: UserRecord = {
  Id: demoId('005', 101),
  Name: 'Ann Lee',
  IsActive: true,
  Username: 'ann.lee@acme.example',
  Email: 'ann@acme.com',
};
const BO: UserRecord = {
  Id: demoId('005', 102),
  Name: 'Bo Stone',
  IsActive: true,
  Username: 'bo@acme.example',
  Email: 'bo@acme.com',
};
const CY: UserRecord = {
  Id: demoId('005', 103),
  Name: 'Cy Old',
  IsActive: false,
  Username: 'cy@acme.example',
  Email: 'cy@acme.com',
};
const INBOUND: QueueRecord = {
  Id: demoId('00G', 201),
  Name: 'Inbound Leads',
  DeveloperName: 'Inbound_Leads',
  TakesLeads: true,
};
const CASES: QueueRecord = {
  Id: demoId('00G', 202),
  Name: 'Support Cases',
  DeveloperName: 'Support_Cases',
  TakesLeads: false,
};
const ACME: OrgCatalog = { users: [ANN, BO, CY], queues: [INBOUND, CASES] };

const flow = (to: string) => `flow: inbound
version: 1
label: Inbound
trigger: { on: [created] }
start: route
nodes:
  route:
    type: assign
    to: ${to}
    next: done
  done:
    type: end
`;

function load(members: string, to = '[{ pool: inbound }, { queue: Inbound_Leads }]', org = ACME): RoutingSet {
  return loadRoutingSet(
    {
      flows: [{ file: 'inbound.flow.yaml', text: flow(to) }],
      pools: {
        file: 'pools.yaml',
        text: `pools:\n  - name: inbound\n    strategy: round-robin\n    members: [${members}]\n`,
      },
      territories: {
        file: 'territories.yaml',
        text: 'territories:\n  - name: regions\n    rows:\n      - { country: [DE], assign: { user: bo@acme.com } }\n',
      },
    },
    org,
  );
}

function problems(members: string, to?: string): string[] {
  try {
    load(members, to);
    return [];
  } catch (error) {
    if (!(error instanceof FlowInvalidError)) throw error;
    return error.issues.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`);
  }
}

describe('names in a routing set, resolved against the org', () => {
  it('finds one person written two ways twice in a pool', () => {
    expect(problems(`{ user: ann.lee@acme.example }, { userId: ${ANN.Id} }`)).toEqual([
      `pools.yaml:4 pools[0].members[1].userId: user ${ANN.Id} is already listed as members[0]; remove one`,
    ]);
  });

  it('resolves each spelling to the user’s Id in pools, territory tables and flows', () => {
    const set = load(`{ user: ANN.LEE@acme.example }, { user: ${BO.Id.slice(0, 15)} }`);
    expect(set.pools.get('inbound')!.members.map((m) => m.userId)).toEqual([ANN.Id, BO.Id]);
    expect(set.territories.get('regions')!.rows[0]!.assign).toEqual({ user: BO.Id });
    const node = set.flows.get('inbound')!.nodes['route'];
    expect(node).toMatchObject({ to: [{ pool: 'inbound' }, { queue: INBOUND.Id }] });
    expect(set.people.refs.map((r) => `${r.kind} ${r.written} → ${r.id}`)).toEqual([
      `user ANN.LEE@acme.example → ${ANN.Id}`,
      `user ${BO.Id.slice(0, 15)} → ${BO.Id}`,
      `user bo@acme.com → ${BO.Id}`,
      `queue Inbound_Leads → ${INBOUND.Id}`,
    ]);
    expect(set.people.warnings).toEqual([]);
  });

  it('lists every name that names nobody, one by one, each with what to do', () => {
    expect(
      problems(
        '{ user: ann.le@acme.example }, { user: nobody@acme.com }, { user: 005SY0000000999XXX }',
        '[{ queue: Inbound Leads }, { queue: Support_Cases }, { queue: Outbound }, { user: 005SY0000000199AAA }]',
      ),
    ).toEqual([
      "inbound.flow.yaml:9 nodes.route.to[0].queue: 'Inbound Leads' is the label of queue Inbound_Leads: name queues by DeveloperName (write Inbound_Leads)",
      'inbound.flow.yaml:9 nodes.route.to[1].queue: queue Support_Cases does not take Leads: add Lead to its Supported Objects (Setup → Queues → Edit), or name another queue',
      "inbound.flow.yaml:9 nodes.route.to[2].queue: no queue with DeveloperName 'Outbound' in this org: correct it, or create the queue with Lead as a supported object (Setup → Queues)",
      "inbound.flow.yaml:9 nodes.route.to[3].user: no user with username or email '005SY0000000199AAA' in this org: correct it, or create the user (Setup → Users)",
      "pools.yaml:4 pools[0].members[0].user: no user with username or email 'ann.le@acme.example' in this org: correct it, or create the user (Setup → Users); did you mean 'ann.lee@acme.example'?",
      "pools.yaml:4 pools[0].members[1].user: no user with username or email 'nobody@acme.com' in this org: correct it, or create the user (Setup → Users)",
      "pools.yaml:4 pools[0].members[2].user: no user with username or email '005SY0000000999XXX' in this org: correct it, or create the user (Setup → Users)",
    ]);
  });

  it('a user Id that is well formed but not in the org says so', () => {
    expect(problems(`{ user: ${demoId('005', 999)} }`)).toEqual([
      `pools.yaml:4 pools[0].members[0].user: no user with Id ${demoId('005', 999)} in this org: name the person by username or email, or correct the Id`,
    ]);
  });

  it('an inactive person loads (routing passes over them) and is told, on their line', () => {
    const set = load('{ user: ann.lee@acme.example }, { user: cy@acme.com }');
    expect(set.pools.get('inbound')!.members.map((m) => m.userId)).toEqual([ANN.Id, CY.Id]);
    expect(set.people.warnings.map((w) => `${w.file}:${w.line} ${w.path}: ${w.message}`)).toEqual([
      'pools.yaml:4 pools[0].members[1].user: Cy Old (cy@acme.com) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set',
    ]);
  });

  it('an email two active users share names nobody; one of them active names that one', () => {
    const twin: UserRecord = { ...BO, Id: demoId('005', 104), Username: 'bo2@acme.example' };
    const people = new OrgPeople([ANN, BO, twin], []);
    expect(people.user('bo@acme.com')).toEqual({
      ok: false,
      message:
        '2 users have the email bo@acme.com (bo@acme.example, bo2@acme.example): name the person by username',
    });
    const retired = new OrgPeople([ANN, { ...BO, IsActive: false }, twin], []);
    expect(retired.user('bo@acme.com')).toEqual({ ok: true, id: twin.Id });
  });
});

describe('names resolved again when the org’s users change', () => {
  it('an email that moves to a new hire moves the pool to them; the set is otherwise untouched', () => {
    const set = load('{ user: ann.lee@acme.example }, { user: bo@acme.com }');
    const newBo: UserRecord = { ...BO, Id: demoId('005', 105), Username: 'bo.new@acme.example' };
    const result = rebindPeople(
      set.people.refs,
      new OrgPeople([ANN, { ...BO, IsActive: false, Email: 'bo.old@acme.com' }, newBo, CY], [INBOUND]),
    );
    expect(result.moved.map((m) => `${m.ref.written}: ${m.from} → ${m.ref.id}`)).toEqual([
      `bo@acme.com: ${BO.Id} → ${newBo.Id}`,
      `bo@acme.com: ${BO.Id} → ${newBo.Id}`,
    ]);
    expect(result.problems).toEqual([]);
    expect(set.pools.get('inbound')!.members.map((m) => m.userId)).toEqual([ANN.Id, newBo.Id]);
    expect(set.territories.get('regions')!.rows[0]!.assign).toEqual({ user: newBo.Id });
  });

  it('a name that names nobody any more keeps its last Id and is reported; a deactivation is told', () => {
    const set = load('{ user: ann.lee@acme.example }, { user: bo@acme.com }');
    const result = rebindPeople(
      set.people.refs,
      new OrgPeople(
        [
          { ...ANN, Username: 'ann@acme.example' },
          { ...BO, IsActive: false },
        ],
        [INBOUND],
      ),
    );
    expect(result.moved).toEqual([]);
    expect(result.problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`)).toEqual([
      "pools.yaml:4 pools[0].members[0].user: no user with username or email 'ann.lee@acme.example' in this org: correct it, or create the user (Setup → Users); did you mean 'ann@acme.example'?",
      'pools.yaml:4 pools[0].members[1].user: Bo Stone (bo@acme.com) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set',
      'territories.yaml:4 territories[0].rows[0].assign.user: Bo Stone (bo@acme.com) is inactive: routing passes over them; reactivate the user (Setup → Users) or take them out of the routing set',
    ]);
    expect(set.pools.get('inbound')!.members.map((m) => m.userId)).toEqual([ANN.Id, BO.Id]);
  });
});
