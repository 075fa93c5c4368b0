/**
 * Just enough XML for flat agency documents: elements, text, CDATA, comments and the XML
 * declaration. Attributes are ignored; DOCTYPE and processing instructions are refused (no
 * entity expansion, no external references), as is mixed content. An element with children
 * becomes an object, repeated children an array, a leaf its text.
 */
import { UnreadableFileError, isForbiddenKey, isPlainObject } from '../file-drop-document';

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const MAX_DEPTH = 32;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${Object.keys(ENTITIES).find((k) => ENTITIES[k] === c)};`);
}

/** `value` as an element named `name`; arrays repeat `item` elements. */
export function writeElement(name: string, value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return `${indent}<${name}>\n${value.map((v) => writeElement('item', v, `${indent}  `)).join('')}${indent}</${name}>\n`;
  }
  if (isPlainObject(value)) {
    const children = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    if (children.some(([k]) => !NAME.test(k))) throw new Error(`a field name cannot be an XML element name`);
    return `${indent}<${name}>\n${children.map(([k, v]) => writeElement(k, v, `${indent}  `)).join('')}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
}

/** The root element's name and value. @throws UnreadableFileError */
export function readXml(text: string): { root: string; value: XmlValue } {
  const reader = new Reader(text.replace(/^\uFEFF/, ''));
  reader.skipProlog();
  const root = reader.element(0);
  reader.skipMisc();
  if (!reader.atEnd()) throw new UnreadableFileError('content after the root element');
  return root;
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  skipProlog(): void {
    this.skipSpace();
    if (this.text.startsWith('<?xml', this.at)) this.skipPast('?>');
    this.skipMisc();
  }

  skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('<!--', this.at)) this.skipPast('-->');
      else if (this.text.startsWith('<!', this.at) || this.text.startsWith('<?', this.at)) {
        throw new UnreadableFileError('DOCTYPE and processing instructions are not accepted');
      } else return;
    }
  }

  element(depth: number): { root: string; value: XmlValue } {
    if (depth > MAX_DEPTH) throw new UnreadableFileError(`elements nested deeper than ${MAX_DEPTH}`);
    const open = /^<([A-Za-z_][A-Za-z0-9._:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(this.text.slice(this.at, this.at + 2000));
    if (!open) throw new UnreadableFileError(`expected an element at offset ${this.at}`);
    this.at += open[0].length;
    const name = open[1];
    if (open[3] === '/') return { root: name, value: '' };
    let text = '';
    const children: Array<{ root: string; value: XmlValue }> = [];
    for (;;) {
      if (this.atEnd()) throw new UnreadableFileError(`element <${name}> is not closed`);
      if (this.text.startsWith('</', this.at)) {
        const close = /^<\/([A-Za-z_][A-Za-z0-9._:-]*)\s*>/.exec(this.text.slice(this.at, this.at + 200));
        if (!close || close[1] !== name) throw new UnreadableFileError(`element <${name}> is closed by something else`);
        this.at += close[0].length;
        break;
      }
      if (this.text.startsWith('<!--', this.at)) this.skipPast('-->');
      else if (this.text.startsWith('<![CDATA[', this.at)) {
        const end = this.text.indexOf(']]>', this.at);
        if (end < 0) throw new UnreadableFileError('CDATA section is not closed');
        text += this.text.slice(this.at + 9, end);
        this.at = end + 3;
      } else if (this.text.startsWith('<!', this.at) || this.text.startsWith('<?', this.at)) {
        throw new UnreadableFileError('DOCTYPE and processing instructions are not accepted');
      } else if (this.text[this.at] === '<') children.push(this.element(depth + 1));
      else {
        const next = this.text.indexOf('<', this.at);
        const end = next < 0 ? this.text.length : next;
        text += decodeEntities(this.text.slice(this.at, end));
        this.at = end;
      }
    }
    if (children.length === 0) return { root: name, value: text };
    if (text.trim() !== '') throw new UnreadableFileError(`element <${name}> mixes text and elements`);
    return { root: name, value: group(children) };
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.at])) this.at += 1;
  }

  private skipPast(marker: string): void {
    const end = this.text.indexOf(marker, this.at);
    if (end < 0) throw new UnreadableFileError(`"${marker}" expected`);
    this.at = end + marker.length;
  }
}

function group(children: Array<{ root: string; value: XmlValue }>): XmlValue {
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

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new UnreadableFileError('a bare "&" in text');
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const known = ENTITIES[entity];
    if (known === undefined) throw new UnreadableFileError(`unknown entity ${match}`);
    return known;
  });
}
