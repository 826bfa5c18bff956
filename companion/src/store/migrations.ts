import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The one set of migrations, for PGlite and PostgreSQL alike. Names sort in the order they run;
 * never edit a migration that has shipped: add the next one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_store': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('flow_versions')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('staging', 'production')`))
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('json', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('published_at', 'timestamptz')
        .addPrimaryKeyConstraint('flow_versions_pk', ['name', 'version'])
        .execute();
      await db.schema
        .createIndex('flow_versions_stage')
        .on('flow_versions')
        .columns(['stage', 'name', 'version'])
        .execute();

      await db.schema
        .createTable('pools')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('definition', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('pool_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('state', 'jsonb')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('decisions')
        .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        // Insertion order: timestamps can tie within a clock tick, this never does.
        .addColumn('seq', 'bigserial', (c) => c.notNull())
        .addColumn('lead_id', 'text', (c) => c.notNull())
        .addColumn('flow_name', 'text')
        .addColumn('flow_version', 'integer')
        .addColumn('trigger', 'jsonb', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text')
        .addColumn('owner_kind', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('decision', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'applied', 'failed', 'stale', 'dry-run')`),
        )
        .addColumn('status_detail', 'text')
        .addColumn('request_key', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
        .execute();
      await db.schema
        .createIndex('decisions_lead')
        .on('decisions')
        .columns(['lead_id', 'seq desc'])
        .execute();
      await db.schema.createIndex('decisions_seq').on('decisions').column('seq').execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('decision_id', 'uuid', (c) => c.notNull().references('decisions.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('update-lead', 'convert-lead')`))
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'applied', 'failed')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('locked_until', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('applied_at', 'timestamptz')
        .execute();
      await sql`create index outbox_pending on outbox (next_attempt_at, id) where status = 'pending'`.execute(
        db,
      );
      await db.schema.createIndex('outbox_decision').on('outbox').column('decision_id').execute();

      await db.schema
        .createTable('idempotency')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('decision_id', 'uuid', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('index_snapshots')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_modstamp', 'timestamptz')
        .addColumn('record_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('snapshot', 'bytea')
        .addColumn('meta', 'jsonb')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('replay_ids')
        .addColumn('topic', 'text', (c) => c.primaryKey())
        .addColumn('replay_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },

  '0002_local_crm': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('crm_records')
        .addColumn('object', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('modstamp', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('crm_records_object_id')
        .on('crm_records')
        .columns(['object', 'id'])
        .execute();
      await db.schema
        .createIndex('crm_records_object_modstamp')
        .on('crm_records')
        .columns(['object', 'modstamp'])
        .execute();
      // The lookups the adapter and the API make, each on one object.
      const expressionIndexes: Array<[string, string, string]> = [
        ['crm_lead_matched_account', 'Lead', `(data->>'Matched_Account__c')`],
        ['crm_lead_owner', 'Lead', `(data->>'OwnerId')`],
        ['crm_lead_email', 'Lead', `(lower(data->>'Email'))`],
        ['crm_member_lead', 'CampaignMember', `(data->>'LeadId')`],
        ['crm_member_campaign', 'CampaignMember', `(data->>'CampaignId')`],
        ['crm_opportunity_account', 'Opportunity', `(data->>'AccountId')`],
        ['crm_contact_account', 'Contact', `(data->>'AccountId')`],
      ];
      for (const [name, object, expression] of expressionIndexes) {
        await sql
          .raw(`create index ${name} on crm_records (${expression}) where object = '${object}'`)
          .execute(db);
      }
      await db.schema
        .createTable('crm_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'jsonb', (c) => c.notNull())
        .execute();
      // Ids for records the companion creates (inbound leads, contacts, opportunities from conversion),
      // far above the seeded ranges so they never collide.
      await sql`create sequence crm_id_seq start with 9000000000`.execute(db);
    },
  },

  '0003_crm_search': {
    async up(db: Kysely<unknown>) {
      // Pickers search by text; one lower-case column per record is several times faster to scan
      // than extracting and lower-casing JSON fields on every search.
      await sql`
        alter table crm_records add column search text generated always as (lower(
          case object
            when 'Lead' then coalesce(data->>'FirstName', '') || ' ' || coalesce(data->>'LastName', '') || ' '
              || coalesce(data->>'Email', '') || ' ' || coalesce(data->>'Company', '')
            when 'Account' then coalesce(data->>'Name', '') || ' ' || coalesce(data->>'Website', '')
            else coalesce(data->>'Name', '')
          end
        )) stored
      `.execute(db);
    },
  },

  '0004_retention': {
    async up(db: Kysely<unknown>) {
      // The clean-up job deletes by age, oldest first, a batch at a time.
      await db.schema.createIndex('decisions_created').on('decisions').column('created_at').execute();
      await sql`create index outbox_applied on outbox (applied_at) where status = 'applied'`.execute(db);
      await db.schema.createIndex('idempotency_created').on('idempotency').column('created_at').execute();
    },
  },

  '0005_compact_decisions': {
    async up(db: Kysely<unknown>) {
      // A decision is written once and read whole: as JSON text it is compressed inline (about a
      // third of jsonb's size), and lead activity's one field lookup parses it cheaply enough.
      await sql`alter table decisions alter column decision type json using decision::json`.execute(db);
    },
  },

  '0006_sla': {
    async up(db: Kysely<unknown>) {
      // A lead's SLA clock, from the decision that gave it its first owner of this arrival; one row
      // per lead, replaced when the flows route it again.
      await sql`
        create table sla_clocks (
          lead_id text primary key,
          id uuid not null,
          policy text,
          pool text,
          flow text,
          owner_id text not null,
          owner_since timestamptz not null,
          arrived_at timestamptz not null,
          start_status text,
          minutes_before integer not null default 0,
          next_step integer not null default 0,
          due_at timestamptz,
          lapsed jsonb not null default '[]',
          status text not null default 'open'
            check (status in ('open', 'accepted', 'converted', 'moved', 'escalated', 'rejected')),
          closed_at timestamptz,
          closed_by text,
          updated_at timestamptz not null default clock_timestamp()
        )`.execute(db);
      await sql`create index sla_clocks_due on sla_clocks (due_at) where status = 'open' and due_at is not null`.execute(
        db,
      );
      // Each step of a clock fires once: the primary key refuses a second.
      await sql`
        create table sla_steps (
          clock_id uuid not null,
          step integer not null,
          lead_id text not null,
          action text not null,
          owner_id text not null,
          due_at timestamptz not null,
          fired_at timestamptz not null default clock_timestamp(),
          status text not null check (status in ('pending', 'done')),
          detail text,
          updated_at timestamptz not null default clock_timestamp(),
          primary key (clock_id, step)
        )`.execute(db);
      await sql`create index sla_steps_lead on sla_steps (lead_id)`.execute(db);
      await sql`create index sla_steps_pending on sla_steps (updated_at) where status = 'pending'`.execute(
        db,
      );
      // One row per owner a lead had: time to assign, time to first touch, whether they let it lapse.
      await sql`
        create table handoffs (
          id bigserial primary key,
          lead_id text not null,
          clock_id uuid not null,
          decision_id uuid not null unique,
          flow text,
          pool text,
          policy text,
          owner_id text not null,
          since timestamptz not null,
          assigned_at timestamptz not null,
          assign_seconds double precision not null,
          touched_at timestamptz,
          touch_seconds double precision,
          touched_by text,
          breached boolean not null default false
        )`.execute(db);
      await sql`create index handoffs_lead on handoffs (lead_id, id)`.execute(db);
      await sql`create index handoffs_assigned on handoffs (assigned_at)`.execute(db);
      await sql`
        create table notifications (
          id bigserial primary key,
          lead_id text not null,
          clock_id uuid not null,
          step integer not null,
          kind text not null,
          recipient_id text not null,
          channel text not null,
          message text not null,
          status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
          attempts integer not null default 0,
          last_error text,
          next_attempt_at timestamptz not null default clock_timestamp(),
          created_at timestamptz not null default clock_timestamp(),
          sent_at timestamptz,
          unique (clock_id, step, kind, recipient_id, channel)
        )`.execute(db);
      await sql`create index notifications_due on notifications (next_attempt_at) where status = 'pending'`.execute(
        db,
      );
      await sql`create index notifications_lead on notifications (lead_id, id)`.execute(db);
      // How far the clocks have followed the decisions (their seq); decisions from before start none.
      await sql`create table sla_cursor (name text primary key, seq bigint not null)`.execute(db);
      await sql`insert into sla_cursor (name, seq) select 'decisions', coalesce(max(seq), 0) from decisions`.execute(
        db,
      );
    },
  },

  '0007_routing_versions': {
    async up(db: Kysely<unknown>) {
      // flow_versions was never used: a version is of the whole routing set (flows, pools and
      // territory tables are validated together), kept as its files so it exports as it was written.
      await db.schema.dropTable('flow_versions').execute();
      await db.schema
        .createTable('routing_versions')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('files', 'jsonb', (c) => c.notNull())
        .addColumn('action', 'text', (c) =>
          c.notNull().check(sql`action in ('first-start', 'publish', 'import', 'rollback', 'pool-change')`),
        )
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('base_version', 'integer')
        .addColumn('rolled_back_to', 'integer')
        .addColumn('changes', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },

  '0008_job_runs': {
    async up(db: Kysely<unknown>) {
      // Each run of a scheduled job, real or dry, as an admin reads it in the jobs list.
      await db.schema
        .createTable('job_runs')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'boolean', (c) => c.notNull())
        .addColumn('started_by', 'text')
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('finished_at', 'timestamptz')
        .addColumn('candidates', 'integer')
        .addColumn('moved', 'integer')
        .addColumn('unchanged', 'integer')
        .addColumn('failed', 'integer')
        .addColumn('api_calls', 'integer')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('job_runs_job').on('job_runs').columns(['job', 'started_at']).execute();
      // A paused job stays scheduled but does not run until it is resumed.
      await db.schema
        .createTable('job_settings')
        .addColumn('job', 'text', (c) => c.primaryKey())
        .addColumn('paused', 'boolean', (c) => c.notNull())
        .addColumn('changed_by', 'text')
        .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },

  '0009_handoffs_by_clock': {
    async up(db: Kysely<unknown>) {
      // A fired step marks its owner's handoff as breached, by clock: without this, a scan per sweep.
      await db.schema
        .createIndex('handoffs_clock')
        .on('handoffs')
        .columns(['clock_id', 'owner_id'])
        .execute();
    },
  },

  '0010_org_snapshot_accounts': {
    async up(db: Kysely<unknown>) {
      // The org snapshot's accounts, kept so a restart reads only what changed since (the read
      // instant is index_snapshots' row 'Account').
      await db.schema
        .createTable('org_snapshot_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .execute();
    },
  },

  '0011_territory_changes': {
    async up(db: Kysely<unknown>) {
      // A territory row a manager adds, edits or removes is a version of its own kind, as a pool change is.
      await sql`alter table routing_versions drop constraint routing_versions_action_check`.execute(db);
      await sql`alter table routing_versions add constraint routing_versions_action_check check (action in ('first-start', 'publish', 'import', 'rollback', 'pool-change', 'territory-change'))`.execute(
        db,
      );
    },
  },

  '0012_org_snapshot_records': {
    async up(db: Kysely<unknown>) {
      // The org snapshot's accounts, open opportunities and unconverted leads, kept so a restart reads
      // only what changed since (each object's read instant is index_snapshots' row named after it).
      await db.schema
        .createTable('org_snapshot_records')
        .addColumn('object', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_snapshot_records_pkey', ['object', 'id'])
        .execute();
      await sql`insert into org_snapshot_records (object, id, data)
        select 'Account', id, data from org_snapshot_accounts`.execute(db);
      await db.schema.dropTable('org_snapshot_accounts').execute();
    },
  },

  '0013_backtest_runs': {
    async up(db: Kysely<unknown>) {
      // The summary of each backtest of a candidate an admin ran, so the admin page shows the last one
      // before a publish, after a reload too.
      await db.schema
        .createTable('backtest_runs')
        .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('ran_at', 'timestamptz', (c) => c.notNull())
        .addColumn('author_id', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('live_version', 'integer')
        .addColumn('candidate_hash', 'text', (c) => c.notNull())
        .addColumn('scope', 'jsonb', (c) => c.notNull())
        .addColumn('summary', 'jsonb', (c) => c.notNull())
        .addColumn('missing', 'integer', (c) => c.notNull())
        .execute();
    },
  },

  '0014_backtest_candidate': {
    async up(db: Kysely<unknown>) {
      // The newest backtest keeps its candidate's files, so the admin page can publish exactly what was
      // backtested; older runs drop them (insertBacktestRun), so the table stays the size of its summaries.
      await db.schema.alterTable('backtest_runs').addColumn('candidate', 'jsonb').execute();
    },
  },
};
