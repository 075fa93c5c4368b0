import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queue } from 'bullmq';
import type { Principal } from '../auth';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { BullMqRetryQueue } from '../../../core/retry-queue/bullmq.retry-queue';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { TokenVerifier } from '../auth/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../../../core/shared/errors';
import { PROBLEM_CONTENT_TYPE, problemDetails, problemFor } from '../http/problem';

/** Where the BullMQ board is served, and the cookie that carries the /ops sign-in to it. */
export const OPS_QUEUES_PATH = '/ops/queues';
export const OPS_SESSION_COOKIE = 'kiungo_ops';

/** Who may look at the board, and who may act on jobs (retry, clean, promote: anything but GET). */
const READERS = new Set(['operator', 'manager', 'admin']);
const ACTORS = new Set(['operator', 'admin']);

/**
 * The BullMQ board (@bull-board/fastify) at /ops/queues, behind the same sign-in as /ops. Its page
 * and its own API calls cannot carry a bearer header, so signing in on /ops also sets an HttpOnly,
 * SameSite=Strict cookie with the token, scoped to this path; every request here is verified with
 * the same TokenVerifier as the API (401 without a valid token, 403 without the role).
 */
export async function mountQueueBoard(fastify: FastifyInstance, queues: readonly Queue[], verifier: TokenVerifier): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(OPS_QUEUES_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter, options: { uiConfig: { boardTitle: 'Kiungo queues' } } });
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const principal = await signedIn(request, verifier);
        if (!principal) return refuse(request, reply, new DomainError('unauthenticated', 'ops-sign-in-required', 'Sign in on /ops first: the queue board takes the same sign-in.'));
        const allowed = request.method === 'GET' || request.method === 'HEAD' ? READERS : ACTORS;
        if (!principal.roles.some((role) => allowed.has(role))) {
          return refuse(request, reply, new DomainError('forbidden', 'ops-queues-forbidden', `The queue board needs one of the roles ${[...allowed].join(', ')} for ${request.method}.`));
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: OPS_QUEUES_PATH },
  );
}

/** The Set-Cookie value that carries `token` to the board for `maxAgeSeconds` (0 clears it). */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${OPS_SESSION_COOKIE}=${token}`, `Path=${OPS_QUEUES_PATH}`, 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}

async function signedIn(request: FastifyRequest, verifier: TokenVerifier): Promise<Principal | undefined> {
  const token = cookie(request.headers.cookie, OPS_SESSION_COOKIE);
  if (!token) return undefined;
  try {
    return await verifier.verify(token);
  } catch {
    return undefined;
  }
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The same problem+json the API answers (the Nest filter does not see these plain Fastify routes). */
async function refuse(request: FastifyRequest, reply: FastifyReply, error: DomainError): Promise<FastifyReply> {
  const problem = problemFor(error, { unrouted: false, allowedMethods: [] });
  return reply.status(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(problemDetails(problem, request.url, String(request.id)));
}

/** Mounts the board at start in production mode (BullMQ on Redis); embedded mode has no BullMQ queue to show. */
@Injectable()
export class OpsQueueBoard implements OnModuleInit {
  /** Whether /ops/queues exists in this process. */
  mounted = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly host: HttpAdapterHost,
    private readonly retries: RetryQueue,
    private readonly verifier: TokenVerifier,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.mode !== 'production' || !(this.retries instanceof BullMqRetryQueue)) return;
    await mountQueueBoard(this.host.httpAdapter.getInstance<FastifyInstance>(), [this.retries.boardQueue], this.verifier);
    this.mounted = true;
  }
}
