import { basename, extname } from 'node:path';
import {
  GENERATED_HEADER,
  generateInhibitRules,
  generatePrometheusRules,
  generatePromtoolTests,
  type RuleProblem,
  type RulesCompat,
  type SloSpec,
  serializeInhibitRules,
  serializeRules,
} from '@srekit/slo';
import { DEFAULT_GRAFANA_URL } from '../alerts/defaults.js';
import { serializeAlertTests } from '../alerts/serialize-tests.js';
import { CLI_DEFAULTS, GENERATED_DASHBOARD_TAG, MIXIN_GENERATED_HEADER } from '../cli/defaults.js';
import { sloDashboardUid } from '../dashboards/slo.js';
import type { Mixin } from '../mixins/types.js';

/** Input of {@link planGeneratedFiles}. */
export interface GeneratePlanInput {
  /** Spec files (absolute) in the order given; each gets its own rule file. */
  readonly specFiles: readonly string[];
  /** Valid SLOs of those files. */
  readonly slos: readonly SloSpec[];
  readonly compat: RulesCompat;
  readonly mixins: readonly Mixin[];
}

/** The generated set: output-relative path (`alerts/x.yaml`, `dashboards/y.json`) → content. */
export interface GeneratePlan {
  readonly alerts: ReadonlyMap<string, string>;
  readonly dashboards: ReadonlyMap<string, string>;
  /** Rule-generation problems (errors leave the SLO out; the command fails on them). */
  readonly ruleProblems: readonly RuleProblem[];
  /** Clashing names found while planning (two files that would write the same path). */
  readonly conflicts: readonly string[];
}

/** Stem of a spec file: its name without `.yaml`/`.yml`/`.json` (`slos/orders.sloth.yaml` → `orders.sloth`). */
export function specStem(path: string): string {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  return ['.yaml', '.yml', '.json'].includes(ext) ? name.slice(0, -ext.length) : name;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * A dashboard as written to disk: keys sorted at every level (so the bytes do not depend on how
 * the builder ordered them), 2-space indent, trailing newline.
 */
export function dashboardFile(dashboard: unknown): string {
  return `${JSON.stringify(sortKeysDeep(dashboard), null, 2)}\n`;
}

/** A promtool test file for a mixin's alert tests; `rule_files` is relative to the test file. */
export function mixinTestFile(mixin: Mixin, ruleFile: string): string {
  return serializeAlertTests(mixin.alertTests, {
    ruleFiles: [ruleFile],
    header: MIXIN_GENERATED_HEADER,
  });
}

/**
 * Everything `srekit generate` writes, computed in memory and in a fixed order, so two runs give
 * the same bytes and `--check` can compare without writing. Pure apart from the mixins it calls.
 */
export function planGeneratedFiles(input: GeneratePlanInput): GeneratePlan {
  const alerts = new Map<string, string>();
  const dashboards = new Map<string, string>();
  const ruleProblems: RuleProblem[] = [];
  const conflicts: string[] = [];
  const owners = new Map<string, string>();
  const claim = (path: string, owner: string): boolean => {
    const previous = owners.get(path);
    if (previous !== undefined) {
      conflicts.push(`${path} would be written by both ${previous} and ${owner}`);
      return false;
    }
    owners.set(path, owner);
    return true;
  };
  const testsDir = CLI_DEFAULTS.alertTestsDir;

  for (const file of input.specFiles) {
    const specs = input.slos.filter((slo) => slo.source.location.file === file);
    if (specs.length === 0) continue;
    const stem = specStem(file);
    const rulePath = `${stem}.yaml`;
    if (!claim(rulePath, `spec file ${basename(file)}`)) continue;
    // Each SLO's alerts open its own generated dashboard.
    const dashboardUrl = (spec: SloSpec): string =>
      `${DEFAULT_GRAFANA_URL.replace(/\/+$/, '')}/d/${sloDashboardUid(spec.id)}`;
    const rules = generatePrometheusRules(specs, {
      compat: input.compat,
      dashboardUrl,
      onProblem: (problem) => ruleProblems.push(problem),
    });
    alerts.set(rulePath, serializeRules(rules));
    for (const test of generatePromtoolTests(specs, {
      compat: input.compat,
      dashboardUrl,
      ruleFile: `../${rulePath}`,
    })) {
      const testPath = `${testsDir}/${test.fileName}`;
      if (claim(testPath, `SLO ${test.sloId}`)) alerts.set(testPath, test.yaml);
    }
  }
  if (input.slos.length > 0) {
    const path = CLI_DEFAULTS.inhibitFile;
    if (claim(path, 'the inhibit rules')) {
      alerts.set(
        path,
        serializeInhibitRules(generateInhibitRules(input.slos, { compat: input.compat })),
      );
    }
  }

  for (const mixin of input.mixins) {
    const groups = [...mixin.prometheusRules.groups, ...mixin.prometheusAlerts.groups];
    const rulePath = `${mixin.name}.yaml`;
    if (groups.length > 0 && claim(rulePath, `the ${mixin.name} mixin`)) {
      alerts.set(rulePath, serializeRules({ groups }, { header: MIXIN_GENERATED_HEADER }));
      if (mixin.alertTests.length > 0) {
        const testPath = `${testsDir}/${mixin.name}.test.yaml`;
        if (claim(testPath, `the ${mixin.name} mixin`)) {
          alerts.set(testPath, mixinTestFile(mixin, `../${rulePath}`));
        }
      }
    }
    for (const name of Object.keys(mixin.grafanaDashboards).sort()) {
      const dashboard = mixin.grafanaDashboards[name];
      const fileName = name.endsWith('.json') ? name : `${name}.json`;
      if (claim(`dashboards/${fileName}`, `the ${mixin.name} mixin`)) {
        dashboards.set(fileName, dashboardFile(dashboard));
      }
    }
  }
  return { alerts, dashboards, ruleProblems, conflicts };
}

/** Whether an existing YAML file was written by `srekit generate` (either generated header). */
export function isGeneratedYaml(text: string): boolean {
  return text.startsWith(GENERATED_HEADER) || text.startsWith(MIXIN_GENERATED_HEADER);
}

/** Whether an existing dashboard JSON file was generated (it carries the srekit tag). */
export function isGeneratedDashboard(text: string): boolean {
  try {
    const value = JSON.parse(text) as { tags?: unknown };
    return Array.isArray(value.tags) && value.tags.includes(GENERATED_DASHBOARD_TAG);
  } catch {
    return false;
  }
}
