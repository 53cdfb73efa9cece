import * as z from 'zod';
import { SLO_ERROR_CODES } from '../errors.js';
import { durationField, nameField, type SchemaContext, strict } from './fields.js';
import { addIssue } from './problems.js';

/** The `apiVersion` srekit reads. */
export const OPENSLO_VERSION = 'openslo/v1';

/** Object kinds of OpenSLO v1. */
export const OPENSLO_KINDS = [
  'SLO',
  'SLI',
  'AlertPolicy',
  'AlertCondition',
  'AlertNotificationTarget',
  'Service',
  'DataSource',
] as const;

/** One of {@link OPENSLO_KINDS}. */
export type OpenSloKind = (typeof OPENSLO_KINDS)[number];

const PAGE_SEVERITIES = ['page', 'critical', 'high', 'urgent', 'emergency', 'sev1', 'sev-1', 'p1'];
const TICKET_SEVERITIES = [
  'ticket',
  'warning',
  'medium',
  'low',
  'info',
  'sev2',
  'sev-2',
  'sev3',
  'sev-3',
  'p2',
  'p3',
  'p4',
];

/** Maps an AlertCondition `severity` to the alert it belongs to, or `undefined` when unknown. */
export function alertSeverity(severity: string): 'page' | 'ticket' | undefined {
  const key = severity.trim().toLowerCase();
  if (PAGE_SEVERITIES.includes(key)) return 'page';
  if (TICKET_SEVERITIES.includes(key)) return 'ticket';
  return undefined;
}

const labelValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
]);

