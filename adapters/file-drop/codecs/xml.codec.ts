/**
 * XML files. A request is `<request><transactionId>…</transactionId>…<payload>…</payload></request>`;
 * an answer `<answer><transactionId/><status>accepted|rejected</status><reference/>` (or
 * `<code/><reason/>`) and an optional `<result>` whose child elements are result fields.
 * Answers come from agencies: they are parsed as they stream in by saxes (a strict, non-validating
 * parser), and a DOCTYPE or processing instruction is refused outright (no entity expansion, no
 * external references). Attributes are ignored, mixed content is refused; an element with children
 * becomes an object, repeated children an array, a leaf its text.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { chunksOf } from '../bounded-read';
import { UnreadableFileError, isForbiddenKey, isPlainObject, toAnswer, type FileCodec, type RequestDocument } from '../file-drop-document';

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [name: string]: XmlValue;
}

interface Element {
  root: string;
  value: XmlValue;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const MAX_DEPTH = 32;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

export const xmlCodec: FileCodec = {
  format: 'xml',
  extension: 'xml',

  async encodeRequest(doc) {
    return Buffer.from(DECLARATION + writeElement('request', doc), 'utf8');
  },

  async decodeRequest(content) {
    const fields = rootObject(await readXml(chunksOf(content)), 'request');
    const payload = fields.payload;
    return {
      transactionId: String(fields.transactionId ?? ''),
      service: String(fields.service ?? ''),
      ...(typeof fields.documentType === 'string' ? { documentType: fields.documentType } : {}),
      attempt: Number(fields.attempt),
      ...(typeof fields.correlationId === 'string' ? { correlationId: fields.correlationId } : {}),
      ...(typeof fields.traceparent === 'string' ? { traceparent: fields.traceparent } : {}),
      writtenAt: String(fields.writtenAt ?? ''),
      payload: isPlainObject(payload) ? payload : {},
    } satisfies RequestDocument;
  },

  async encodeAnswer(answer) {
    if (answer.status === 'rejected') return Buffer.from(DECLARATION + writeElement('answer', answer), 'utf8');
    const { reference: _reference, ...result } = answer.result;
    const body = { transactionId: answer.transactionId, status: 'accepted', reference: answer.reference, ...(Object.keys(result).length > 0 ? { result } : {}) };
    return Buffer.from(DECLARATION + writeElement('answer', body), 'utf8');
  },

  async readAnswer(chunks) {
    const fields = rootObject(await readXml(chunks), 'answer');
    const result = fields.result ?? {};
    if (!isPlainObject(result)) throw new UnreadableFileError('<result> must hold elements');
    return toAnswer(fields, result);
  },
};

/** `value` as an element named `name`; arrays repeat `item` elements. */
function writeElement(name: string, value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return `${indent}<${name}>\n${value.map((v) => writeElement('item', v, `${indent}  `)).join('')}${indent}</${name}>\n`;
  }
  if (isPlainObject(value)) {
    const children = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    if (children.some(([k]) => !NAME.test(k))) throw new Error(`a field name cannot be an XML element name`);
    return `${indent}<${name}>\n${children.map(([k, v]) => writeElement(k, v, `${indent}  `)).join('')}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${String(value).replace(/[<>&"']/g, (c) => ESCAPES[c])}</${name}>\n`;
}

/** The root element, built as the chunks arrive. @throws UnreadableFileError */
async function readXml(chunks: AsyncIterable<Buffer>): Promise<Element> {
  const parser = new SaxesParser({ position: true });
  const open: Array<{ name: string; text: string; children: Element[] }> = [];
  let root: Element | undefined;
  parser.on('error', (error) => {
    throw new UnreadableFileError(`not well-formed XML: ${error.message.slice(0, 160)}`);
  });
  parser.on('doctype', () => {
    throw new UnreadableFileError('DOCTYPE and processing instructions are not accepted');
  });
  parser.on('processinginstruction', () => {
    throw new UnreadableFileError('DOCTYPE and processing instructions are not accepted');
  });
  parser.on('opentag', (tag) => {
    if (open.length >= MAX_DEPTH) throw new UnreadableFileError(`elements nested deeper than ${MAX_DEPTH}`);
    open.push({ name: tag.name, text: '', children: [] });
  });
  const onText = (text: string): void => {
    const top = open[open.length - 1];
    if (top) top.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const { name, text, children } = open.pop() as { name: string; text: string; children: Element[] };
    if (children.length > 0 && text.trim() !== '') throw new UnreadableFileError(`element <${name}> mixes text and elements`);
    const element = { root: name, value: children.length === 0 ? text : group(children) };
    const parent = open[open.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
  });
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of chunks) {
    let text = decoder.write(chunk);
    if (first) text = text.replace(/^\uFEFF/, '');
    first = false;
    parser.write(text);
  }
  parser.write(decoder.end()).close();
  if (!root) throw new UnreadableFileError('no root element');
  return root;
}

function group(children: Element[]): XmlValue {
  // An element whose children are all <item> is a list (see writeElement).
  if (children.every((c) => c.root === 'item')) return children.map((c) => c.value);
  const object: XmlObject = {};
  for (const { root, value } of children) {
    if (isForbiddenKey(root)) continue;
    const existing = object[root];
    if (existing === undefined) object[root] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else object[root] = [existing, value];
  }
  return object;
}

function rootObject({ root, value }: Element, expected: string): Record<string, XmlValue> {
  if (root !== expected) throw new UnreadableFileError(`the root element is <${root}>, expected <${expected}>`);
  if (!isPlainObject(value)) throw new UnreadableFileError(`<${expected}> holds no elements`);
  return value as Record<string, XmlValue>;
}
