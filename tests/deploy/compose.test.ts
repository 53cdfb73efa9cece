/**
 * deploy/docker-compose.yml, the collector configs and the service's Dockerfile cannot be run
 * here (no Docker engine, no compose plugin, no collector binary), so these tests check what a
 * typo would break: every file a service mounts or builds from exists, every host name a config
 * points at is a compose service listening on that port, the collector's pipelines are wired, and
 * the image is multi-stage, non-root and free of dev dependencies.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const deploy = join(root, 'deploy');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: string[] | Record<string, unknown>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

async function readYaml<T>(path: string): Promise<T> {
  return parse(await readFile(path, 'utf8'), { merge: true }) as T;
}

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?error}`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op, arg: string) => {
    const set = env[name] !== undefined && env[name] !== '';
    if (set) return env[name] as string;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? arg : '';
  });
}

/** The port a service of ours listens on inside the network, from its PORT or known images. */
const IMAGE_PORTS: Record<string, number[]> = {
  'prom/prometheus': [9090],
  'prom/alertmanager': [9093],
  'grafana/grafana-oss': [3000],
  'otel/opentelemetry-collector-contrib': [4317, 4318, 13133],
  'jaegertracing/all-in-one': [4317, 4318, 16686],
  redis: [6379],
};
function listens(service: ComposeService | undefined, port: number): boolean {
  if (!service) return false;
  const env = service.environment?.PORT;
  if (env !== undefined) return Number(env) === port;
  const image = service.image?.split(':')[0] ?? '';
  return IMAGE_PORTS[image]?.includes(port) ?? false;
}
function hostPort(url: string): { host: string; port: number } {
  const { hostname, port, protocol } = new URL(url.includes('://') ? url : `http://${url}`);
  return { host: hostname, port: Number(port || (protocol === 'https:' ? 443 : 80)) };
}

const compose = await readYaml<Compose>(join(deploy, 'docker-compose.yml'));
const services = compose.services;
const FLEET = ['orders-1', 'orders-2', 'orders-3'];

