/**
 * Loads one service schema file named by an agency file and compiles it, once, with the
 * catalogue's Ajv instance. Problems name the schema file, or the agency file field that
 * names a missing one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CatalogueProblem } from './catalogue-error';
import { displayPath } from './catalogue-error';
import { deepFreeze } from './deep-freeze';
import { readJsonFile } from './json-file';
import type { CompiledSchema, JsonSchema, SchemaCompiler } from './schema-compiler';

export interface SchemaLoadContext {
  compiler: SchemaCompiler;
  problems: CatalogueProblem[];
  /** Absolute path → compiled schema, or null when it failed (reported once). */
  cache: Map<string, CompiledSchema | null>;
}

export interface SchemaReference {
  folder: string;
  /** As written in the agency file, relative to `folder`. */
  relativePath: string;
  agencyFile: string;
  pointer: string;
}

export function loadServiceSchema(ref: SchemaReference, ctx: SchemaLoadContext): CompiledSchema | undefined {
  const file = path.resolve(ref.folder, ref.relativePath);
  const inside = path.relative(ref.folder, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    ctx.problems.push({ file: displayPath(ref.agencyFile), pointer: ref.pointer, message: 'must name a file inside the agency folder' });
    return undefined;
  }
  if (ctx.cache.has(file)) return ctx.cache.get(file) ?? undefined;
  const compiled = compileFile(file, ref, ctx);
  ctx.cache.set(file, compiled ?? null);
  return compiled;
}

function compileFile(file: string, ref: SchemaReference, ctx: SchemaLoadContext): CompiledSchema | undefined {
  const shown = displayPath(file);
  if (!isFile(file)) {
    ctx.problems.push({ file: displayPath(ref.agencyFile), pointer: ref.pointer, message: `names ${ref.relativePath}, which does not exist (${shown})` });
    return undefined;
  }
  const read = readJsonFile(file);
  if (!read.ok) {
    ctx.problems.push({ file: shown, message: read.message });
    return undefined;
  }
  const schema = read.value;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    ctx.problems.push({ file: shown, message: 'must be a JSON Schema object' });
    return undefined;
  }
  const { $id, type } = schema as JsonSchema;
  const before = ctx.problems.length;
  if (typeof $id !== 'string' || $id === '') {
    ctx.problems.push({ file: shown, pointer: '/$id', message: 'is required: every service schema has an $id such as https://kiungo.dev/schemas/<agency>/<message>.v1.json' });
  }
  if (type !== 'object') {
    ctx.problems.push({ file: shown, pointer: '/type', message: 'must be "object": every service message is a JSON object' });
  }
  if (ctx.problems.length > before) return undefined;
  try {
    const validate = ctx.compiler.compile(schema);
    return { id: $id as string, schema: deepFreeze(schema as JsonSchema), validate };
  } catch (error) {
    ctx.problems.push({ file: shown, message: `is not a valid JSON Schema: ${(error as Error).message}` });
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
