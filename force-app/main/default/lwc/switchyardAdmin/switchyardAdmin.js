import { LightningElement } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getAdminAccess from '@salesforce/apex/SwitchyardController.getAdminAccess';
import getRoutingVersions from '@salesforce/apex/SwitchyardController.getRoutingVersions';
import getLiveRouting from '@salesforce/apex/SwitchyardController.getLiveRouting';
import rollbackRouting from '@salesforce/apex/SwitchyardController.rollbackRouting';
import getFlowPicture from '@salesforce/apex/SwitchyardController.getFlowPicture';
import getJobs from '@salesforce/apex/SwitchyardController.getJobs';
import runJob from '@salesforce/apex/SwitchyardController.runJob';
import setJobPaused from '@salesforce/apex/SwitchyardController.setJobPaused';
import TITLE from '@salesforce/label/c.Switchyard_Admin_Title';
import LOADING from '@salesforce/label/c.Switchyard_Admin_Loading';
import NOT_ADMIN from '@salesforce/label/c.Switchyard_Admin_Not_Admin';
import REFRESH from '@salesforce/label/c.Switchyard_Admin_Refresh';
import VERSIONS_TITLE from '@salesforce/label/c.Switchyard_Admin_Versions_Title';
import VERSIONS_ERROR from '@salesforce/label/c.Switchyard_Admin_Versions_Error';
import VERSIONS_EMPTY from '@salesforce/label/c.Switchyard_Admin_Versions_Empty';
import LIVE_VERSION from '@salesforce/label/c.Switchyard_Admin_Live_Version';
import COLUMN_VERSION from '@salesforce/label/c.Switchyard_Admin_Column_Version';
import COLUMN_WHEN from '@salesforce/label/c.Switchyard_Admin_Column_When';
import COLUMN_WHO from '@salesforce/label/c.Switchyard_Admin_Column_Who';
import COLUMN_WHY from '@salesforce/label/c.Switchyard_Admin_Column_Why';
import COLUMN_WHAT from '@salesforce/label/c.Switchyard_Admin_Column_What';
import COLUMN_ACTIONS from '@salesforce/label/c.Switchyard_Admin_Column_Actions';
import ACTION_PUBLISH from '@salesforce/label/c.Switchyard_Admin_Action_Publish';
import ACTION_IMPORT from '@salesforce/label/c.Switchyard_Admin_Action_Import';
import ACTION_ROLLBACK from '@salesforce/label/c.Switchyard_Admin_Action_Rollback';
import ACTION_FIRST_START from '@salesforce/label/c.Switchyard_Admin_Action_First_Start';
import ACTION_POOL from '@salesforce/label/c.Switchyard_Admin_Action_Pool';
import BACKTEST_TITLE from '@salesforce/label/c.Switchyard_Admin_Backtest_Title';
import ACTION_TERRITORY from '@salesforce/label/c.Switchyard_Admin_Action_Territory';
import CHANGE_ADDED from '@salesforce/label/c.Switchyard_Admin_Change_Added';
import CHANGE_REMOVED from '@salesforce/label/c.Switchyard_Admin_Change_Removed';
import CHANGE_CHANGED from '@salesforce/label/c.Switchyard_Admin_Change_Changed';
import NO_CHANGES from '@salesforce/label/c.Switchyard_Admin_No_Changes';
import SHOW_DIFF from '@salesforce/label/c.Switchyard_Admin_Show_Diff';
import HIDE_DIFF from '@salesforce/label/c.Switchyard_Admin_Hide_Diff';
import DIFF_SHORT from '@salesforce/label/c.Switchyard_Admin_Diff_Short';
import HIDE_DIFF_SHORT from '@salesforce/label/c.Switchyard_Admin_Hide_Diff_Short';
import LIVE from '@salesforce/label/c.Switchyard_Admin_Live';
import ROLLBACK from '@salesforce/label/c.Switchyard_Admin_Rollback';
import ROLLBACK_TO from '@salesforce/label/c.Switchyard_Admin_Rollback_To';
import ROLLBACK_TITLE from '@salesforce/label/c.Switchyard_Admin_Rollback_Title';
import ROLLBACK_EXPLAIN from '@salesforce/label/c.Switchyard_Admin_Rollback_Explain';
import ROLLBACK_REASON from '@salesforce/label/c.Switchyard_Admin_Rollback_Reason';
import ROLLBACK_REASON_MISSING from '@salesforce/label/c.Switchyard_Admin_Rollback_Reason_Missing';
import ROLLBACK_CONFIRM from '@salesforce/label/c.Switchyard_Admin_Rollback_Confirm';
import ROLLBACK_ERROR from '@salesforce/label/c.Switchyard_Admin_Rollback_Error';
import ROLLBACK_DONE from '@salesforce/label/c.Switchyard_Admin_Rollback_Done';
import ROLLBACK_DONE_TITLE from '@salesforce/label/c.Switchyard_Admin_Rollback_Done_Title';
import FLOWS_TITLE from '@salesforce/label/c.Switchyard_Admin_Flows_Title';
import FLOWS_NOTE from '@salesforce/label/c.Switchyard_Admin_Flows_Note';
import FLOWS_ERROR from '@salesforce/label/c.Switchyard_Admin_Flows_Error';
import PICTURE_ERROR from '@salesforce/label/c.Switchyard_Admin_Picture_Error';
import PICTURE_ALT from '@salesforce/label/c.Switchyard_Admin_Picture_Alt';
import POOLS_TITLE from '@salesforce/label/c.Switchyard_Admin_Pools_Title';
import JOBS_TITLE from '@salesforce/label/c.Switchyard_Admin_Jobs_Title';
import JOBS_ERROR from '@salesforce/label/c.Switchyard_Admin_Jobs_Error';
import JOBS_EMPTY from '@salesforce/label/c.Switchyard_Admin_Jobs_Empty';
import COLUMN_JOB from '@salesforce/label/c.Switchyard_Admin_Column_Job';
import COLUMN_SCHEDULE from '@salesforce/label/c.Switchyard_Admin_Column_Schedule';
import COLUMN_NEXT_RUN from '@salesforce/label/c.Switchyard_Admin_Column_Next_Run';
import COLUMN_LAST_RUN from '@salesforce/label/c.Switchyard_Admin_Column_Last_Run';
import PAUSED from '@salesforce/label/c.Switchyard_Admin_Paused';
import PAUSED_BY from '@salesforce/label/c.Switchyard_Admin_Paused_By';
import NEVER_RUN from '@salesforce/label/c.Switchyard_Admin_Never_Run';
import RUN_SUMMARY from '@salesforce/label/c.Switchyard_Admin_Run_Summary';
import RUN_DRY from '@salesforce/label/c.Switchyard_Admin_Run_Dry';
import RUN_RUNNING from '@salesforce/label/c.Switchyard_Admin_Run_Running';
import RUN_FAILED from '@salesforce/label/c.Switchyard_Admin_Run_Failed';
import RUN_BY from '@salesforce/label/c.Switchyard_Admin_Run_By';
import BY_SCHEDULE from '@salesforce/label/c.Switchyard_Admin_By_Schedule';
import DRY_RUN from '@salesforce/label/c.Switchyard_Admin_Dry_Run';
import DRY_RUN_JOB from '@salesforce/label/c.Switchyard_Admin_Dry_Run_Job';
import RUN_NOW from '@salesforce/label/c.Switchyard_Admin_Run_Now';
import RUN_NOW_JOB from '@salesforce/label/c.Switchyard_Admin_Run_Now_Job';
import PAUSE from '@salesforce/label/c.Switchyard_Admin_Pause';
import PAUSE_JOB from '@salesforce/label/c.Switchyard_Admin_Pause_Job';
import RESUME from '@salesforce/label/c.Switchyard_Admin_Resume';
import RESUME_JOB from '@salesforce/label/c.Switchyard_Admin_Resume_Job';
import JOB_ERROR from '@salesforce/label/c.Switchyard_Admin_Job_Error';
import RUN_DONE_TITLE from '@salesforce/label/c.Switchyard_Admin_Run_Done_Title';
import DRY_DONE_TITLE from '@salesforce/label/c.Switchyard_Admin_Dry_Done_Title';
import RUN_DONE from '@salesforce/label/c.Switchyard_Admin_Run_Done';
import DRY_DONE from '@salesforce/label/c.Switchyard_Admin_Dry_Done';
import DIFF_OF from '@salesforce/label/c.Switchyard_Admin_Diff_Of';