describe('deploy/docker-compose.yml', () => {
  it('has the fleet, its dependency, the proxy, Redis and the observability stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        ...FLEET,
        'inventory',
        'proxy',
        'redis',
        'prometheus',
        'alertmanager',
        'grafana',
        'otel-collector',
        'jaeger',
      ].sort(),
    );
  });

  it('builds the service image from a Dockerfile and context that exist, and runs its three programs', () => {
    for (const name of [...FLEET, 'inventory', 'proxy']) {
      const build = services[name]?.build;
      expect(build, name).toBeDefined();
      const context = resolve(deploy, build?.context ?? '');
      expect(existsSync(context), `${name} build context ${context}`).toBe(true);
      expect(existsSync(join(context, build?.dockerfile ?? 'Dockerfile'))).toBe(true);
    }
    for (const name of FLEET) expect(services[name]?.command).toEqual(['dist/instance.js']);
    expect(services.inventory?.command).toEqual(['dist/inventory.js']);
    expect(services.proxy?.command).toEqual(['dist/fleet/proxy.js']);
    // Each command is a program the service compiles from src/ (tsc -b: src/x.ts → dist/x.js).
    const service = join(root, 'examples/reference-service');
    for (const name of [...FLEET, 'inventory', 'proxy']) {
      const program = services[name]?.command?.[0] ?? '';
      const source = program.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(join(service, source)), `${name}: ${source}`).toBe(true);
    }
  });

  it('mounts only files and directories that exist, and declares its named volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(resolve(deploy, source)), `${name}: ${volume}`).toBe(true);
        } else {
          expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source);
        }
      }
    }
    expect(services.prometheus?.volumes).toContain('../alerts:/etc/prometheus/alerts:ro');
    expect(services.grafana?.volumes).toContain(
      '../dashboards:/var/lib/grafana/dashboards/srekit:ro',
    );
  });

  it('refuses to start the fleet without shared JWT keys, and otherwise gives every instance a valid, distinct configuration', () => {
    const env = (name: string) => services[name]?.environment ?? {};
    expect(() => interpolate(env('orders-1').JWT_PRIVATE_KEY ?? '', {})).toThrow(/deploy\/\.env/);
    const keys = { JWT_PRIVATE_KEY: 'k', JWT_PUBLIC_JWKS: '{"keys":[]}' };
    const ids = new Set<string>();
    for (const name of FLEET) {
      const resolved = Object.fromEntries(
        Object.entries(env(name)).map(([k, v]) => [k, interpolate(String(v), keys)]),
      );
      expect(resolved).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', ...keys });
      ids.add(resolved.INSTANCE_ID as string);
      for (const url of (resolved.INVENTORY_URLS as string).split(',')) {
        const { host, port } = hostPort(url);
        expect(listens(services[host], port), url).toBe(true);
      }
      const redis = hostPort((resolved.REDIS_URL as string).replace(/^redis:/, 'http:'));
      expect(listens(services[redis.host], redis.port)).toBe(true);
      const otlp = hostPort(resolved.OTEL_EXPORTER_OTLP_ENDPOINT as string);
      expect(otlp.host).toBe('otel-collector');
      expect(listens(services[otlp.host], otlp.port)).toBe(true);
    }
    expect(ids).toEqual(new Set(FLEET));
    for (const url of (env('proxy').BACKEND_URLS ?? '').split(',')) {
      const { host, port } = hostPort(url);
      expect(listens(services[host], port), url).toBe(true);
    }
  });

  it('matches every target of prometheus.yml to a compose service listening on that port', async () => {
    const prometheus = await readYaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    }>(join(deploy, 'prometheus/prometheus.yml'));
    const targets = [
      ...prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)),
      ...prometheus.alerting.alertmanagers.flatMap((a) =>
        a.static_configs.flatMap((s) => s.targets),
      ),
    ];
    for (const target of targets) {
      const { host, port } = hostPort(target);
      expect(listens(services[host], port), target).toBe(true);
    }
    const scraped = new Set(targets.map((t) => hostPort(t).host));
    for (const name of [...FLEET, 'proxy', 'inventory']) expect(scraped).toContain(name);
    // The generated rules select the instances by job="orders" (the SLO specs' job).
    const orders = prometheus.scrape_configs.find((c) => c.job_name === 'orders');
    expect(orders?.static_configs.flatMap((s) => s.targets).map((t) => hostPort(t).host)).toEqual(
      FLEET,
    );
  });

  it('points Grafana at the Prometheus and Jaeger services', async () => {
    const { datasources } = await readYaml<{ datasources: { url: string }[] }>(
      join(deploy, 'grafana/provisioning/datasources/prometheus.yaml'),
    );
    for (const { url } of datasources) {
      const { host, port } = hostPort(url);
      expect(listens(services[host], port), url).toBe(true);
    }
  });
});

type Pipelines = Record<
  string,
  { receivers: string[]; processors?: string[]; exporters: string[] }
>;
interface Collector {
  receivers: Record<string, Record<string, unknown> | null>;
  processors?: Record<string, unknown>;
  exporters: Record<string, Record<string, unknown> | null>;
  service: { pipelines: Pipelines };
}

/** How the collector merges several `--config` files: maps deeply, anything else replaced. */
function merge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  return b === undefined ? a : b;
}

function expectWired(config: Collector): void {
  for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
    for (const r of pipeline.receivers)
      expect(config.receivers, `${name} ${r}`).toHaveProperty([r]);
    for (const p of pipeline.processors ?? [])
      expect(config.processors, `${name} ${p}`).toHaveProperty([p]);
    for (const e of pipeline.exporters)
      expect(config.exporters, `${name} ${e}`).toHaveProperty([e]);
  }
}