export const metadataSchema = strict({
  name: nameField('name'),
  displayName: z.string().optional(),
  labels: z.record(z.string(), labelValue).optional(),
  annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const metricSourceSchema = strict({
  metricSourceRef: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  spec: z.record(z.string(), z.unknown()),
});

const metricSpecSchema = strict({ metricSource: metricSourceSchema });

export const sliSpecSchema = strict({
  description: z.string().optional(),
  thresholdMetric: metricSpecSchema.optional(),
  ratioMetric: strict({
    counter: z.boolean().optional(),
    good: metricSpecSchema.optional(),
    bad: metricSpecSchema.optional(),
    total: metricSpecSchema.optional(),
    rawType: z.enum(['success', 'failure']).optional(),
    raw: metricSpecSchema.optional(),
  }).optional(),
});

/** An inline SLI (`indicator:` of an SLO or objective). */
export const inlineSliSchema = strict({ metadata: metadataSchema, spec: sliSpecSchema });

export function alertConditionSpecSchema(context: SchemaContext) {
  return strict({
    description: z.string().optional(),
    severity: z.string().superRefine((value, ctx) => {
      if (alertSeverity(value) === undefined) {
        addIssue(ctx, `severity \`${value}\` is neither a page nor a ticket severity`, {
          code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
          fix: `Use one of ${PAGE_SEVERITIES.join(', ')} (page) or ${TICKET_SEVERITIES.join(', ')} (ticket).`,
        });
      }
    }),
    condition: strict({
      kind: z
        .string()
        .superRefine((value, ctx) => {
          if (value !== 'burnrate') {
            addIssue(ctx, `condition kind \`${value}\` is not supported`, {
              code: SLO_ERROR_CODES.SPEC_UNSUPPORTED,
              fix: 'srekit generates multi-window burn-rate alerts: use `kind: burnrate`.',
            });
          }
        })
        .optional(),
      op: z
        .enum(['lt', 'lte', 'gt', 'gte'])
        .superRefine((value, ctx) => {
          if (value === 'lt' || value === 'lte') {
            addIssue(ctx, `\`op: ${value}\` would alert while the budget burns slowly`, {
              code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
              fix: 'A burn-rate alert fires when the burn rate is above the threshold: use `op: gt` or `op: gte`.',
            });
          }
        })
        .optional(),
      threshold: z.number().superRefine((value, ctx) => {
        if (!(value > 0 && Number.isFinite(value))) {
          addIssue(ctx, `burn-rate threshold ${value} is not positive`, {
            code: SLO_ERROR_CODES.SPEC_INVALID_FIELD,
            fix: 'Give the burn factor that fires the alert, e.g. 14.4 (2 % of a 30-day budget in 1 h).',
          });
        }
      }),
      lookbackWindow: durationField(context),
      alertAfter: durationField(context, { allowZero: true, onStep: false }).optional(),
    }),
  });
}

/** A list item that is either a reference (`<refKey>: name`) or an inline object. */
function refOrInline<Spec extends z.ZodType>(refKey: string, kind: OpenSloKind, spec: Spec) {
  return strict({
    [refKey]: z.string().min(1).optional(),
    kind: z.literal(kind).optional(),
    metadata: metadataSchema.optional(),
    spec: spec.optional(),
  } as { [key: string]: z.ZodOptional<z.ZodType> });
}

export function alertPolicySpecSchema(context: SchemaContext) {
  return strict({
    description: z.string().optional(),
    alertWhenNoData: z.boolean().optional(),
    alertWhenResolved: z.boolean().optional(),
    alertWhenBreaching: z.boolean().optional(),
    conditions: z
      .array(refOrInline('conditionRef', 'AlertCondition', alertConditionSpecSchema(context)))
      .min(1),
    notificationTargets: z
      .array(refOrInline('targetRef', 'AlertNotificationTarget', notificationTargetSpecSchema))
      .optional(),
  });
}

export const notificationTargetSpecSchema = strict({
  description: z.string().optional(),
  target: z.string(),
});

export const serviceSpecSchema = strict({ description: z.string().optional() });

export const dataSourceSpecSchema = strict({
  description: z.string().optional(),
  type: z.string().min(1),
  connectionDetails: z.unknown().optional(),
});

const objectiveSchema = strict({
  displayName: z.string().optional(),
  op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
  value: z.number().optional(),
  target: z
    .number()
    .superRefine((value, ctx) => {
      if (!(value > 0 && value < 1)) {
        addIssue(ctx, `target ${value} is not a ratio between 0 and 1 (exclusive)`, {
          code: SLO_ERROR_CODES.SPEC_OBJECTIVE,
          fix:
            value >= 1 && value < 100
              ? `\`target\` is a ratio: write \`target: ${Number((value / 100).toPrecision(12))}\` or \`targetPercent: ${value}\`.`
              : 'Write the target as a ratio, e.g. 0.999.',
        });
      }
    })
    .optional(),
  targetPercent: z
    .number()
    .superRefine((value, ctx) => {
      if (!(value > 0 && value < 100)) {
        addIssue(ctx, `targetPercent ${value} is not between 0 and 100 (exclusive)`, {
          code: SLO_ERROR_CODES.SPEC_OBJECTIVE,
          fix:
            value >= 100
              ? 'An objective of 100 % leaves no error budget; use e.g. 99.9.'
              : 'Write the objective as a percentage, e.g. 99.9.',
        });
      }
    })
    .optional(),
  timeSliceTarget: z.number().optional(),
  timeSliceWindow: z.union([z.number(), z.string()]).optional(),
  indicator: inlineSliSchema.optional(),
  indicatorRef: z.string().min(1).optional(),
});

export function sloSpecSchema(context: SchemaContext) {
  return strict({
    description: z.string().optional(),
    service: nameField('service'),
    indicator: inlineSliSchema.optional(),
    indicatorRef: z.string().min(1).optional(),
    timeWindow: z
      .array(
        strict({
          duration: z.string(),
          isRolling: z.boolean().optional(),
          calendar: strict({
            startTime: z.string().optional(),
            timeZone: z.string().optional(),
          }).optional(),
        }),
      )
      .length(1)
      .optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    objectives: z.array(objectiveSchema).min(1),
    alertPolicies: z
      .array(
        z.union([
          z.string(),
          refOrInline('alertPolicyRef', 'AlertPolicy', alertPolicySpecSchema(context)),
        ]),
      )
      .optional(),
  });
}

/** The whole-object schema of each kind. */
export function objectSchema(kind: OpenSloKind, context: SchemaContext) {
  const spec: z.ZodType = {
    SLO: sloSpecSchema(context),
    SLI: sliSpecSchema,
    AlertPolicy: alertPolicySpecSchema(context),
    AlertCondition: alertConditionSpecSchema(context),
    AlertNotificationTarget: notificationTargetSpecSchema,
    Service: serviceSpecSchema,
    DataSource: dataSourceSpecSchema,
  }[kind];
  return strict({
    apiVersion: z.literal(OPENSLO_VERSION),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });
}