import CANCEL from '@salesforce/label/c.Switchyard_Cancel';
import { formatDateTime, formatLabel } from 'c/switchyardService';

const LABEL = {
  CANCEL,
  TITLE,
  LOADING,
  NOT_ADMIN,
  REFRESH,
  VERSIONS_TITLE,
  VERSIONS_ERROR,
  VERSIONS_EMPTY,
  LIVE_VERSION,
  COLUMN_VERSION,
  COLUMN_WHEN,
  COLUMN_WHO,
  COLUMN_WHY,
  COLUMN_WHAT,
  COLUMN_ACTIONS,
  ACTION_PUBLISH,
  ACTION_IMPORT,
  ACTION_ROLLBACK,
  ACTION_FIRST_START,
  ACTION_POOL,
  ACTION_TERRITORY,
  BACKTEST_TITLE,
  CHANGE_ADDED,
  CHANGE_REMOVED,
  CHANGE_CHANGED,
  NO_CHANGES,
  SHOW_DIFF,
  HIDE_DIFF,
  DIFF_SHORT,
  HIDE_DIFF_SHORT,
  LIVE,
  ROLLBACK,
  ROLLBACK_TO,
  ROLLBACK_TITLE,
  ROLLBACK_EXPLAIN,
  ROLLBACK_REASON,
  ROLLBACK_REASON_MISSING,
  ROLLBACK_CONFIRM,
  ROLLBACK_ERROR,
  ROLLBACK_DONE,
  ROLLBACK_DONE_TITLE,
  FLOWS_TITLE,
  FLOWS_NOTE,
  FLOWS_ERROR,
  PICTURE_ERROR,
  PICTURE_ALT,
  POOLS_TITLE,
  JOBS_TITLE,
  JOBS_ERROR,
  JOBS_EMPTY,
  COLUMN_JOB,
  COLUMN_SCHEDULE,
  COLUMN_NEXT_RUN,
  COLUMN_LAST_RUN,
  PAUSED,
  PAUSED_BY,
  NEVER_RUN,
  RUN_SUMMARY,
  RUN_DRY,
  RUN_RUNNING,
  RUN_FAILED,
  RUN_BY,
  BY_SCHEDULE,
  DRY_RUN,
  DRY_RUN_JOB,
  RUN_NOW,
  RUN_NOW_JOB,
  PAUSE,
  PAUSE_JOB,
  RESUME,
  RESUME_JOB,
  JOB_ERROR,
  RUN_DONE_TITLE,
  DRY_DONE_TITLE,
  RUN_DONE,
  DRY_DONE,
  DIFF_OF,
};

