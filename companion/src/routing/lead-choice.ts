import type { CrmPort, LeadFilter } from '../crm/crm.port.js';
import { countryCode, normalizeName, sameState } from '../engine/distribution/countries.js';
import { findTerritory, rowTakesCountry } from '../engine/distribution/territory.js';
import type { TerritoryRow } from '../engine/distribution/distribution.types.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { WhatIfInputError } from './routing.errors.js';
import { describeRow } from './territory-changes.js';
import { BACKTEST_MAX_LEADS } from './what-if.js';

/** Which open leads a reassignment takes, by what they have in common (every criterion given must hold). */
export interface LeadsFilter {
  /** Owned by this user or queue. */
  ownerId?: string;
  /** In one of these statuses (the Lead Status picklist's values). */
  statuses?: string[];
  /** In one of these countries, each an ISO code or a name: it takes every spelling the org's leads use. */
  countries?: string[];
  /**
   * In one of these states or provinces: a US state, Canadian province or Australian state by its
   * code or name takes every spelling the org's leads use (CA: CA, California); others compare
   * without regard to case, accents or punctuation.
   */
  states?: string[];
  /** With one of these Lead Source values. */
  leadSources?: string[];
  /** Created on or after this day (YYYY-MM-DD, from its start in UTC) or instant (ISO 8601). */
  createdSince?: string;
  /** Created before this day (YYYY-MM-DD, before its start in UTC) or instant. */
  createdBefore?: string;
}

/** The one way a reassignment chooses its leads. */
export interface LeadChoice {
  /** The open leads this user or queue owns… */
  ownerId?: string;
  /** …or exactly these leads… */
  leadIds?: string[];
  /** …or the open leads the members of this pool own… */
  pool?: string;
  /** …or the open leads a territory table's row (counted from 1) takes now… */
  territory?: { table: string; row: number };
  /** …or the open leads the filter lets through. */
  filter?: LeadsFilter;
}

export interface ChosenLeads {
  /** Lead Ids, ascending: the order a reassignment and its dry run take them in. */
  ids: string[];
  /** The choice in words, for the report. */
  chosen: string;
}

type ChoiceCrm = Pick<CrmPort, 'findLeads' | 'getLeadContexts' | 'leadValues' | 'leadStatuses'>;

/** The ways of choosing leads, of which a reassignment takes exactly one. */
export const LEAD_CHOICES = ['ownerId', 'leadIds', 'pool', 'territory', 'filter'] as const;
/** The most values one filter criterion lists. */
export const FILTER_MAX_VALUES = 1000;
/** Leads read per call when a territory's rows are checked against them. */
const READ_CHUNK = 200;

/** Throws unless exactly one way of choosing is given. */
export function checkOneWay(choice: LeadChoice): void {
  const given = LEAD_CHOICES.filter((way) => choice[way] !== undefined);
  if (given.length !== 1) {
    throw new WhatIfInputError(
      `Choose the leads one way: an owner, lead Ids, a pool, a territory row or a filter${given.length > 1 ? ` (${given.join(', ')} were given together)` : ''}.`,
    );
  }
}

/**
 * The lead Ids a choice stands for now, with the choice in words. A reassignment and its dry run both
 * ask this, so they take the same leads in the same order.
 */
export async function chooseLeads(crm: ChoiceCrm, set: RoutingSet, choice: LeadChoice): Promise<ChosenLeads> {
  checkOneWay(choice);
  let found: ChosenLeads;
  if (choice.leadIds !== undefined) {
    found = { ids: choice.leadIds, chosen: `${choice.leadIds.length} leads given by Id` };
  } else if (choice.ownerId !== undefined) {
    found = {
      ids: await crm.findLeads({ ownerId: choice.ownerId }),
      chosen: `the open leads of ${choice.ownerId}`,
    };
  } else if (choice.pool !== undefined) {
    found = await poolLeads(crm, set, choice.pool);
  } else if (choice.territory !== undefined) {
    found = await territoryLeads(crm, set, choice.territory);
  } else {
    found = await filteredLeads(crm, choice.filter!);
  }
  const ids = [...new Set(found.ids)].sort();
  if (ids.length > BACKTEST_MAX_LEADS) {
    throw new WhatIfInputError(
      `${ids.length} leads is more than the ${BACKTEST_MAX_LEADS} one run moves: narrow the choice (a filter, created before or since) or give lead Ids.`,
    );
  }
  return { ids, chosen: found.chosen };
}

