/**
 * Runs the file-drop agency simulator as its own process:
 *   npx ts-node --transpile-only test/simulators/file-drop-agency/main.ts --root /tmp/dci [--prefix DCI] [--format json|xml|csv]
 *       [--poll-ms 100] [--delay-ms 0] [--done-suffix .done] [--mode healthy|slow|reject|garbage|down|slow-writer]
 * It watches <root>/outbox and answers into <root>/inbox (the layout Kiungo uses for an endpoint override).
 * Change the mode while it runs by writing it into <root>/mode (e.g. `echo down > /tmp/dci/mode`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeOnSignal, runMain } from '../cli';
import { FILE_FORMATS, type FileFormat } from '../../../adapters/file-drop/file-drop-document';
import { FILE_DROP_AGENCY_MODES, startFileDropAgency, type FileDropAgencyMode } from './file-drop-agency.simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      prefix: { type: 'string', default: 'AG' },
      format: { type: 'string', default: 'json' },
      'poll-ms': { type: 'string', default: '100' },
      'delay-ms': { type: 'string', default: '0' },
      'done-suffix': { type: 'string' },
      mode: { type: 'string', default: 'healthy' },
    },
  });
  if (!values.root) throw new Error('--root <folder> is required');
  if (!(FILE_FORMATS as readonly string[]).includes(values.format)) throw new Error(`--format must be one of ${FILE_FORMATS.join(', ')}`);
  const root = path.resolve(values.root);
  const agency = await startFileDropAgency({
    outbox: path.join(root, 'outbox'),
    inbox: path.join(root, 'inbox'),
    pollMs: Number(values['poll-ms']),
    answerDelayMs: Number(values['delay-ms']),
    referencePrefix: values.prefix,
    format: values.format as FileFormat,
    doneFileSuffix: values['done-suffix'],
  });
  const applyMode = (mode: string): void => {
    if ((FILE_DROP_AGENCY_MODES as readonly string[]).includes(mode)) agency.setMode(mode as FileDropAgencyMode);
  };
  applyMode(values.mode);
  console.log(`file-drop agency simulator watching ${agency.outbox}, answering into ${agency.inbox}`);
  const modeWatch = setInterval(() => {
    readFile(path.join(root, 'mode'), 'utf8').then((text) => applyMode(text.trim()), () => undefined);
  }, 1000);
  closeOnSignal(() => agency.close(), () => clearInterval(modeWatch));
}

runMain(main);
