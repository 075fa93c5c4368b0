import path from 'node:path';
import { folderPairProblems, type FolderPair } from './folder-pair';

const AGENCY = '/srv/kiungo/catalogue/dci';
const local = { kind: 'local', agencyFolder: AGENCY } as const;

describe('the folder pair of a file-drop agency', () => {
  it.each<[string, FolderPair]>([
    ['absolute folders of their own', { outbox: '/var/spool/kiungo/dci/outbox', inbox: '/var/spool/kiungo/dci/inbox' }],
    ['folders inside the agency folder', { outbox: 'spool/outbox', inbox: './spool/inbox/' }],
    ['siblings whose names share a prefix', { outbox: '/spool/dci', inbox: '/spool/dci-inbox' }],
  ])('accepts %s', (_what, pair) => {
    expect(folderPairProblems(pair, local)).toEqual([]);
  });

  it.each<[string, FolderPair, { field: string; message: string | RegExp }]>([
    ['an outbox of /', { outbox: '/', inbox: '/var/spool/in' }, { field: 'outbox', message: 'is the root folder /: give the agency a folder of its own' }],
    ['an inbox of /. (the root, normalised)', { outbox: '/var/spool/out', inbox: '/.' }, { field: 'inbox', message: /^is the root folder \/:/ }],
    ['a relative path climbing out of the agency folder', { outbox: '../../elsewhere/out', inbox: 'in' }, { field: 'outbox', message: /^"\.\.\/\.\.\/elsewhere\/out" leaves the agency folder/ }],
    ['the agency folder itself', { outbox: '.', inbox: 'in' }, { field: 'outbox', message: /^is the agency folder/ }],
    ['a folder holding the agency folder', { outbox: '/srv/kiungo', inbox: 'in' }, { field: 'outbox', message: /^holds the agency folder/ }],
    ['one folder written two ways', { outbox: 'spool/x/', inbox: './spool//x' }, { field: 'outbox', message: `is the same folder as the inbox (${path.join(AGENCY, 'spool/x')})` }],
    ['an outbox inside the inbox', { outbox: '/var/spool/dci/inbox/out', inbox: '/var/spool/dci/inbox' }, { field: 'outbox', message: /^lies inside the inbox/ }],
    ['an inbox inside the outbox', { outbox: '/var/spool/dci', inbox: '/var/spool/dci/answers' }, { field: 'inbox', message: /^lies inside the outbox/ }],
  ])('refuses %s, naming the field', (_what, pair, expected) => {
    expect(folderPairProblems(pair, local)).toEqual([{ field: expected.field, message: typeof expected.message === 'string' ? expected.message : expect.stringMatching(expected.message) }]);
  });

  it('applies the same rules on an SFTP server, relative to the login folder', () => {
    const sftp = { kind: 'sftp' } as const;
    expect(folderPairProblems({ outbox: 'to-dci', inbox: 'from-dci/' }, sftp)).toEqual([]);
    expect(folderPairProblems({ outbox: '/', inbox: 'in' }, sftp)).toEqual([{ field: 'outbox', message: expect.stringMatching(/^is the root folder/) }]);
    expect(folderPairProblems({ outbox: '../up', inbox: 'in' }, sftp)).toEqual([{ field: 'outbox', message: expect.stringMatching(/leaves the login folder/) }]);
    expect(folderPairProblems({ outbox: 'x/', inbox: 'x' }, sftp)).toEqual([{ field: 'outbox', message: 'is the same folder as the inbox (x)' }]);
    expect(folderPairProblems({ outbox: 'in/out', inbox: 'in' }, sftp)).toEqual([{ field: 'outbox', message: expect.stringMatching(/^lies inside the inbox/) }]);
  });
});
