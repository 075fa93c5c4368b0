import type { FastifyInstance } from 'fastify';

/**
 * Every route Fastify registers, so that a request Fastify could not route can be told apart:
 * an unknown path (404) or a known path with another method (405 with `Allow`). Fastify
 * itself answers 404 to both.
 */
export class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(methods: string | readonly string[], url: string): void {
    const pattern = patternOf(url);
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      this.routes.push({ method: method.toUpperCase(), pattern });
    }
  }

  allowedMethods(path: string): string[] {
    const allowed = new Set(this.routes.filter((route) => route.pattern.test(path)).map((route) => route.method));
    return [...allowed].sort();
  }
}

/** `/v1/transactions/:id` and `/docs/*` as anchored regular expressions. */
function patternOf(url: string): RegExp {
  let source = '';
  for (let i = 0; i < url.length; i += 1) {
    const char = url[i];
    if (char === ':' && url[i + 1] !== ':') {
      i += 1;
      while (i < url.length && /[A-Za-z0-9_]/.test(url[i])) i += 1;
      // A parameter's own regexp, `:id(^\\d+)`, is skipped: any segment will do here.
      if (url[i] === '(') i = closingParenthesis(url, i);
      else i -= 1;
      source += '[^/]+';
    } else if (char === ':' ) {
      source += ':';
      i += 1;
    } else if (char === '*') {
      source += '.*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}/?$`);
}

function closingParenthesis(url: string, open: number): number {
  let depth = 0;
  for (let i = open; i < url.length; i += 1) {
    if (url[i] === '(') depth += 1;
    if (url[i] === ')' && --depth === 0) return i;
  }
  return url.length;
}

const tables = new WeakMap<object, RouteTable>();

/** Starts recording the routes of `instance`; call before any route is registered. */
export function attachRouteTable(instance: FastifyInstance): RouteTable {
  const table = new RouteTable();
  tables.set(instance, table);
  instance.addHook('onRoute', (route) => table.add(route.method, route.url ?? route.path));
  return table;
}

export function routeTableOf(instance: object): RouteTable | undefined {
  return tables.get(instance);
}
