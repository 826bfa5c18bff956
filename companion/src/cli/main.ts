/**
 * The admin CLI: `npx switchyard <command>` (package.json "bin", bin/switchyard.mjs) or
 * `npm run cli -- <command>`; `--help` lists the commands.
 */
import { DEMO_CATALOG } from '../crm/local/demo-people.js';
import { flowJsonSchema } from '../engine/flow/flow.schema.js';
import { DocumentInvalidError, formatIssue } from '../engine/flow/yaml-source.js';
import { inFolder, readRoutingSet, SHIPPED_FLOWS_DIR } from '../routing/flow-files.js';
import { formatDecision, routeDemoScenarios } from './demo-routing.js';
import { renderCommand } from './flows-render.js';
import { jobsCommand } from './jobs-commands.js';
import { initRouting } from './init-routing.js';
import { slaCommand } from './sla-commands.js';
import {
  backtestCommand,
  CliError,
  reassignCommand,
  simulateCommand,
  WHAT_IF_HELP,
} from './admin-commands.js';
import { poolsCommand } from './pool-commands.js';
import { territoriesCommand } from './territory-commands.js';
import { flowsCommand, FLOWS_HELP } from './flows-commands.js';
import {
  backtestPublishCommand,
  exportCommand,
  publishCommand,
  rollbackCommand,
  versionsCommand,
} from './version-commands.js';

const HELP = `Switchyard's admin CLI: npx switchyard <command> [options] (or npm run cli -- <command>);
<command> --help says more.

Commands:
  demo [--now ISO]         route the demo leads with the shipped flows and explain each decision
  validate [folder]        check flows, pools and territory tables; every problem with its file and line
  schema                   print the flow JSON Schema (for editors)
  init-routing --out <folder>
                           a starting routing folder from the org SWITCHYARD_MODE names (its people,
                           lead queues, countries and lead statuses), loaded back against it
  simulate <leadId>        where a lead would go now, with the live routing set or a candidate folder
  backtest --candidate <folder> (--days n | --ids file)
                           a candidate routing set against the live one over real leads, with the diff
  backtest publish (<id> | --latest) --reason text [--dry-run]
                           publish a backtest's candidate over the version it was backtested against
  reassign (--owner Id | --ids file | --pool name | --territory table --row n | --status … --country …)
           --reason text [--dry-run]
                           move leads (a rep's, a pool's, a territory row's, a filter's, a list)
                           through the flows in batches, resumable
  flows render <flow> --out <file.svg> [--days n] [--lead Id] [--folder dir]
                           the flow as a picture, with leads per edge and one lead's path
  flows list | show <flow> | history <flow> [--diff]
                           the live flows, one flow's YAML, the versions that changed it
                           (flows validate|export|import|publish|rollback: the same as those commands)
  versions [<n>] [--diff]  the routing set's versions: who, when, why, and what each changed
  export (--out file.json | --folder dir)
                           the live routing set, as a file to import elsewhere or a folder to edit
  import <file|folder> --reason text [--base n]
                           store a set from another companion (staging → production); names what changed
  publish <folder|file> --base n --reason text
                           store an edited set over the version it came from; refused if another came since
  rollback <n> --reason text
                           make an earlier version live again, as a new version
  jobs list | run <job> [--dry-run] | pause <job> | resume <job>
                           the scheduled jobs: schedule, next and last runs; run, pause, resume
  sla report [--by rep|pool] [--weeks n]
                           time to assign and to first touch (p50, p90) and SLA breaches per week
  sla notifications [--failed]
                           the SLA notifications, a failed one with its error
  pools list|add|remove|set|away|back|pause|resume …
                           the pools as data: reps, weights, caps, out of office, paused (audited)
  territories list|add|set|remove …
                           the territory tables as data: rows by region, country, state, postal code,
                           industry and employees, each to a pool, queue or person (checked, audited)

${WHAT_IF_HELP.connection}`;

const COMMAND_HELP: Record<string, string> = {
  demo: 'Usage: npm run cli -- demo [--now ISO]\nRoutes the demo leads with the shipped flows at that moment and explains each decision.',
  validate:
    'Usage: npm run cli -- validate [folder]\nChecks the flows, pools and territory tables of the folder (default: the shipped one) as one set; every problem with its file and line.',
  schema: 'Usage: npm run cli -- schema\nPrints the flow JSON Schema, for editors.',
  'init-routing':
    'Usage: npm run cli -- init-routing --out <folder>\nWrites a starting routing folder from the org: the local demo org (SWITCHYARD_MODE=local, the default) or Salesforce (SWITCHYARD_MODE=salesforce and the SF_* settings). It never writes into a folder that holds files.',
};

