/**
 * Resolves the route template (`/users/:id`) of an express request, never the raw path, so that
 * `http_route` stays low-cardinality. Works with express 4 and 5, with routers mounted under
 * parameterised paths (`app.use('/orgs/:org', router)`), whose `req.baseUrl` holds raw values.
 */

interface RouteLike {
  path: unknown;
}

interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
  /** express 5 (router 2): the path the layer was declared with. */
  rawPath?: unknown;
  /** express 5 (router 2): pure match functions, one per declared path. */
  matchers?: ((path: string) => { path: string } | false)[];
  /** express 4: the compiled mount regexp and its parameter keys. */
  regexp?: RegExp & { fast_slash?: boolean; fast_star?: boolean };
  keys?: { name: string | number }[];
}

interface AppLike {
  router?: { stack?: LayerLike[] };
  _router?: { stack?: LayerLike[] };
}

/** The parts of an express request the resolver reads. */
export interface RoutedRequest {
  route?: RouteLike;
  baseUrl?: string;
  app?: unknown;
}

const MAX_CACHED_MOUNTS_PER_ROUTE = 256;
const cache = new WeakMap<RouteLike, Map<string, string>>();

/** The route template of a request, or `undefined` when no route matched. */
export function routeTemplate(req: RoutedRequest): string | undefined {
  const route = req.route;
  if (route === undefined || route === null) return undefined;
  const routePath = pathToString(route.path);
  const baseUrl = req.baseUrl ?? '';
  if (baseUrl === '') return routePath;

  let byBase = cache.get(route);
  const cached = byBase?.get(baseUrl);
  if (cached !== undefined) return cached;

  const mount =
    mountTemplate(req.app as AppLike | undefined, baseUrl, route) ?? genericMount(baseUrl);
  const template = joinPaths(mount, routePath);
  if (byBase === undefined) {
    byBase = new Map();
    cache.set(route, byBase);
  }
  if (byBase.size < MAX_CACHED_MOUNTS_PER_ROUTE) byBase.set(baseUrl, template);
  return template;
}

function pathToString(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(pathToString).join('|');
  if (path instanceof RegExp) return path.toString();
  return String(path);
}

function joinPaths(base: string, path: string): string {
  if (base === '' || base === '/') return path;
  if (path === '/' || path === '') return base;
  return `${base.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** Walks the router tree to find the declared mount paths that lead to `route` under `baseUrl`. */
function mountTemplate(
  app: AppLike | undefined,
  baseUrl: string,
  route: RouteLike,
): string | undefined {
  // express 4 first: its `app.router` is a getter that throws ("'app.router' is deprecated!").
  let stack: LayerLike[] | undefined;
  try {
    stack = app?._router?.stack ?? app?.router?.stack;
  } catch {
    return undefined;
  }
  if (stack === undefined) return undefined;
  return search(stack, baseUrl, route, '', 0);
}

function search(
  stack: LayerLike[],
  remaining: string,
  route: RouteLike,
  prefix: string,
  depth: number,
): string | undefined {
  if (depth > 16) return undefined;
  for (const layer of stack) {
    if (layer.route === route && remaining === '') return prefix;
    const child = layer.handle?.stack;
    if (layer.route !== undefined || !Array.isArray(child)) continue;
    const match = matchMount(layer, remaining);
    if (match === undefined) continue;
    const found = search(
      child,
      remaining.slice(match.matched.length),
      route,
      joinPaths(prefix, match.template),
      depth + 1,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

function matchMount(
  layer: LayerLike,
  path: string,
): { matched: string; template: string } | undefined {
  if (path === '') return undefined;
  // express 5
  if (Array.isArray(layer.matchers) && layer.rawPath !== undefined) {
    const raws = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
    for (let i = 0; i < layer.matchers.length; i++) {
      const result = layer.matchers[i]?.(path);
      if (result !== undefined && result !== false) {
        const raw = raws[i];
        return {
          matched: result.path,
          template: typeof raw === 'string' ? raw : pathToString(raw),
        };
      }
    }
    return undefined;
  }
  // express 4
  const regexp = layer.regexp;
  if (regexp === undefined || regexp.fast_slash === true) return undefined;
  const m = regexp.exec(path);
  if (m === null) return undefined;
  const template = templateFromRegexp(regexp, layer.keys ?? []);
  return { matched: m[0].replace(/\/$/, ''), template: template ?? genericMount(m[0]) };
}

/** Rebuilds `/orgs/:org` from the regexp express 4 (path-to-regexp 0.1) compiled it into. */
function templateFromRegexp(regexp: RegExp, keys: { name: string | number }[]): string | undefined {
  let source = regexp.source
    .replace(/^\^/, '')
    .replace(/\\\/\?\(\?=\\\/\|\$\)$/, '')
    .replace(/\\\/\?\$$/, '');
  let index = 0;
  // A parameter compiles to `(?:([^\/]+?))` or, in newer 0.1.x releases, `(?:\/([^/]+?))`.
  source = source.replace(/\(\?:(\\\/)?\(\[\^\\?\/\]\+\?\)\)/g, (_match, slash?: string) => {
    const name = String(keys[index]?.name ?? index);
    index++;
    return `${slash === undefined ? '' : '/'}:${name}`;
  });
  source = source.replace(/\\(.)/g, '$1');
  return /[()[\]*+?^$|]/.test(source) ? undefined : source;
}

const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{22,})$/i;

/** Last resort when the router tree cannot be read: replace id-like segments with `:param`. */
function genericMount(baseUrl: string): string {
  return baseUrl
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':param' : segment))
    .join('/');
}
