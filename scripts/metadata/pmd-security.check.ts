import path from 'node:path';
import { CodeAnalyzer, CodeAnalyzerConfig, EventType, LogLevel } from '@salesforce/code-analyzer-core';
import type { LogEvent } from '@salesforce/code-analyzer-core';
import { createEnginePlugin } from '@salesforce/code-analyzer-pmd-engine';
import type { CheckResult } from './check.types.js';

/** Severity 1 (critical) and 2 (high) fail the check; lower ones are listed in the summary only. */
const FAILING_SEVERITY = 2;

/**
 * Runs PMD's Security rules (through Salesforce Code Analyzer's core and PMD engine, which need Java 11+)
 * over the package: Apex, Visualforce and metadata XML.
 */
export async function checkPmdSecurity(packageDir: string): Promise<CheckResult> {
  const name = 'PMD security rules, severity 1-2 (Code Analyzer)';
  const root = path.resolve(packageDir);
  // CPD (copy-paste detection) ships in the same plugin; it is not a security check.
  const config = CodeAnalyzerConfig.fromObject({ engines: { cpd: { disable_engine: true } } }, process.cwd());
  const analyzer = new CodeAnalyzer(config);
  const engineErrors: string[] = [];
  analyzer.onEvent(EventType.LogEvent, (event: LogEvent) => {
    if (event.logLevel === LogLevel.Error) engineErrors.push(event.message);
  });
  await analyzer.addEnginePlugin(createEnginePlugin());
  if (!analyzer.getEngineNames().includes('pmd')) {
    return {
      name,
      summary: 'not run',
      problems: [],
      skipped: `the PMD engine could not start (it needs Java 11 or later on PATH): ${engineErrors.join(' ')}`,
    };
  }

  const workspace = await analyzer.createWorkspace([root]);
  const rules = await analyzer.selectRules(['pmd:Security'], { workspace });
  const results = await analyzer.run(rules, { workspace });
  const problems: string[] = [];
  let minor = 0;
  for (const violation of results.getViolations()) {
    const rule = violation.getRule();
    if (rule.getSeverityLevel() > FAILING_SEVERITY) {
      minor += 1;
      continue;
    }
    const location = violation.getPrimaryLocation();
    const file = location.getFile()
      ? path.relative(process.cwd(), location.getFile() as string)
      : '(no file)';
    problems.push(
      `${file}:${location.getStartLine() ?? 0}: ${rule.getName()} (severity ${rule.getSeverityLevel()}): ` +
        violation.getMessage(),
    );
  }
  problems.push(...engineErrors.map((message) => `PMD reported an error: ${message}`));
  return {
    name,
    summary: `${rules.getCount()} rules, ${(await workspace.getTargetedFiles()).length} files, ${minor} lower-severity findings`,
    problems,
  };
}
