/**
 * Preloaded into the processes the bench starts (`node --require bench/lib/probe/preload.cjs …`):
 * counts the SQL statements this process sends through `pg` and the commands it sends to Redis
 * through `ioredis`, and on request records them (text, statement name, parameters as `pg` puts
 * them on the wire). The bench asks over the IPC channel (bench/lib/probe/client.ts):
 *   { probe: 'counts', id }          → { probe: 'counts', id, statements, redis: { command: n } }
 *   { probe: 'record', id, on: true } → starts recording (clears what was recorded)
 *   { probe: 'record', id, on: false } → { probe: 'recorded', id, statements: [...], redis: [...] }
 *   { probe: 'tail', id, on: true }   → starts watching where the latency tail comes from (tail.cjs)
 *   { probe: 'tail', id, on: false }  → { probe: 'tailed', id, ...what tail.cjs saw }
 * Plain JavaScript so that it loads into the built gateway (dist/) as it is. Outside recording a
 * statement costs one counter increment; the IPC channel is unref'd, so it keeps no process alive.
 */
'use strict';

if (typeof process.send === 'function') {
  const pg = require('pg');
  const { prepareValue } = require('pg/lib/utils');
  const Redis = require('ioredis');
  const tail = require('./tail.cjs');

  let statements = 0;
  const redisCommands = new Map();
  let recording = null;

  const originalQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function probedQuery(config, values, callback) {
    statements++;
    if (recording) recording.statements.push(describe(config, values));
    if (!tail.watching()) return originalQuery.call(this, config, values, callback);
    // While the tail is watched: each statement's round trip (the client's own queue included).
    const done = tail.noteQuery(config);
    if (typeof values === 'function') return originalQuery.call(this, config, (error, result) => (done(), values(error, result)));
    if (typeof callback === 'function') return originalQuery.call(this, config, values, (error, result) => (done(), callback(error, result)));
    const result = originalQuery.call(this, config, values, callback);
    if (result && typeof result.then === 'function') result.then(done, done);
    return result;
  };

  const originalSend = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function probedSendCommand(command, stream) {
    const name = String(command && command.name).toLowerCase();
    redisCommands.set(name, (redisCommands.get(name) || 0) + 1);
    if (recording) recording.redis.push(name);
    tail.noteRedis(name, command);
    return originalSend.call(this, command, stream);
  };

  process.on('message', (message) => {
    if (!message || typeof message !== 'object' || typeof message.probe !== 'string') return;
    if (message.probe === 'counts') {
      process.send({ probe: 'counts', id: message.id, statements, redis: Object.fromEntries(redisCommands) });
    } else if (message.probe === 'record' && message.on) {
      recording = { statements: [], redis: [] };
      process.send({ probe: 'recording', id: message.id });
    } else if (message.probe === 'tail' && message.on) {
      tail.start();
      process.send({ probe: 'tailing', id: message.id });
    } else if (message.probe === 'tail') {
      process.send({ probe: 'tailed', id: message.id, ...tail.stop() });
    } else if (message.probe === 'record') {
      const done = recording || { statements: [], redis: [] };
      recording = null;
      process.send({ probe: 'recorded', id: message.id, statements: done.statements, redis: done.redis });
    }
  });
  // The channel must not keep a process alive that would otherwise exit (explicit unref wins
  // over the reference a 'message' listener takes).
  if (process.channel) process.channel.unref();

  /** Text, name and the parameters as pg sends them: strings, hex for binary (bytea), null. */
  function describe(config, values) {
    const query = typeof config === 'string' ? { text: config, values } : config || {};
    const params = Array.isArray(query.values) ? query.values : Array.isArray(values) ? values : [];
    return {
      text: String(query.text),
      ...(query.name ? { name: String(query.name) } : {}),
      values: params.map((value) => {
        const prepared = prepareValue(value);
        if (prepared === null || prepared === undefined) return { null: true };
        if (Buffer.isBuffer(prepared)) return { hex: prepared.toString('hex') };
        return { text: String(prepared) };
      }),
    };
  }
}
