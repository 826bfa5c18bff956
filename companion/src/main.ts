/**
 * The composition root (`npm start`): settings → store → CRM (the local demo org, or Salesforce) →
 * routing set → routing service → jobs → HTTP API. The only module that chooses implementations.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { CallMeter } from './crm/call-meter.js';
import type { ContactPort, CrmPort, CustomNotificationPort } from './crm/crm.port.js';
import { ensureDemoOrg } from './crm/local/demo-org.seed.js';
import { DEMO } from './crm/local/demo-people.js';
import { demoPreview } from './crm/local/demo-preview.js';
import { DEMO_SCENARIO } from './crm/local/demo-scenarios.js';
import { localParts } from './crm/local/local-parts.js';
import type { OrgReadPort } from './crm/org-read.port.js';
import { CHANGE_OBJECTS, PUBSUB_ADDRESS, SalesforceChangeFeed } from './crm/salesforce/salesforce-changes.js';
import { assertOrgReady } from './crm/salesforce/salesforce-doctor.js';
import { leadStatusesUsed } from './engine/lead-statuses-used.js';
import { flowSchemaNeeds } from './crm/salesforce/salesforce-fields.js';
import { createSalesforceCrm } from './crm/salesforce/salesforce.factory.js';
import { SalesforceOrgRead } from './crm/salesforce/salesforce-org-read.js';
import { InboundGenerator } from './crm/local/inbound-generator.js';
import { startBackgroundJobs, type BackgroundJobsOptions } from './jobs/background-jobs.js';
import type { JobScheduler } from './jobs/scheduled-jobs.js';
import { answerUnparseableRequests, createApp } from './http/app.js';
import type { ServiceStatus } from './http/service-status.js';
import type { SlaPort } from './http/app-context.js';
import { createLogger } from './http/logger.js';
import { createMetrics, observeHandoff, type ApiMetrics } from './http/metrics.js';
import { previewRouter, type PreviewDemo } from './http/preview/preview.router.js';
import { formatIssue } from './engine/flow/yaml-source.js';
import { SHIPPED_FLOWS_DIR } from './routing/flow-files.js';
import { startVersionedRouting } from './routing/routing-versions.js';
import type { RoutingService } from './routing/routing.service.js';
import { bellNotifier, webhookNotifier } from './routing/notification-sender.js';
import { openDatabase } from './store/open-database.js';
import type { Store } from './store/store.js';

type Stop = () => Promise<void> | void;

interface Crm {
  crm: CrmPort;
  org: OrgReadPort;
  /** The org's contacts, for contact ownership. */
  contacts: ContactPort;
  /** Counts the calls made through `crm` and `contacts`, by the work that made them. */
  meter: CallMeter;
  status: Omit<ServiceStatus, 'indexLoaded'>;
  /** Starts what only this mode has (the inbound demo stream, route-on-update); returns how to stop it. */
  /** Starts what routes without being asked; answers how to stop it and the jobs admins see and run. */
  startJobs(
    routing: RoutingService,
    metrics: ApiMetrics,
  ): Promise<{ stops: Stop[]; jobs: JobScheduler; sla: SlaPort }>;
  summary: string;
  /** A user Id to try the API with. */
  exampleUser: string;
  /** What the local preview offers to act as and to open; none beside a real org. */
  previewDemo?: PreviewDemo;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const clock = () => new Date();
  const stops: Stop[] = [];
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Last started, first stopped: the server stops taking requests before the store closes.
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, 'a part did not stop cleanly');
      }
    }
    logger.info('stopped');
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const store = await openDatabase(config);
    stops.push(() => store.close());
    const crm =
      config.mode === 'local'
        ? await localMode(store, config, logger)
        : await salesforceMode(store, config, logger);

    const [users, queues] = await Promise.all([crm.crm.listUsers(), crm.crm.listQueues()]);
    const routingDir = config.routingDir ?? SHIPPED_FLOWS_DIR;
    const { routing, versions, firstStart } = await startVersionedRouting({
      routingDir,
      catalog: { users, queues },
      onVersionError: (err, version) =>
        logger.error(
          { err, version },
          `routing set: version ${version}, stored by another instance, does not load here; this instance keeps its set`,
        ),
      crm: crm.crm,
      store,
      clock,
      meter: crm.meter,
      contacts: crm.contacts,
      onContactsRouted: (result) => {
        if (result.changes.length > 0) logger.info({ contacts: result }, 'contacts moved to their owner');
      },
      onContactsError: (err) => logger.warn({ err }, 'contact ownership failed; the conversion stands'),
      keepOrgSnapshot: true,
      onStatsError: (err) =>
        logger.warn(
          { err },
          'open-load figures: a read failed; routing goes on with those held and reads again',
        ),
      onSnapshotKeepError: (err) =>
        logger.warn({ err }, 'org snapshot: a change was not kept; the next start reads it again'),
      onPeopleChanged: ({ moved, problems }) => {
        for (const { ref, from } of moved)
          logger.info({ routingDir, from, to: ref.id }, `routing set: ${ref.written} now names ${ref.id}`);
        for (const problem of problems) logger.warn({ routingDir }, `routing set: ${formatIssue(problem)}`);
      },
    });

    const routingSet = routing.routingSet;
    logger.info(
      { routingDir, version: versions.versionInUse },
      firstStart
        ? `routing set: the folder ${routingDir} stored as version 1`
        : `routing set: version ${versions.versionInUse} from the store (the routing folder is read on a first start only; publish changes with npm run cli -- publish)`,
    );
    for (const warning of routingSet.people.warnings)
      logger.warn({ routingDir }, `routing set: ${formatIssue(warning)}`);

    // Before anything routes: the first request must not build the tables the first decision needs.
    await routing
      .warmUp()
      .catch((err: unknown) =>
        logger.warn({ err }, 'warm-up decision failed; the first request builds what a decision needs'),
      );

    const metrics = createMetrics({ defaultMetrics: true });
    const started = await crm.startJobs(routing, metrics);
    stops.push(...started.stops);

    const app = createApp(
      {
        config,
        routing,
        versions,
        org: crm.org,
        store,
        logger,
        metrics,
        clock,
        // RoutingService.create reads the match index before it returns, so it is loaded by now.
        status: { ...crm.status, indexLoaded: () => true },
        accounts: routing.org.accounts,
        sla: started.sla,
        maxInFlight: config.maxInFlight,
        jobs: started.jobs,
      },
      {
        public: previewRouter({
          mode: config.mode,
          apiKey: config.apiKey,
          host: config.host,
          logger,
          ...(crm.previewDemo ? { demo: crm.previewDemo } : {}),
        }),
      },
    );
    const server = await listen(answerUnparseableRequests(app.listen(config.port, config.host)));
    stops.push(() => closeServer(server));

    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // Printed, never logged: stdout is the person starting it, the log may travel further.
    console.log(`\nSwitchyard is running at ${url}`);
    // Beside a real org the preview cannot act for anyone (its pages say why): it is not offered.
    if (config.mode === 'local')
      console.log(`Preview (Lead and Account pages with the real components): ${url}/preview/`);
    if (config.apiKeySource === 'generated') {
      console.log(`API key (generated for this run; set SWITCHYARD_API_KEY to keep one): ${config.apiKey}`);
    }
    console.log(
      `${crm.summary}; ${routingSet.flows.size} flows, ${routingSet.pools.size} pools; ` +
        `store: ${store.backend === 'pglite' ? config.dataDir : 'PostgreSQL'}. ` +
        `Try: curl -H "Authorization: Bearer <key>" -H "X-Switchyard-User: ${crm.exampleUser}" ${url}/v1/me\n`,
    );
  } catch (err) {
    logger.fatal({ err }, 'Switchyard could not start');
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `\nPort ${config.port} on ${config.host} is in use: stop what holds it, or set PORT to another port.`,
      );
    } else if (err instanceof Error && typeof code === 'string') {
      // Errors with a code (settings, store lock, Salesforce login) say what to do in their message.
      console.error(`\n${err.message}`);
    }
    await shutdown('startup failure', 1);
  }
}

