/**
 * `nginx`: what a plain reverse proxy costs. nginx (one worker process, keep-alive to the
 * upstream, access log off) proxies to the same REST simulator `direct` loads; autocannon sends the
 * same POST through it. Beside `gateway`, it says how much of the gateway's cost is "being a hop"
 * and how much is the work a hop like nginx does not do (auth, validation, the database, audit).
 * Skipped when nginx is not installed (`apt-get install nginx-light`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinary } from '../lib/binaries';
import { watchCpu } from '../lib/cpu';
import { freePort, isOk } from '../lib/http';
import { spawnManaged, waitUntil } from '../lib/processes';
import { REPO_ROOT } from '../lib/repo';
import { ScenarioSkipped, type Scenario } from '../lib/scenario';
import { directAgencyLoad, NRB_SERVICE_PATH, nrbSimulator } from '../lib/stack';

export const nginx: Scenario = {
  name: 'nginx',
  summary: `autocannon → nginx (1 worker, keep-alive upstream) → REST simulator POST ${NRB_SERVICE_PATH}`,
  baseline: 'direct',
  async run(ctx) {
    const binary = findBinary('nginx');
    if (!binary) throw new ScenarioSkipped('nginx is not installed (apt-get install -y nginx-light); the direct and gateway figures stand alone');
    const simulator = await nrbSimulator(ctx);
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-nginx-'));
    const conf = writeNginxConf(dir, port, new URL(simulator.url).host);
    const proxy = spawnManaged(`nginx :${port}`, binary, ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(() => isOk(`${url}/health`), `nginx at ${url}`, { timeoutMs: 15_000, process: proxy });
      await simulator.reset();
      const request = { ...directAgencyLoad(simulator), url };
      await ctx.warmUp(request);
      await simulator.reset();
      const worker = childPids(proxy.pid)[0];
      const cpu = watchCpu({ nginx: worker ? [proxy.pid, worker] : proxy.pid, simulator: simulator.pid });
      const load = await ctx.load(request);
      const cpuReport = cpu.stop(load.requests);
      const agency = await simulator.counts();
      return {
        target: `nginx (pid ${proxy.pid}) → simulator (pid ${simulator.pid}) POST ${NRB_SERVICE_PATH}`,
        load,
        figures: [{ label: 'agency applications created', value: agency.accepted }],
        cpu: cpuReport,
        checks: [
          {
            label: 'every response 201 through the proxy, every key new',
            ok: load.non2xx === 0 && load.errors === 0 && agency.duplicates === 0,
            detail: `${JSON.stringify(load.statusCodes)}, ${load.errors} errors, ${agency.duplicates} duplicate keys`,
          },
        ],
        notes: [`${binary}, worker_processes 1, upstream keepalive 64, access_log off.`],
      };
    } finally {
      await proxy.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The master's children (its worker), from /proc (Linux); empty when unknown. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function writeNginxConf(dir: string, port: number, upstream: string): string {
  for (const sub of ['logs', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
  const tmp = path.join(dir, 'tmp');
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
error_log ${path.join(dir, 'logs', 'error.log')} warn;
pid ${path.join(dir, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  upstream agency { server ${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://agency;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  return conf;
}
