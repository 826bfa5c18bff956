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
};
