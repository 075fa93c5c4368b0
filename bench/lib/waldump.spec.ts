import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BTREE_LEAF_INSERTS, BTREE_SPLITS, HEAP_INSERTS, recordsOf, tallyWal, WalTally } from './waldump';

/** Real pg_waldump 15 output: database 65361 replaying the db-floor script, 67037 and 67004 other sessions. */
const SAMPLE = readFileSync(path.join(__dirname, 'fixtures', 'pg_waldump-15.txt'), 'utf8');

describe('tallyWal', () => {
  it("counts the records naming the database's blocks and the commits of their transactions", () => {
    const counts = tallyWal(SAMPLE, 65361);
    expect(counts).toMatchObject({ records: 109, bytes: 13635, imageBytes: 25496, images: 15, transactions: 5, commits: 3 });
    expect(counts.byKind).toEqual({
      'Heap INSERT': { records: 9, bytes: 2081 },
      'Heap INSERT+INIT': { records: 2, bytes: 956 },
      'Heap HEAP_CONFIRM': { records: 6, bytes: 288 },
      'Heap HOT_UPDATE': { records: 4, bytes: 1033 },
      'Heap UPDATE': { records: 2, bytes: 612 },
      'Heap LOCK': { records: 4, bytes: 216 },
      'Heap2 PRUNE': { records: 4, bytes: 239 },
      'Btree INSERT_LEAF': { records: 71, bytes: 6012 },
      'Btree INSERT_UPPER': { records: 2, bytes: 200 },
      'Btree SPLIT_R': { records: 2, bytes: 1896 },
      'Transaction COMMIT': { records: 3, bytes: 102 },
    });
    expect(recordsOf(counts, ...HEAP_INSERTS)).toBe(11);
    expect(recordsOf(counts, ...BTREE_LEAF_INSERTS)).toBe(71);
    expect(recordsOf(counts, ...BTREE_SPLITS)).toBe(2);
  });

  it("leaves out other databases' records and commits, and records naming no database", () => {
    const other = tallyWal(SAMPLE, 67037);
    const neighbour = tallyWal(SAMPLE, 67004);
    expect(other).toMatchObject({ records: 9, bytes: 467, images: 0, transactions: 4, commits: 4 });
    expect(neighbour).toMatchObject({ records: 56, bytes: 6286, transactions: 14, commits: 14 });
    // Every record is one database's, counted once, but the checkpoint's two (RUNNING_XACTS, CHECKPOINT_ONLINE).
    const records = SAMPLE.split('\n').filter((line) => line.startsWith('rmgr: ')).length;
    expect(tallyWal(SAMPLE, 65361).records + other.records + neighbour.records).toBe(records - 2);
    expect(tallyWal(SAMPLE, 1).records).toBe(0);
  });

  it('counts a commit only after a record of its transaction named the database, lines fed one at a time', () => {
    const commit = 'rmgr: Transaction len (rec/tot):     34/    34, tx:     657640, lsn: 1/2A92C770, prev 1/2A92C728, desc: COMMIT 2026-12-07 01:37:26.331442 UTC';
    const insert =
      'rmgr: Heap        len (rec/tot):     54/  1226, tx:     657640, lsn: 1/2A91FD58, prev 1/2A91FD30, desc: INSERT off 3 flags 0x04, blkref #0: rel 1663/65361/65420 blk 4 FPW';
    const tally = new WalTally(65361);
    tally.add(commit);
    expect(tally.result().records).toBe(0);
    tally.add(insert);
    tally.add('pg_waldump: error: error in WAL record at 1/2A92C770: invalid record length');
    tally.add(commit);
    expect(tally.result()).toMatchObject({ records: 2, bytes: 88, imageBytes: 1172, images: 1, transactions: 1, commits: 1 });
  });

  it('finds the database in any block a record names, not only the first', () => {
    const update =
      'rmgr: Heap        len (rec/tot):     73/  2797, tx:     657308, lsn: 1/2A8FAE30, prev 1/2A8F8DF8, desc: UPDATE off 192 xmax 657308 flags 0x00 ; new off 75 xmax 0, blkref #0: rel 1663/67037/67039 blk 1 FPW, blkref #1: rel 1663/65361/67039 blk 0';
    expect(tallyWal(update, 65361)).toMatchObject({ records: 1, bytes: 73, imageBytes: 2724, images: 1 });
    expect(tallyWal(update, 1663)).toMatchObject({ records: 0 });
  });

  it('counts every full-page image a record carries', () => {
    const split =
      'rmgr: Btree       len (rec/tot):   1234/ 17618, tx:     657400, lsn: 1/2A900000, prev 1/2A8FFFC0, desc: SPLIT_R level 0, firstrightoff 200, newitemoff 10, postingoff 0, blkref #0: rel 1663/65361/65433 blk 5 FPW, blkref #1: rel 1663/65361/65433 blk 9 FPW, blkref #2: rel 1663/65361/65433 blk 6';
    expect(tallyWal(split, 65361)).toMatchObject({ records: 1, bytes: 1234, imageBytes: 16384, images: 2 });
  });
});
