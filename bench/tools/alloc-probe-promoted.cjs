/**
 * alloc-probe.cjs in its promoted mode (ALLOC_PROBE_MODE=promoted), for a NODE_OPTIONS `--require`: the bench starts
 * the apis with an environment of its own, so the mode is chosen by which file is preloaded.
 */
'use strict';

process.env.ALLOC_PROBE_MODE = 'promoted';
require('./alloc-probe.cjs');