async function poolLeads(crm: ChoiceCrm, set: RoutingSet, name: string): Promise<ChosenLeads> {
  const pool = set.pools.get(name);
  if (!pool) {
    throw new WhatIfInputError(
      `There is no pool '${name}' in the live routing set: use one of ${[...set.pools.keys()].join(', ') || '(none)'} (npm run cli -- pools list).`,
    );
  }
  const members = [...new Set(pool.members.map((m) => m.userId))];
  return {
    ids: members.length === 0 ? [] : await crm.findLeads({ ownerIds: members }),
    chosen: `the open leads of the ${members.length} members of pool ${name}`,
  };
}

/**
 * The open leads whose territory in the table is the row: of the rows that match a lead, the one
 * routing would pick (`findTerritory`). The org is asked only for the leads the row's criteria can
 * take (`rowFilter`), then each is read and checked.
 */
async function territoryLeads(
  crm: ChoiceCrm,
  set: RoutingSet,
  asked: { table: string; row: number },
): Promise<ChosenLeads> {
  const table = set.territories.get(asked.table);
  if (!table) {
    throw new WhatIfInputError(
      `There is no territory table '${asked.table}' in the live routing set: use one of ${[...set.territories.keys()].join(', ') || '(none)'} (npm run cli -- territories list).`,
    );
  }
  const row = table.rows[asked.row - 1];
  if (!Number.isInteger(asked.row) || !row) {
    throw new WhatIfInputError(
      `Territory table '${asked.table}' has rows 1 to ${table.rows.length}, not ${asked.row} (npm run cli -- territories list numbers them).`,
    );
  }
  const chosen = `the open leads row ${asked.row} of territory table ${asked.table} takes (${describeRow(row)})`;
  const filter = await rowFilter(crm, row);
  const none = [filter.countries, filter.states, filter.industries].some((values) => values?.length === 0);
  const candidates = none ? [] : await crm.findLeads(filter);
  const ids: string[] = [];
  for (let i = 0; i < candidates.length; i += READ_CHUNK) {
    const read = await crm.getLeadContexts(candidates.slice(i, i + READ_CHUNK));
    for (const { lead } of read.values()) {
      if (!lead.IsConverted && findTerritory(table, lead)?.row === asked.row - 1) ids.push(lead.Id);
    }
  }
  return { ids, chosen };
}

/**
 * What the org can be asked before a row's leads are read, each a criterion every lead the row takes
 * meets: the countries, states and industries of its leads the row can take (an aggregate query
 * says which values its leads use, in every spelling) and the employee band. Postal codes (prefixes
 * compared without spaces or dashes) are left to the check after reading.
 */
async function rowFilter(crm: ChoiceCrm, row: TerritoryRow): Promise<LeadFilter> {
  const filter: LeadFilter = {};
  if (row.region?.length || row.country?.length) {
    filter.countries = (await crm.leadValues('Country'))
      .map((c) => c.value)
      .filter((c) => rowTakesCountry(row, c));
  }
  if (row.state?.length) {
    filter.states = (await crm.leadValues('State'))
      .map((s) => s.value)
      .filter((spelling) => row.state!.some((state) => sameState(String(state), spelling)));
  }
  if (row.industry?.length) {
    const industries = new Set(row.industry.map((i) => normalizeName(String(i))));
    filter.industries = (await crm.leadValues('Industry'))
      .map((i) => i.value)
      .filter((spelling) => industries.has(normalizeName(spelling)));
  }
  const { min, max } = row.employees ?? {};
  if (min !== undefined || max !== undefined) filter.employees = { min, max };
  return filter;
}

