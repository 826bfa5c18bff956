import { Router } from 'express';
import { z } from 'zod';
import { JOBS, type JobStatus } from '../../jobs/scheduled-jobs.js';
import { actorOf, assertAdmin } from '../access.js';
import type { AppDeps, JobsPort } from '../app-context.js';
import { ApiError, NotFoundError } from '../http.errors.js';
import { parseRequest, strictBody } from '../validation.js';
import { personName } from '../views.js';

const jobParams = z.object({ job: z.string().max(100) });
const runBody = strictBody({ dryRun: z.boolean({ error: 'must be true or false' }).optional() });

function jobsOf(deps: AppDeps): JobsPort {
  if (!deps.jobs) {
    throw new ApiError(
      'UPSTREAM_UNAVAILABLE',
      'The job scheduler is not running in this companion.',
      'Start the companion with npm start, which runs the scheduler, and try again.',
    );
  }
  return deps.jobs;
}

/** The job of the path, or a 404 naming the jobs there are. */
function jobNamed(name: string): string {
  if (!JOBS.some((j) => j.name === name)) {
    throw new NotFoundError(
      `There is no scheduled job named '${name}'.`,
      `Use one of: ${JOBS.map((j) => j.name).join(', ')} (GET /v1/jobs lists them).`,
    );
  }
  return name;
}

/** A job as an admin reads it: who started each run and who paused it named, beside their Ids. */
function named(deps: AppDeps, job: JobStatus) {
  const name = (id: string | null) => personName(deps.routing.org.directory, id);
  return {
    ...job,
    pauseChange: job.pauseChange && { ...job.pauseChange, changedByName: name(job.pauseChange.changedBy) },
    runs: job.runs.map((run) => ({ ...run, startedByName: name(run.startedBy) })),
  };
}

/**
 * /v1/jobs: the scheduled jobs an admin sees (schedule, next run, the newest runs with what each did),
 * runs now (for real or as a dry run) and pauses or resumes.
 */
export function jobsRoute(deps: AppDeps): Router {
  const router = Router();

  router.get('/jobs', async (_req, res) => {
    assertAdmin(actorOf(res), 'Seeing the scheduled jobs');
    res.json({ items: (await jobsOf(deps).list()).map((job) => named(deps, job)) });
  });

  router.post('/jobs/:job/run', async (req, res) => {
    const { params, body } = parseRequest(req, { params: jobParams, body: runBody });
    assertAdmin(actorOf(res), 'Running a scheduled job');
    const job = jobNamed(params.job);
    const run = await jobsOf(deps).runNow(job, { dryRun: body.dryRun ?? false, startedBy: actorOf(res).id });
    res.json({ ...run, dryRun: body.dryRun ?? false });
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(`/jobs/:job/${action}`, async (req, res) => {
      const { params } = parseRequest(req, { params: jobParams, body: strictBody({}) });
      assertAdmin(actorOf(res), paused ? 'Pausing a scheduled job' : 'Resuming a scheduled job');
      const job = jobNamed(params.job);
      const jobs = jobsOf(deps);
      await jobs.setPaused(job, paused, actorOf(res).id);
      res.json(
        named(
          deps,
          (await jobs.list()).find((j) => j.name === job)!,
        ),
      );
    });
  }

  return router;
}