/** How many versions the page lists. */
const VERSIONS_SHOWN = 20;
/** The days of decisions each flow picture counts leads over. */
const PICTURE_DAYS = 30;
/** A flow file names its flow on a line of its own (companion/flows/*.flow.yaml). */
const FLOW_LINE = /^flow:\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*$/m;
/** The routing set's files that hold pools and territories rather than flows. */
const PEOPLE_FILES = /^(pools|territories)\.ya?ml$/;
const ACTIONS = {
  publish: ACTION_PUBLISH,
  import: ACTION_IMPORT,
  'first-start': ACTION_FIRST_START,
  'pool-change': ACTION_POOL,
  'territory-change': ACTION_TERRITORY,
};
const CHANGES = { added: CHANGE_ADDED, removed: CHANGE_REMOVED };

/** The picture as an image source: an <img> shows SVG without running anything in it. */
const svgSource = (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/**
 * The Switchyard admin page (a Lightning app page): the last backtest of a candidate, published from
 * there with a reason (c-backtest-summary); the routing set's versions with who, when, why and
 * what changed, and a rollback with a reason; each live flow as a picture with the leads per edge over
 * the last 30 days; the pools and territory tables to change (c-pool-tables, c-territory-tables); the scheduled jobs with their runs, run now (dry
 * or for real), pause and resume. Only for holders of the Switchyard_Admin custom permission (checked
 * again in Apex and by the companion).
 */
export default class SwitchyardAdmin extends LightningElement {
  label = LABEL;

  access;
  accessError;
  versions;
  versionsError;
  live;
  liveError;
  pictures = {};
  jobs;
  jobsError;
  jobError;
  /** Versions whose diff is open. */
  openDiffs = new Set();
  /** The version a rollback is being confirmed for, or null. */
  rollbackTo = null;
  rollbackReason = '';
  rollbackError;
  busy = false;
  /** The job a button is working on. */
  jobBusy = null;

  connectedCallback() {
    this.load();
  }

  async load() {
    try {
      this.access = await getAdminAccess();
    } catch (error) {
      this.accessError = error;
      return;
    }
    if (this.access) {
      await Promise.all([this.loadVersions(), this.loadLive(), this.loadJobs()]);
    }
  }

  async loadVersions() {
    try {
      this.versions = await getRoutingVersions({ maxItems: VERSIONS_SHOWN });
      this.versionsError = undefined;
    } catch (error) {
      this.versionsError = error;
    }
  }

  async loadLive() {
    try {
      this.live = await getLiveRouting();
      this.liveError = undefined;
    } catch (error) {
      this.liveError = error;
      return;
    }
    const pictures = {};
    await Promise.all(
      this.flowNames.map(async (flowName) => {
        try {
          pictures[flowName] = { svg: await getFlowPicture({ flowName, days: PICTURE_DAYS }) };
        } catch (error) {
          pictures[flowName] = { error };
        }
      }),
    );
    this.pictures = pictures;
  }

  async loadJobs() {
    try {
      this.jobs = await getJobs();
      this.jobsError = undefined;
    } catch (error) {
      this.jobsError = error;
    }
  }

  handleRefresh() {
    this.load();
    this.refreshPeople();
  }

  /** The pools, territory tables and last backtest read again (after a rollback, or on Refresh). */
  refreshPeople() {
    for (const child of this.template.querySelectorAll(
      'c-pool-tables, c-territory-tables, c-backtest-summary',
    )) {
      child.refresh();
    }
  }

  /** A pool or territory row was changed: the versions list shows the new version. */
  handleRoutingChange() {
    return Promise.all([this.loadVersions(), this.loadLive()]);
  }

  /**
   * The last backtest's candidate was published (c-backtest-summary, which reads itself again): the
   * versions list, the flows and the pools and territories it holds are read again.
   */
  handlePublished() {
    for (const child of this.template.querySelectorAll('c-pool-tables, c-territory-tables')) {
      child.refresh();
    }
    return this.handleRoutingChange();
  }

  get loading() {
    return this.access === undefined && !this.accessError;
  }

  get notAdmin() {
    return this.access === false;
  }

  get isAdmin() {
    return this.access === true;
  }

  get liveVersion() {
    return this.versions ? this.versions.live : null;
  }

  get liveVersionText() {
    return formatLabel(LIVE_VERSION, this.liveVersion);
  }

  get hasVersions() {
    return Boolean(this.versions && this.versions.items && this.versions.items.length);
  }

  get versionsEmpty() {
    return Boolean(this.versions) && !this.hasVersions;
  }

  get versionRows() {
    if (!this.hasVersions) {
      return [];
    }
    return this.versions.items.map((v) => {
      const isLive = v.version === this.liveVersion;
      const open = this.openDiffs.has(v.version);
      const changes = v.changes || [];
      return {
        key: String(v.version),
        version: v.version,
        when: formatDateTime(v.createdAt),
        who: v.author ? v.author.name : '',
        why: v.reason,
        what:
          v.action === 'rollback'
            ? formatLabel(ACTION_ROLLBACK, v.rolledBackTo)
            : ACTIONS[v.action] || v.action,
        changes: changes.length
          ? changes.map((c, i) => ({
              key: `${v.version}-${i}`,
              text: CHANGES[c.change]
                ? formatLabel(CHANGES[c.change], c.file)
                : formatLabel(CHANGE_CHANGED, c.file, c.added, c.removed),
            }))
          : [{ key: `${v.version}-none`, text: NO_CHANGES }],
        hasDiff: changes.some((c) => c.diff),
        open,
        expanded: open ? 'true' : 'false',
        diffKey: `${v.version}-diff`,
        confirmKey: `${v.version}-confirm`,
        diffs: open
          ? changes
              .filter((c) => c.diff)
              .map((c, i) => ({
                key: `${v.version}-diff-${i}`,
                file: c.file,
                region: formatLabel(DIFF_OF, c.file),
                lines: c.diff.split('\n').map((line, n) => ({
                  key: `${v.version}-${i}-${n}`,
                  text: line,
                  className: line.startsWith('+')
                    ? 'diff-line diff-added'
                    : line.startsWith('-')
                      ? 'diff-line diff-removed'
                      : 'diff-line',
                })),
              }))
          : [],
        diffButton: open ? HIDE_DIFF_SHORT : DIFF_SHORT,
        diffTitle: formatLabel(open ? HIDE_DIFF : SHOW_DIFF, v.version),
        isLive,
        canRollBack: !isLive,
        rollbackTitle: formatLabel(ROLLBACK_TO, v.version),
        confirming: this.rollbackTo === v.version,
      };
    });
  }

  handleToggleDiff(event) {
    const version = Number(event.currentTarget.dataset.version);
    const open = new Set(this.openDiffs);
    if (open.has(version)) {
      open.delete(version);
    } else {
      open.add(version);
    }
    this.openDiffs = open;
  }

  handleRollbackStart(event) {
    this.rollbackTo = Number(event.currentTarget.dataset.version);
    this.rollbackReason = '';
    this.rollbackError = undefined;
    // The confirmation renders under the row; focus goes into it so a keyboard user lands there.
    Promise.resolve().then(() => {
      const reason = this.template.querySelector('.rollback-reason');
      if (reason) {
        reason.focus();
      }
    });
  }

  get rollbackHeading() {
    return formatLabel(ROLLBACK_TITLE, this.rollbackTo);
  }

  get rollbackExplain() {
    return formatLabel(ROLLBACK_EXPLAIN, this.rollbackTo, this.liveVersion);
  }

  handleReasonInput(event) {
    this.rollbackReason = event.target.value;
  }

  handleRollbackKeydown(event) {
    if (event.key === 'Escape') {
      this.handleRollbackCancel();
    }
  }

  handleRollbackCancel() {
    const version = this.rollbackTo;
    this.rollbackTo = null;
    this.rollbackError = undefined;
    Promise.resolve().then(() => {
      const button = this.template.querySelector(`.rollback-start[data-version="${version}"]`);
      if (button) {
        button.focus();
      }
    });
  }

  async handleRollbackConfirm() {
    const reason = this.rollbackReason.trim();
    if (!reason) {
      // The field says what is missing, in the words of its message-when-value-missing.
      this.template.querySelector('.rollback-reason').reportValidity();
      return;
    }
    this.busy = true;
    this.rollbackError = undefined;
    const to = this.rollbackTo;
    try {
      const change = await rollbackRouting({ version: to, reason, baseVersion: this.liveVersion });
      this.rollbackTo = null;
      this.dispatchEvent(
        new ShowToastEvent({
          title: ROLLBACK_DONE_TITLE,
          message: formatLabel(ROLLBACK_DONE, to, change.version),
          variant: 'success',
        }),
      );
      await Promise.all([this.loadVersions(), this.loadLive()]);
      this.refreshPeople();
    } catch (error) {
      this.rollbackError = error;
    } finally {
      this.busy = false;
    }
  }

  get flowNames() {
    const files = (this.live && this.live.files) || [];
    const names = [];
    for (const file of files) {
      const match = FLOW_LINE.exec(file.text || '');
      if (match && !PEOPLE_FILES.test(file.name)) {
        names.push(match[1]);
      }
    }
    return names.sort();
  }

  get flowsNote() {
    return formatLabel(FLOWS_NOTE, PICTURE_DAYS);
  }

  get flows() {
    return this.flowNames.map((name) => {
      const picture = this.pictures[name] || {};
      return {
        key: name,
        name,
        src: picture.svg ? svgSource(picture.svg) : '',
        alt: formatLabel(PICTURE_ALT, name, PICTURE_DAYS),
        error: picture.error,
        loading: !picture.svg && !picture.error,
      };
    });
  }

  get hasJobs() {
    return Boolean(this.jobs && this.jobs.items && this.jobs.items.length);
  }

  get jobsEmpty() {
    return Boolean(this.jobs) && !this.hasJobs;
  }

  get jobRows() {
    if (!this.hasJobs) {
      return [];
    }
    return this.jobs.items.map((job) => {
      const last = (job.runs || [])[0];
      const busy = this.jobBusy === job.name;
      return {
        key: job.name,
        name: job.name,
        description: job.description,
        cron: job.cron,
        paused: job.paused,
        pausedText: job.paused ? 'true' : 'false',
        pausedBy:
          job.paused && job.pauseChange
            ? formatLabel(PAUSED_BY, job.pauseChange.changedBy, formatDateTime(job.pauseChange.changedAt))
            : '',
        nextRun: job.paused ? '' : formatDateTime(job.nextRunAt),
        lastRun: last ? this.runText(last) : NEVER_RUN,
        lastRunBy: last ? (last.startedBy ? formatLabel(RUN_BY, last.startedBy) : BY_SCHEDULE) : '',
        lastRunDry: Boolean(last && last.dryRun),
        dryTitle: formatLabel(DRY_RUN_JOB, job.name),
        runTitle: formatLabel(RUN_NOW_JOB, job.name),
        pauseLabel: job.paused ? RESUME : PAUSE,
        pauseTitle: formatLabel(job.paused ? RESUME_JOB : PAUSE_JOB, job.name),
        pauseIcon: job.paused ? 'utility:play' : 'utility:pause',
        disabled: this.jobBusy !== null,
        busy,
      };
    });
  }

  runText(run) {
    const when = formatDateTime(run.startedAt);
    if (run.error) {
      return formatLabel(RUN_FAILED, when, run.error);
    }
    if (!run.finishedAt) {
      return formatLabel(RUN_RUNNING, when);
    }
    return formatLabel(
      RUN_SUMMARY,
      when,
      run.candidates ?? 0,
      run.moved ?? 0,
      run.failed ?? 0,
      run.apiCalls ?? 0,
    );
  }

  async handleRunJob(event) {
    const jobName = event.currentTarget.dataset.job;
    const dryRun = event.currentTarget.dataset.dry === 'true';
    await this.jobAction(jobName, async () => {
      const run = await runJob({ jobName, dryRun });
      this.dispatchEvent(
        new ShowToastEvent({
          title: formatLabel(dryRun ? DRY_DONE_TITLE : RUN_DONE_TITLE, jobName),
          message: dryRun
            ? formatLabel(DRY_DONE, run.candidates ?? 0, run.moved ?? 0)
            : formatLabel(RUN_DONE, run.candidates ?? 0, run.moved ?? 0, run.failed ?? 0),
          variant: run.failed ? 'warning' : 'success',
        }),
      );
    });
  }

  async handlePauseJob(event) {
    const jobName = event.currentTarget.dataset.job;
    const paused = event.currentTarget.dataset.paused !== 'true';
    await this.jobAction(jobName, () => setJobPaused({ jobName, paused }));
  }

  async jobAction(jobName, action) {
    this.jobBusy = jobName;
    this.jobError = undefined;
    try {
      await action();
    } catch (error) {
      this.jobError = error;
    } finally {
      this.jobBusy = null;
    }
    await this.loadJobs();
  }
}