describe('deploy/otel-collector', () => {
  it('receives OTLP over gRPC and HTTP and exports traces to the Jaeger service', async () => {
    const config = await readYaml<Collector>(join(deploy, 'otel-collector/config.yaml'));
    expectWired(config);
    expect(config.receivers.otlp).toMatchObject({
      protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } },
    });
    const traces = config.service.pipelines.traces;
    expect(traces?.receivers).toContain('otlp');
    expect(traces?.exporters).toContain('otlp/jaeger');
    const { host, port } = hostPort(String(config.exporters['otlp/jaeger']?.endpoint));
    expect(listens(services[host], port)).toBe(true);
    // The default stack never needs AWS credentials.
    expect(JSON.stringify(config)).not.toContain('awsemf');
  });

  it('adds CloudWatch (awsemf) in its own pipeline when cloudwatch.yaml is merged, as the compose override does', async () => {
    const override = await readYaml<Compose>(
      join(deploy, 'otel-collector/docker-compose.cloudwatch.yml'),
    );
    const collector = override.services['otel-collector'];
    for (const volume of collector?.volumes ?? []) {
      expect(existsSync(resolve(deploy, volume.split(':')[0] as string)), volume).toBe(true);
    }
    expect(collector?.command).toEqual([
      ...(services['otel-collector']?.command ?? []),
      '--config=/etc/otelcol-contrib/cloudwatch.yaml',
    ]);
    expect(() => interpolate(collector?.environment?.AWS_REGION ?? '', {})).toThrow(/AWS_REGION/);

    const merged = merge(
      await readYaml<Collector>(join(deploy, 'otel-collector/config.yaml')),
      await readYaml<Collector>(join(deploy, 'otel-collector/cloudwatch.yaml')),
    ) as Collector;
    expectWired(merged);
    expect(merged.service.pipelines.traces?.exporters).toContain('otlp/jaeger');
    const cloudwatch = merged.service.pipelines['metrics/cloudwatch'];
    expect(cloudwatch?.exporters).toEqual(['awsemf']);
    const scrape = (
      merged.receivers['prometheus/fleet'] as {
        config: { scrape_configs: { static_configs: { targets: string[] }[] }[] };
      }
    ).config.scrape_configs;
    for (const target of scrape.flatMap((c) => c.static_configs.flatMap((s) => s.targets))) {
      const { host, port } = hostPort(target);
      expect(listens(services[host], port), target).toBe(true);
    }
  });
});

interface Stage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, continuations joined). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

describe('examples/reference-service/Dockerfile', async () => {
  const service = join(root, 'examples/reference-service');
  const stages = parseDockerfile(await readFile(join(service, 'Dockerfile'), 'utf8'));
  const build = stages[0] as Stage;
  const runtime = stages.at(-1) as Stage;
  const ops = (stage: Stage, op: string) =>
    stage.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('builds with pnpm on node:20 and runs in a separate slim or distroless Node.js 20 stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.from).toMatch(/^node:\$\{NODE_VERSION\}|^node:20/);
    expect(ops(build, 'RUN').join('\n')).toMatch(/pnpm install --frozen-lockfile/);
    expect(ops(build, 'RUN').join('\n')).toMatch(/tsc -b examples\/reference-service/);
    expect(runtime.from).toMatch(/distroless\/nodejs|-slim/);
    expect(ops(runtime, 'RUN')).toEqual([]);
  });

  it('runs as a non-root user', () => {
    const users = ops(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('ships dist, the SLO specs and production dependencies only', () => {
    const deployRun = ops(build, 'RUN').find((r) => / deploy \/out/.test(r));
    expect(deployRun).toMatch(/--prod deploy \/out/);
    const copies = ops(runtime, 'COPY');
    for (const copy of copies) expect(copy).toMatch(/--from=build/);
    const sources = copies.map((c) => c.split(/\s+/).filter((a) => !a.startsWith('--'))[0]);
    expect(sources.sort()).toEqual(
      [
        '/out/node_modules',
        '/out/package.json',
        '/repo/examples/reference-service/dist',
        '/repo/examples/reference-service/slos',
      ].sort(),
    );
  });

  it('copies only files that exist from the context, the repository root', () => {
    for (const copy of ops(build, 'COPY')) {
      const parts = copy.split(/\s+/).filter((a) => !a.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(join(root, source)), source).toBe(true);
      }
    }
    expect(services['orders-1']?.build?.context).toBe('..');
    expect(existsSync(join(service, 'Dockerfile.dockerignore'))).toBe(true);
  });

  it('has a health check on /livez and starts an instance by default', () => {
    expect(ops(runtime, 'HEALTHCHECK').join('')).toMatch(/\/livez/);
    expect(ops(runtime, 'CMD')).toEqual(['["dist/instance.js"]']);
    expect(ops(runtime, 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0/);
  });
});
