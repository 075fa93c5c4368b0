import type { FastifyInstance } from 'fastify';

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/**
 * The methods Fastify's own router (find-my-way) has a route for at `path`. Fastify answers 404
 * both to an unknown path and to a known path with another method; asking the router with each
 * method tells the second kind apart, which the problem filter answers 405 with `Allow`.
 */
export function allowedMethods(fastify: FastifyInstance, path: string): string[] {
  return METHODS.filter((method) => fastify.findRoute({ method, url: path }) !== null);
}
