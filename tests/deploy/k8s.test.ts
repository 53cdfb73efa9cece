/**
 * deploy/k8s cannot be applied here (no cluster), so these tests check what a typo would break:
 * kustomize renders it, every Service selects a workload and a named port, every container runs a
 * program the service compiles with the contract's environment, and every URL a container is
 * given points at a Service (or StatefulSet pod) listening on that port.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { findBinary } from '../support/system-deps.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const k8s = join(root, 'deploy/k8s');
const kubectl = findBinary('kubectl');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    replicas?: number;
    serviceName?: string;
    clusterIP?: string;
    jobLabel?: string;
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
    ports?: { name: string; port: number; targetPort: string }[];
    endpoints?: { port: string; path: string }[];
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { securityContext?: { runAsNonRoot?: boolean }; containers: Container[] };
    };
  };
}

async function load(file: string): Promise<Manifest[]> {
  const docs = parseAllDocuments(await readFile(join(k8s, file), 'utf8'));
  return docs.map((d) => d.toJS() as Manifest).filter(Boolean);
}

const kustomization = parse(await readFile(join(k8s, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
};
const manifests = (await Promise.all(kustomization.resources.map(load))).flat();
const workloads = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
const services = manifests.filter((m) => m.kind === 'Service');

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
function podsOf(service: Manifest): Manifest[] {
  const selector = service.spec.selector ?? {};
  return workloads.filter((w) => matches(selector, w.spec.template?.metadata.labels ?? {}));
}
function containersOf(workload: Manifest): Container[] {
  return workload.spec.template?.spec.containers ?? [];
}
/** True when `host:port` reaches a container port: a Service name, or `<pod>.<headless service>`. */
function reaches(host: string, port: number): boolean {
  const [first, second] = host.split('.');
  const service = services.find((s) => s.metadata.name === (second ?? first));
  if (!service) return false;
  const servicePort = service.spec.ports?.find((p) => p.port === port);
  if (!servicePort) return false;
  const pods = podsOf(service);
  if (second !== undefined) {
    // A StatefulSet pod name: <statefulset>-<ordinal> under its governing headless Service.
    const set = pods.find((w) => w.kind === 'StatefulSet' && w.spec.serviceName === second);
    const ordinal = Number(first?.slice((set?.metadata.name.length ?? 0) + 1));
    if (!set || service.spec.clusterIP !== 'None') return false;
    if (!(first?.startsWith(`${set.metadata.name}-`) && ordinal < (set.spec.replicas ?? 1)))
      return false;
  }
  return pods.some((w) =>
    containersOf(w).some((c) => c.ports?.some((p) => p.name === servicePort.targetPort)),
  );
}
function env(container: Container): Record<string, EnvVar> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
}

describe.skipIf(!kubectl)('deploy/k8s with kubectl kustomize', () => {
  it('renders every resource into the srekit namespace', async () => {
    const { stdout } = await run(kubectl as string, ['kustomize', k8s], { timeout: 20_000 });
    const rendered = parseAllDocuments(stdout).map(
      (d) =>
        d.toJS() as Manifest & {
          metadata: { namespace?: string };
        },
    );
    expect(rendered.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort(),
    );
    for (const m of rendered) expect(m.metadata.namespace).toBe('srekit');
  });
});

describe('deploy/k8s', () => {
  it('has the orders instances, inventory, the proxy and Redis, each selected by a Service on a named port', () => {
    expect(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      'Deployment/inventory',
      'Deployment/proxy',
      'Deployment/redis',
      'StatefulSet/orders',
    ]);
    for (const service of services) {
      expect(podsOf(service).length, service.metadata.name).toBe(1);
      for (const port of service.spec.ports ?? []) {
        expect(reaches(service.metadata.name, port.port), service.metadata.name).toBe(true);
      }
    }
  });

  it('runs the service programs as non-root with the contract environment, probes and ports', () => {
    const service = join(root, 'examples/reference-service');
    const programs = new Map<string, string>();
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        if (container.image !== 'srekit/reference-service') continue;
        const program = container.args?.[0] ?? '';
        programs.set(workload.metadata.name, program);
        const source = program.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
        expect(existsSync(join(service, source)), source).toBe(true);
        expect(workload.spec.template?.spec.securityContext?.runAsNonRoot).toBe(true);
        const vars = env(container);
        expect(vars.HOST?.value).toBe('0.0.0.0');
        const http = container.ports?.find((p) => p.name === 'http');
        expect(Number(vars.PORT?.value)).toBe(http?.containerPort);
        expect(container.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
        expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      }
    }
    expect(Object.fromEntries(programs)).toEqual({
      orders: 'dist/instance.js',
      inventory: 'dist/inventory.js',
      proxy: 'dist/fleet/proxy.js',
    });
  });

  it('points every URL a container is given at something listening there', () => {
    const urls: string[] = [];
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        const vars = env(container);
        for (const name of ['INVENTORY_URLS', 'BACKEND_URLS', 'REDIS_URL']) {
          urls.push(...(vars[name]?.value?.split(',') ?? []));
        }
      }
    }
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const raw of urls) {
      const url = new URL(raw.replace(/^redis:/, 'http:'));
      expect(reaches(url.hostname, Number(url.port)), raw).toBe(true);
    }
    const orders = workloads.find((w) => w.metadata.name === 'orders') as Manifest;
    const proxy = containersOf(workloads.find((w) => w.metadata.name === 'proxy') as Manifest)[0];
    expect(env(proxy as Container).BACKEND_URLS?.value?.split(',')).toHaveLength(
      orders.spec.replicas ?? 1,
    );
  });

  it('gives every instance the same JWT keys from one Secret', () => {
    const orders = containersOf(workloads.find((w) => w.metadata.name === 'orders') as Manifest);
    const vars = env(orders[0] as Container);
    const refs = ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_JWKS'].map(
      (k) => vars[k]?.valueFrom?.secretKeyRef,
    );
    expect(refs).toEqual([
      { name: 'orders-jwt', key: 'JWT_PRIVATE_KEY' },
      { name: 'orders-jwt', key: 'JWT_PUBLIC_JWKS' },
    ]);
  });

  it('has ServiceMonitors whose jobs are the ones prometheus.yml and the generated rules use', async () => {
    const monitors = await load('monitoring.yaml');
    const prometheus = parse(
      await readFile(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8'),
    ) as { scrape_configs: { job_name: string }[] };
    const jobs: string[] = [];
    for (const monitor of monitors) {
      const selected = services.filter((s) =>
        matches(monitor.spec.selector?.matchLabels ?? {}, s.metadata.labels ?? {}),
      );
      expect(selected, monitor.metadata.name).toHaveLength(1);
      const service = selected[0] as Manifest;
      for (const endpoint of monitor.spec.endpoints ?? []) {
        expect(service.spec.ports?.map((p) => p.name)).toContain(endpoint.port);
      }
      // The Operator's job label: the jobLabel label's value on the Service, else its name.
      const jobLabel = monitor.spec.jobLabel;
      jobs.push(jobLabel ? (service.metadata.labels?.[jobLabel] ?? '') : service.metadata.name);
    }
    expect(jobs.sort()).toEqual(prometheus.scrape_configs.map((c) => c.job_name).sort());
  });
});