/** A day (its start, UTC) or an instant, as an ISO instant to the second; anything else is refused. */
function instantOf(value: string, name: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const ms = Date.parse(day ? `${value}T00:00:00Z` : value);
  if ((!day && !instant) || Number.isNaN(ms) || (day && new Date(ms).toISOString().slice(0, 10) !== value)) {
    throw new WhatIfInputError(
      `${name} '${value}' is not a date: give a day (2026-06-30) or an instant with its zone (2026-06-30T12:00:00Z).`,
    );
  }
  // To the second, as a SOQL dateTime literal is written, so both orgs compare alike.
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

const list = (values: readonly string[]) => values.join(', ');

async function filteredLeads(crm: ChoiceCrm, asked: LeadsFilter): Promise<ChosenLeads> {
  const filter: LeadFilter = {};
  const words: string[] = [];
  if (asked.ownerId !== undefined) {
    filter.ownerId = asked.ownerId;
    words.push(`owned by ${asked.ownerId}`);
  }
  if (asked.statuses !== undefined) {
    const picklist = (await crm.leadStatuses()).filter((s) => !s.converted).map((s) => s.status);
    const byKey = new Map(picklist.map((s) => [s.toLowerCase(), s]));
    const unknown = asked.statuses.filter((s) => !byKey.has(s.toLowerCase()));
    if (unknown.length > 0) {
      throw new WhatIfInputError(
        `${unknown.map((s) => `'${s}'`).join(', ')} ${unknown.length === 1 ? 'is not a status' : 'are not statuses'} an open lead can have: use ${list(picklist)}.`,
      );
    }
    filter.statuses = asked.statuses.map((s) => byKey.get(s.toLowerCase())!);
    words.push(`status ${list(filter.statuses)}`);
  }
  if (asked.countries !== undefined) {
    const codes = asked.countries.map((c) => {
      const code = countryCode(c);
      if (!code) {
        throw new WhatIfInputError(
          `'${c}' is not a country we know: give an ISO code such as DE or US, or the country's name.`,
        );
      }
      return code;
    });
    // The org's leads may spell a country several ways (DE, Germany): each is asked for.
    filter.countries = (await crm.leadValues('Country'))
      .map((c) => c.value)
      .filter((c) => codes.includes(countryCode(c) ?? ''));
    words.push(`country ${list(asked.countries)}`);
  }
  if (asked.states !== undefined) {
    // As for countries: the org's leads may write a state several ways (CA, California); each is asked for.
    filter.states = (await crm.leadValues('State'))
      .map((s) => s.value)
      .filter((spelling) => asked.states!.some((state) => sameState(state, spelling)));
    words.push(`state ${list(asked.states)}`);
  }
  if (asked.leadSources !== undefined) {
    // Checked against the values the org's open leads have, so a misspelling is told, not a choice of
    // no leads; matched without regard to case, as SOQL compares picklist values (SOQL and SOSL
    // Reference, "Comparison Operators": "=" is case-insensitive), and asked for as the org spells them.
    const used = (await crm.leadValues('LeadSource')).map((v) => v.value);
    const byKey = new Map(used.map((s) => [s.toLowerCase(), s]));
    const unknown = asked.leadSources.filter((s) => !byKey.has(s.toLowerCase()));
    if (unknown.length > 0) {
      throw new WhatIfInputError(
        `No open lead has lead source ${unknown.map((s) => `'${s}'`).join(', ')}: ${
          used.length > 0
            ? `the open leads have ${list(used)}.`
            : 'no open lead has a lead source, so filter by something else.'
        }`,
      );
    }
    filter.leadSources = asked.leadSources.map((s) => byKey.get(s.toLowerCase())!);
    words.push(`lead source ${list(filter.leadSources)}`);
  }
  if (asked.createdSince !== undefined) {
    filter.createdSince = instantOf(asked.createdSince, 'createdSince');
    words.push(`created since ${asked.createdSince}`);
  }
  if (asked.createdBefore !== undefined) {
    filter.createdBefore = instantOf(asked.createdBefore, 'createdBefore');
    words.push(`created before ${asked.createdBefore}`);
  }
  if (words.length === 0) {
    throw new WhatIfInputError(
      'The filter is empty: give at least one of owner, status, country, state, lead source, created since or created before.',
    );
  }
  if (filter.createdSince && filter.createdBefore && filter.createdSince >= filter.createdBefore) {
    throw new WhatIfInputError(
      `createdSince ${asked.createdSince} is not before createdBefore ${asked.createdBefore}, so no lead can match: swap them or widen the range.`,
    );
  }
  return { ids: await crm.findLeads(filter), chosen: `the open leads with ${words.join('; ')}` };
}
