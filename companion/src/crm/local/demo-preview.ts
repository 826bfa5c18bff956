import { DEMO_USERS } from './demo-people.js';
import { DEMO_SCENARIO, SCENARIO_ACTIONS, SCENARIOS } from './demo-scenarios.js';

/** Whom "act as" offers: a rep who may re-route, one who may not, sellers, leadership and an admin. */
const ACT_AS = ['Ava Patel', 'Kara Lopez', 'Noah Fischer', 'Quinn Baker', 'Victor Hale', 'Zoe Park'];
const DEFAULT_ACTOR = 'Ava Patel';

function demoActors() {
  return ACT_AS.flatMap((name) => {
    const user = DEMO_USERS.find((u) => u.Name === name);
    return user
      ? [
          {
            id: user.Id,
            name: user.Name,
            role: user.Role__c ?? '',
            canReroute: user.HasReroutePermission === true,
          },
        ]
      : [];
  });
}

function demoSamples() {
  return {
    leads: SCENARIOS.map((s) => {
      // What the start page offers to show the rule: inbound routing, a re-route, or why nothing does.
      const shows = SCENARIO_ACTIONS[s.key];
      return {
        id: s.lead.Id,
        name: [s.lead.FirstName, s.lead.LastName].filter(Boolean).join(' '),
        company: s.lead.Company ?? '',
        rule: s.rule,
        action: shows?.trigger ?? null,
        note: shows && shows.trigger === null ? shows.note : '',
      };
    }),
    accounts: DEMO_SCENARIO.accounts.map((a) => ({
      id: a.Id,
      name: a.Name,
      note: [a.Type, [a.BillingCity, a.BillingCountry].filter(Boolean).join(', ')]
        .filter(Boolean)
        .join(' · '),
    })),
  };
}

/** What the local preview shows of the demo org: whom to act as, and sample leads and accounts to open. */
export function demoPreview() {
  return {
    actors: demoActors(),
    defaultActor: DEMO_USERS.find((u) => u.Name === DEFAULT_ACTOR)?.Id,
    samples: demoSamples(),
  };
}
