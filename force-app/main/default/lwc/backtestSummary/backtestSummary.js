import { LightningElement, api } from 'lwc';
import getLastBacktest from '@salesforce/apex/SwitchyardController.getLastBacktest';
import publishBacktest from '@salesforce/apex/SwitchyardController.publishBacktest';
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
import PUBLISH from '@salesforce/label/c.Switchyard_Admin_Publish_Backtest';
import PUBLISH_TITLE from '@salesforce/label/c.Switchyard_Admin_Publish_Title';
import PUBLISH_EXPLAIN from '@salesforce/label/c.Switchyard_Admin_Publish_Explain';
import PUBLISH_REASON from '@salesforce/label/c.Switchyard_Admin_Publish_Reason';
import PUBLISH_REASON_MISSING from '@salesforce/label/c.Switchyard_Admin_Publish_Reason_Missing';
import PUBLISH_CONFIRM from '@salesforce/label/c.Switchyard_Admin_Publish_Confirm';
import PUBLISH_ERROR from '@salesforce/label/c.Switchyard_Admin_Publish_Error';
import PUBLISH_DONE from '@salesforce/label/c.Switchyard_Admin_Publish_Done';
import PUBLISH_UNCHANGED from '@salesforce/label/c.Switchyard_Admin_Publish_Unchanged';
import PUBLISH_DONE_TITLE from '@salesforce/label/c.Switchyard_Admin_Publish_Done_Title';
import NOT_KEPT from '@salesforce/label/c.Switchyard_Admin_Publish_Not_Kept';
import CANCEL from '@salesforce/label/c.Switchyard_Cancel';
import { formatDateTime, formatLabel } from 'c/switchyardService';
import { readInto, toastChange } from 'c/adminPanel';

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
  PUBLISH,
  PUBLISH_TITLE,
  PUBLISH_REASON,
  PUBLISH_REASON_MISSING,
  PUBLISH_CONFIRM,
  PUBLISH_ERROR,
  NOT_KEPT,
  CANCEL,
};

/** How many owner moves and owners the page lists; the CLI's --csv has every lead. */
const SHOWN = 10;

/**
 * The last backtest of a candidate on the admin page, as the companion keeps it: who ran it, when,
 * against which live version, over what; how many leads would change owner, from whom to whom, the load
 * per owner, leads with no owner and conversions; and whether the live version holds the candidate now
 * or has moved on since (then the backtest says nothing about publishing over it). While it is still
 * the version it ran against, the candidate is published from here, with a reason; a publish fires
 * `published` so the page reads the versions again.
 */
export default class BacktestSummary extends LightningElement {
  label = LABEL;

  answer;
  error;
  confirming = false;
  publishReason = '';
  publishError;
  busy = false;

  connectedCallback() {
    this.refresh();
  }

  /** Reads it again (the page's Refresh). */
  @api
  refresh() {
    return readInto(this, 'answer', getLastBacktest);
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

  get notKept() {
    return !this.published && !this.stale && this.backtest.candidateKept === false;
  }

  /** Only a candidate compared with the live version: over any other the companion refuses it anyway. */
  get canPublish() {
    return !this.published && !this.stale && this.backtest.candidateKept === true && !this.confirming;
  }

  get publishExplain() {
    const base = this.backtest.liveVersion;
    return formatLabel(PUBLISH_EXPLAIN, base, base + 1);
  }

  handlePublishStart() {
    this.confirming = true;
    this.publishReason = '';
    this.publishError = undefined;
    // The confirmation opens in place; focus goes into it so a keyboard user lands there.
    Promise.resolve().then(() => {
      const reason = this.template.querySelector('.publish-reason');
      if (reason) {
        reason.focus();
      }
    });
  }

  handleReasonInput(event) {
    this.publishReason = event.target.value;
  }

  handlePublishKeydown(event) {
    if (event.key === 'Escape') {
      this.handlePublishCancel();
    }
  }

  handlePublishCancel() {
    this.confirming = false;
    this.publishError = undefined;
    Promise.resolve().then(() => {
      const button = this.template.querySelector('.publish-start');
      if (button) {
        button.focus();
      }
    });
  }

  async handlePublishConfirm() {
    const reason = this.publishReason.trim();
    if (!reason) {
      // The field says what is missing, in the words of its message-when-value-missing.
      this.template.querySelector('.publish-reason').reportValidity();
      return;
    }
    this.busy = true;
    this.publishError = undefined;
    try {
      const change = await publishBacktest({ backtestId: this.backtest.id, reason });
      this.confirming = false;
      toastChange(this, {
        title: PUBLISH_DONE_TITLE,
        answer: change,
        stored: PUBLISH_DONE,
        unchanged: PUBLISH_UNCHANGED,
      });
      this.dispatchEvent(new CustomEvent('published', { detail: { version: change.version } }));
      await this.refresh();
    } catch (error) {
      // The companion's words stay in the confirmation: a conflict names the version stored since.
      this.publishError = error;
    } finally {
      this.busy = false;
    }
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