async function localMode(store: Store, config: Config, logger: Logger): Promise<Crm> {
  const seeded = await ensureDemoOrg(store.db, { scenario: DEMO_SCENARIO, ...config.demoOrg });
  const { org: local, crm, contacts, meter } = localParts(store.db);
  const counts = seeded.counts;
  return {
    crm,
    contacts,
    org: local,
    meter,
    exampleUser: DEMO.admin,
    previewDemo: demoPreview(),
    status: { crm: () => ({ limited: false }), apiCalls: () => meter.counts() },
    summary:
      `Local demo org ${seeded.seeded ? 'seeded' : 'loaded'}: ${counts['Lead'] ?? 0} leads, ` +
      `${counts['Account'] ?? 0} accounts, ${counts['User'] ?? 0} users; ` +
      (config.inboundRatePerMinute > 0
        ? `${config.inboundRatePerMinute} inbound demo leads a minute`
        : 'inbound demo leads off'),
    // The demo org tells its lead changes as they commit; the inbound stream plays new form fills.
    async startJobs(routing, metrics) {
      const jobs = await startBackgroundJobs({
        ...jobReporting(logger, metrics, config, local),
        retention: config.retention,
        store,
        crm,
        org: local,
        leadChanges: local.feed,
        service: routing,
        meter,
      });
      const inbound = new InboundGenerator({
        org: local,
        ratePerMinute: config.inboundRatePerMinute,
        onError: (err) => logger.warn({ err }, 'the inbound demo stream failed; it tries again'),
      });
      inbound.start();
      return { stops: [() => jobs.stop(), () => inbound.stop()], jobs: jobs.scheduler, sla: jobs.slaClocks };
    },
  };
}

