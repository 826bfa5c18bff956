import type { Config } from '../config.js';
import type { LocalOrg } from '../crm/local/local-org.js';
import { localOpenLeadsOf } from './inactive-owner.sweep.js';
import { InboundGenerator } from './inbound-generator.js';
import { LeadChangeRouter } from './lead-change.router.js';
import { startOrgJobs, type BackgroundJobsOptions, type OrgJobs } from './org-jobs.js';
import { localCandidates } from './scheduled-jobs.js';

export interface LocalJobsOptions extends BackgroundJobsOptions {
  config: Pick<Config, 'inboundRatePerMinute'>;
  org: LocalOrg;
}

export interface LocalJobs extends OrgJobs {
  router: LeadChangeRouter;
  inbound: InboundGenerator;
}

/**
 * Everything that routes without being asked, in local mode: route-on-create and route-on-update
 * from the demo org's change feed, the inbound demo stream, and the jobs every org gets (outbox
 * worker, inactive-owner sweep, scheduled clean-up jobs). Called by the composition root.
 */
export async function startLocalJobs(options: LocalJobsOptions): Promise<LocalJobs> {
  const { store, org, service, routingSet, clock } = options;
  const report = (where: string) => (error: unknown) => options.onError?.(error, where);
  const router = new LeadChangeRouter({
    feed: org.feed,
    service,
    routingSet,
    onError: report('route-on-change'),
  });
  const inbound = new InboundGenerator({
    org,
    db: store.db,
    ratePerMinute: options.config.inboundRatePerMinute,
    ...(clock ? { clock } : {}),
    onError: report('inbound'),
  });
  router.start();
  const jobs = await startOrgJobs({
    ...options,
    crm: org,
    openLeadsOf: localOpenLeadsOf(store.db),
    candidates: localCandidates(store.db),
  });
  inbound.start();
  return {
    ...jobs,
    router,
    inbound,
    async stop() {
      inbound.stop();
      await router.stop();
      await jobs.stop();
    },
  };
}
