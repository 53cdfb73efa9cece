// nginx configurations of bench/engine-proxy: the upstream (a fixed small body) and the reference
// reverse proxy. Both run one worker in the foreground without a master process, with every
// path (pid, error log, temp dirs) inside a temp dir, so they also run as non-root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

/** The upstream's answer to every request. */
export const BODY = '{"message":"hello from the upstream"}';

/** `nginx version: nginx/1.22.1`, or null when nginx is not installed. */
export function nginxVersion() {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8', timeout: 5_000 });
  if (r.error || r.status !== 0) return null;
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().replace(/^nginx version:\s*/, '');
}

function common(dir) {
  return `worker_processes 1;
daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
`;
}

// Long-lived keep-alive on every leg: no per-connection request limit or idle timeout gets in the
// way during a run (Node's servers and agents have neither), so no leg pays for reconnects.
function httpCommon(dir) {
  return `  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
`;
}

/**
 * Writes the configuration of a server in `dir` and returns the nginx arguments that run it.
 *
 * @param kind - `'upstream'` answers every request with {@link BODY}; `'proxy'` forwards to
 *   127.0.0.1:`upstreamPort` over an upstream keep-alive pool (`keepalive 64`, HTTP/1.1, empty
 *   `Connection` header).
 */
export function nginxArgs(kind, { dir, port, upstreamPort }) {
  mkdirSync(dir, { recursive: true });
  const server =
    kind === 'upstream'
      ? `  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${BODY}';
    }
  }
`
      : `  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `${common(dir)}http {\n${httpCommon(dir)}${server}}\n`);
  return ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf];
}