async function main(args: string[]): Promise<number> {
  const [command = 'demo', ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (COMMAND_HELP[command] && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(COMMAND_HELP[command]);
    return 0;
  }
  switch (command) {
    case 'demo': {
      const nowFlag = rest.indexOf('--now');
      const now = nowFlag >= 0 ? rest[nowFlag + 1] : new Date().toISOString();
      if (!now || Number.isNaN(Date.parse(now))) {
        console.error('--now needs a date and time, e.g. --now 2026-11-23T15:00:00Z');
        return 2;
      }
      const set = await readRoutingSet(SHIPPED_FLOWS_DIR, DEMO_CATALOG);
      const results = routeDemoScenarios(set, new Date(now).toISOString());
      console.log(`Switchyard routed ${results.length} demo leads at ${now} with the shipped flows:\n`);
      for (const { scenario, decision } of results) console.log(formatDecision(scenario, decision) + '\n');
      return 0;
    }
    case 'validate': {
      const dir = rest[0] ?? SHIPPED_FLOWS_DIR;
      let set;
      try {
        set = await readRoutingSet(dir, DEMO_CATALOG);
      } catch (error) {
        if (!(error instanceof DocumentInvalidError)) throw error;
        const count = `${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`;
        console.error(`${dir}: ${count}; nothing is loaded until they are fixed:`);
        for (const issue of error.issues) console.error(formatIssue(inFolder(dir, issue)));
        return 1;
      }
      console.log(
        `${dir}: ${set.flows.size} flows, ${set.pools.size} pools and ${set.territories.size} territory tables are valid.`,
      );
      for (const warning of set.people.warnings) console.log(`note: ${formatIssue(inFolder(dir, warning))}`);
      return 0;
    }
    case 'init-routing':
      return initRouting(rest, process.env, (line) => console.log(line));
    case 'schema':
      console.log(JSON.stringify(flowJsonSchema(), null, 2));
      return 0;
    case 'simulate':
      return simulateCommand(rest, process.env);
    case 'backtest':
      if (rest[0] === 'publish') return backtestPublishCommand(rest.slice(1), process.env);
      return backtestCommand(rest, process.env);
    case 'reassign':
      return reassignCommand(rest, process.env);
    case 'jobs':
      return jobsCommand(rest, process.env);
    case 'sla':
      return slaCommand(rest, process.env);
    case 'flows': {
      // The issue's names for the admin's commands: flows list|show|history|render and the set's own.
      const [sub, ...subArgs] = rest;
      if (sub === 'render') return renderCommand(subArgs, process.env);
      if (sub === 'list' || sub === 'show') return flowsCommand(sub, subArgs, process.env);
      if (sub === 'history') {
        const [flow, ...more] = subArgs;
        if (!flow || flow.startsWith('-')) return versionsCommand(subArgs, process.env);
        return versionsCommand(
          ['--file', flow.endsWith('.yaml') ? flow : `${flow}.flow.yaml`, ...more],
          process.env,
        );
      }
      if (sub && ['validate', 'export', 'import', 'publish', 'rollback'].includes(sub))
        return main([sub, ...subArgs]);
      if (sub === undefined || sub === '--help' || sub === '-h') {
        console.log(FLOWS_HELP);
        return sub === undefined ? 2 : 0;
      }
      console.error(`Unknown flows command '${sub}'.\n\n${FLOWS_HELP}`);
      return 2;
    }
    case 'versions':
      return versionsCommand(rest, process.env);
    case 'export':
      return exportCommand(rest, process.env);
    case 'import':
    case 'publish':
      return publishCommand(command, rest, process.env);
    case 'rollback':
      return rollbackCommand(rest, process.env);
    case 'pools':
      return poolsCommand(rest, process.env);
    case 'territories':
      return territoriesCommand(rest, process.env);
    default:
      console.error(`Unknown command '${command}'.\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A person reads this: what went wrong, not where in Switchyard's code.
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(
      error instanceof CliError
        ? error.exitCode
        : (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
          ? 2
          : 1,
    );
  },
);