async function salesforceMode(store: Store, config: Config, logger: Logger): Promise<Crm> {
  const sf = config.salesforce;
  if (!sf) {
    throw new ConfigError([
      { setting: 'SWITCHYARD_MODE', message: 'salesforce mode needs the SF_* settings' },
    ]);
  }
  const connection = await createSalesforceCrm(sf);
  const org = new SalesforceOrgRead(connection.api);
  return {
    crm: connection.crm,
    contacts: connection.crm,
    org,
    meter: connection.api.meter,
    status: {
      crm: () => connection.api.health(),
      apiCalls: () => connection.api.apiCalls(),
    },
    exampleUser: '<your 18-character user Id>',
    summary: `Salesforce org at ${connection.api.conn.instanceUrl} as ${sf.username}`,
    // The change feed routes leads as the org creates and changes them (Pub/Sub API, polling as the
    // fallback); the jobs retry refused writes, sweep inactive owners and run the clean-up jobs.
    async startJobs(routing, metrics) {
      const routingSet = routing.routingSet;
      // What the flows set is known once they are read: the integration user must be able to edit it.
      await assertOrgReady(connection.api, flowSchemaNeeds(routingSet.flows.values()), {
        userId: connection.auth.userId,
        leadStatuses: leadStatusesUsed(routingSet.flows.values()),
        changeObjects: CHANGE_OBJECTS,
      });
      const jobs = await startBackgroundJobs({
        ...jobReporting(logger, metrics, config, connection.crm),
        retention: config.retention,
        store,
        crm: connection.crm,
        org,
        service: routing,
        meter: connection.api.meter,
      });
      await jobs.changeEvents.start();
      const feed = new SalesforceChangeFeed({
        api: connection.api,
        auth: connection.auth,
        store: store.replayIds,
        pubSub: { address: PUBSUB_ADDRESS },
        onChange: (event) => jobs.changeEvents.onChange(event),
        onError: (err) => logger.warn({ err }, 'change feed trouble; it reconnects or polls'),
      });
      const mode = await feed.start();
      logger.info({ mode }, 'listening for changes in the org');
      return { stops: [() => jobs.stop(), () => feed.stop()], jobs: jobs.scheduler, sla: jobs.slaClocks };
    },
  };
}

/**
 * Background failures and job runs go to the log; nothing stops because of one. Notifications ring
 * Salesforce's bell (the demo org records them) and go to the webhook when one is set.
 */
function jobReporting(
  logger: Logger,
  metrics: ApiMetrics,
  config: Config,
  bell: CustomNotificationPort,
): Pick<BackgroundJobsOptions, 'onError' | 'onJobRun' | 'onNotify' | 'onHandoff' | 'notifiers'> {
  return {
    notifiers: [
      bellNotifier(bell),
      ...(config.notifyWebhookUrl ? [webhookNotifier(config.notifyWebhookUrl)] : []),
    ],
    onHandoff: (measure) => observeHandoff(metrics, measure),
    onError: (err, where) => logger.warn({ err, where }, 'a background job failed; it tries again'),
    onJobRun: (run) => logger.info({ run }, 'scheduled job ran'),
    onNotify: (message, recipientId) => logger.info({ recipientId }, `notification: ${message}`),
  };
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive connections would hold the close open; requests in flight still finish.
    server.closeIdleConnections();
  });
}

void main();
