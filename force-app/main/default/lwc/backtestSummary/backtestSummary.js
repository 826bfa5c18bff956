import { LightningElement, api } from 'lwc';
import getLastBacktest from '@salesforce/apex/SwitchyardController.getLastBacktest';
import TITLE from '@salesforce/label/c.Switchyard_Admin_Backtest_Title';
import NONE from '@salesforce/label/c.Switchyard_Admin_Backtest_None';
import ERROR from '@salesforce/label/c.Switchyard_Admin_Backtest_Error';
import RAN from '@salesforce/label/c.Switchyard_Admin_Backtest_Ran';
import SCOPE_DAYS from '@salesforce/label/c.Switchyard_Admin_Backtest_Scope_Days';
import SCOPE_IDS from '@salesforce/label/c.Switchyard_Admin_Backtest_Scope_Ids';
import PUBLISHED from '@salesforce/label/c.Switchyard_Admin_Backtest_Published';
import NOT_PUBLISHED from '@salesforce/label/c.Switchyard_Admin_Backtest_Not_Published';
import STALE from '@salesforce/label/c.Switchyard_Admin_Backtest_Stale';
import LEADS from '@salesforce/label/c.Switchyard_Admin_Backtest_Leads';
import CHANGED from '@salesforce/label/c.Switchyard_Admin_Backtest_Changed';
import NO_OWNER from '@salesforce/label/c.Switchyard_Admin_Backtest_No_Owner';
import CONVERSIONS from '@salesforce/label/c.Switchyard_Admin_Backtest_Conversions';
import ERRORS from '@salesforce/label/c.Switchyard_Admin_Backtest_Errors';
import PAIR from '@salesforce/label/c.Switchyard_Admin_Backtest_Pair';
import MOVES from '@salesforce/label/c.Switchyard_Admin_Backtest_Moves';
import COLUMN_FROM from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_From';
import COLUMN_TO from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_To';
import COLUMN_LEADS from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_Leads';
import LOAD from '@salesforce/label/c.Switchyard_Admin_Backtest_Load';
import COLUMN_OWNER from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_Owner';
import COLUMN_LIVE from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_Live';
import COLUMN_CANDIDATE from '@salesforce/label/c.Switchyard_Admin_Backtest_Column_Candidate';
import NO_MOVES from '@salesforce/label/c.Switchyard_Admin_Backtest_No_Moves';
import LOADING from '@salesforce/label/c.Switchyard_Admin_Loading';
import { formatDateTime, formatLabel } from 'c/switchyardService';

const LABEL = {
  TITLE,
  NONE,
  ERROR,
  RAN,
  SCOPE_DAYS,
  SCOPE_IDS,
  PUBLISHED,
  NOT_PUBLISHED,
  STALE,
  LEADS,
  CHANGED,
  NO_OWNER,
  CONVERSIONS,
  ERRORS,
  PAIR,
  MOVES,
  COLUMN_FROM,
  COLUMN_TO,
  COLUMN_LEADS,
  LOAD,
  COLUMN_OWNER,
  COLUMN_LIVE,
  COLUMN_CANDIDATE,
  NO_MOVES,
  LOADING,
};

/** How many owner moves and owners the page lists; the CLI's --csv has every lead. */
const SHOWN = 10;

/**
 * The last backtest of a candidate on the admin page, as the companion keeps it: who ran it, when,
 * against which live version, over what; how many leads would change owner, from whom to whom, the load
 * per owner, leads with no owner and conversions; and whether the live version holds the candidate now
 * or has moved on since (then the backtest says nothing about publishing over it).
 */
export default class BacktestSummary extends LightningElement {
  label = LABEL;

  answer;
  error;

  connectedCallback() {
    this.refresh();
  }

  /** Reads it again (the page's Refresh). */
  @api
  async refresh() {
    try {
      this.answer = await getLastBacktest();
      this.error = undefined;
    } catch (error) {
      this.error = error;
    }
  }

  get loading() {
    return !this.answer && !this.error;
  }

  get backtest() {
    return this.answer && this.answer.backtest;
  }

  get none() {
    return Boolean(this.answer) && !this.backtest;
  }

  get ran() {
    const b = this.backtest;
    return formatLabel(RAN, b.author.name, formatDateTime(b.ranAt), b.liveVersion);
  }

  get scope() {
    const { scope } = this.backtest;
    return scope.leadIds !== null && scope.leadIds !== undefined
      ? formatLabel(SCOPE_IDS, scope.leadIds, scope.trigger)
      : formatLabel(SCOPE_DAYS, scope.days, scope.trigger);
  }

  get live() {
    return (this.answer && this.answer.live) || {};
  }

  get published() {
    return Boolean(this.live.sameAsCandidate);
  }

  get stale() {
    return (
      !this.published && this.live.version !== undefined && this.live.version !== this.backtest.liveVersion
    );
  }

  get staleText() {
    return formatLabel(STALE, this.live.version);
  }

  get figures() {
    const s = this.backtest.summary;
    const pair = (p) => formatLabel(PAIR, p.live, p.candidate);
    return [
      { key: 'leads', name: LEADS, value: String(s.leads) },
      { key: 'changed', name: CHANGED, value: String(s.ownerChanged) },
      { key: 'no-owner', name: NO_OWNER, value: pair(s.noOwner) },
      {
        key: 'conversions',
        name: CONVERSIONS,
        value: `${s.conversions.gained} / ${s.conversions.lost}`,
      },
      { key: 'errors', name: ERRORS, value: pair(s.errors) },
    ];
  }

  get moves() {
    return this.backtest.summary.moves.slice(0, SHOWN).map((m, i) => ({
      key: `move-${i}`,
      from: m.key.from,
      to: m.key.to,
      count: m.count,
    }));
  }

  get hasMoves() {
    return this.moves.length > 0;
  }

  get owners() {
    return this.backtest.summary.owners
      .slice()
      .sort((a, b) => Math.abs(b.candidate - b.live) - Math.abs(a.candidate - a.live))
      .slice(0, SHOWN)
      .map((o) => ({ key: o.owner, owner: o.owner, live: o.live, candidate: o.candidate }));
  }

  get hasOwners() {
    return this.owners.length > 0;
  }
}
