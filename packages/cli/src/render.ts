/**
 * Printing reports: text for people (colour only on a terminal and without NO_COLOR), one JSON
 * object per line for machines, or YAML documents through the `yaml` library (not client-node's
 * `dumpYaml`: explain and demo do not load the Kubernetes client).
 */
import { stringify } from 'yaml';
import { formatHostPort, type ApiEndpoint } from '@capt-endpoint/core';
import { describeWriter, inertDeep, type FieldWriter } from '@capt-endpoint/core/adapter';
import type { OutputFormat } from './args';
import type { Check, CheckStatus, Report, ReportedWrite } from './report';

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly red: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const colours: Style = { bold: ansi(1, 22), dim: ansi(2, 22), green: ansi(32, 39), yellow: ansi(33, 39), red: ansi(31, 39), cyan: ansi(36, 39) };
const same = (text: string) => text;
export const plain: Style = { bold: same, dim: same, green: same, yellow: same, red: same, cyan: same };

/** Colour on a terminal, unless NO_COLOR is set to anything non-empty (no-color.org). */
export const styleFor = (stream: { readonly isTTY?: boolean | undefined }, env: Readonly<Record<string, string | undefined>>): Style =>
  stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' ? colours : plain;

const marks: Record<CheckStatus, (style: Style) => string> = {
  pass: (s) => s.green('✓'),
  wait: (s) => s.yellow('…'),
  fail: (s) => s.red('✗'),
  info: (s) => s.dim('·'),
};

export const renderCheck = (check: Check, style: Style): string => `${marks[check.status](style)} ${check.text}`;

export const showEndpoint = (endpoint: ApiEndpoint | null | undefined): string => (endpoint ? formatHostPort(endpoint) : '(unset)');

const headline = (report: Report, style: Style): string => {
  const endpoint = showEndpoint(report.endpoint);
  const text = ((): string => {
    switch (report.result) {
      case 'Updated':
        return style.green(report.dryRun ? `would set the endpoint to ${endpoint}` : `set the endpoint to ${endpoint}`);
      case 'UpToDate':
        return style.green(`up to date: ${endpoint}`);
      case 'Waiting':
        return style.yellow(`waiting for ${report.waitingOn ?? 'the Workspace'}`);
      case 'Repaired':
        return style.green(`${report.dryRun ? 'would repair' : 'repaired'} a malformed endpoint: now ${endpoint}`);
      case 'Drift':
        return style.red(`drift: keeps ${showEndpoint(report.drift?.current)}, the Workspace says ${showEndpoint(report.drift?.workspace)}`);
      case 'Contested':
        return style.red(`contested: ${report.contest === undefined ? 'another writer' : `field manager ${JSON.stringify(report.contest.writer.manager)}`} keeps overwriting the endpoint; not written back until ${report.contest?.resumeAt ?? 'it stops'}`);
      case 'CleanedUp':
        return style.green(report.writes.length > 0 ? (report.dryRun ? "deleted: would clear the Cluster's endpoint" : "deleted: cleared the Cluster's endpoint") : "deleted: the Cluster's endpoint is already clear");
      case 'ControlPlaneGone':
        return style.red('does not exist');
      case 'Error':
        return style.red(`error: ${report.error?.reason ?? 'unknown'}`);
    }
  })();
  return `${style.bold(`CAPTControlPlane ${report.controlPlane}`)}: ${text}${report.dryRun ? style.dim(' (dry run)') : ''}`;
};

const describeWrite = (write: ReportedWrite): string => {
  const status = write.patch['status'] as { conditions?: Array<{ type: string; status: string; reason?: string }> } | undefined;
  const body =
    write.verb === 'patchStatus' && status?.conditions !== undefined
      ? `conditions ${status.conditions.map((c) => `${c.type}=${c.status}`).join(', ')}`
      : JSON.stringify(write.patch);
  return `${write.verb} ${write.object}: ${body}${write.error === undefined ? '' : ` (failed: ${write.error})`}`;
};

/** Objects' endpoints, aligned: `Cluster team-a/demo   (unset) → host:443`. */
export const renderEndpoints = (report: Pick<Report, 'endpoints'>, style: Style, indent: string): string[] => {
  const width = Math.max(0, ...report.endpoints.map((change) => change.object.length));
  return report.endpoints.map((change) => {
    const before = showEndpoint(change.before);
    const after = showEndpoint(change.after);
    const shown = before === after ? `${after} ${style.dim('(unchanged)')}` : `${before} → ${style.bold(after)}`;
    return `${indent}${change.object.padEnd(width)}  ${shown}`;
  });
};

const writerLine = (label: string, writer: FieldWriter | undefined): string[] => (writer === undefined ? [] : [`  ${label}: ${describeWriter(writer)}`]);

/** Who else writes the endpoint, what it writes and what to do: a contest spelt out. */
const otherWriterLines = (report: Report, style: Style): string[] => {
  const { contest, repair, drift } = report;
  if (contest !== undefined) {
    return [
      `  ${style.bold('contested')} on ${contest.objects.join(' and ')}`,
      ...writerLine('other writer', contest.writer),
      `  it writes: ${contest.value ?? '(value not shown: the endpoint comes from a Secret)'}`,
      `  writes again: after ${contest.resumeAt}, if that writer stays quiet until then`,
      `  to do: turn off the other writer's endpoint update (CAPT's controller: docs/migrating-from-go.md)`,
    ];
  }
  return writerLine('last written by', repair?.writer ?? drift?.writer);
};

/** A malformed endpoint was written by someone: the admission policy flags such a write as it is made. */
const admissionHint = (report: Report, style: Style): string[] =>
  report.repair === undefined
    ? []
    : [`  ${style.dim('hint: with deploy/components/endpoint-policy installed, the API server warns the writer of such a value (or refuses it): docs/admission-policy.md')}`];

/** A report whose strings are inert, as lines of text. */
const renderInertText = (report: Report, style: Style): string => {
  const lines = [headline(report, style), ...report.checks.map((check) => `  ${renderCheck(check, style)}`), ...otherWriterLines(report, style), ...admissionHint(report, style)];
  if (report.endpoints.length > 0) lines.push('  endpoint:', ...renderEndpoints(report, style, '    '));
  if (report.writes.length > 0) {
    lines.push(report.dryRun ? '  would send:' : '  sent:', ...report.writes.map((write) => `    ${describeWrite(write)}`));
  } else {
    lines.push(`  ${style.dim(report.dryRun ? 'would send nothing' : 'sent nothing')}`);
  }
  const c = report.condition;
  if (c !== undefined) lines.push(`  condition ${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`);
  if (report.requeueAfter !== undefined) lines.push(`  ${style.dim(`look again in ${Math.round(report.requeueAfter / 1000)}s`)}`);
  return `${lines.join('\n')}\n`;
};

/** A report as lines of text; every value in it may come from a tenant's object, so each is shown inert. */
export const renderText = (report: Report, style: Style): string => renderInertText(inertDeep(report), style);

/** Drops undefined fields (JSON and YAML have no such value). */
const jsonValue = <A>(value: A): A => JSON.parse(JSON.stringify(value)) as A;

export const renderJsonLine = (value: unknown): string => `${JSON.stringify(value)}\n`;

export const renderYamlDocument = (value: unknown): string => `---\n${stringify(jsonValue(value))}`;

export const renderReport = (report: Report, format: OutputFormat, style: Style): string =>
  format === 'json' ? renderJsonLine(report) : format === 'yaml' ? renderYamlDocument(report) : renderText(report, style);
