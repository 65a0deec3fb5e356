// The wrapper's XML form (Accept: application/xml): one <Response> element whose children are the
// answer's fields. Requests may send XML bodies: one root element whose children are parameters.
import { XMLParser } from 'fast-xml-parser';
import { DomainError } from '../../core/errors.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name} nil="true"/>`;
  if (Array.isArray(value)) {
    return `<${name}>${value.map((item) => element(typeof item === 'object' && item !== null ? 'item' : 'string', item)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([key, child]) => element(key, child)).join('')}</${name}>`;
  }
  return `<${name}>${escape(String(value))}</${name}>`;
}

export function toXml(body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="utf-8"?>${element('Response', body)}`;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false });

/** A flat XML body → its parameters as strings; DTDs are refused outright (no entity games). */
export function parseXmlBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new DomainError('invalid_json', 'The XML body must not contain a DOCTYPE.');
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new DomainError('invalid_json', `The body is not valid XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const roots = Object.keys(parsed).filter((key) => key !== '?xml');
  const root = roots.length === 1 ? parsed[roots[0] as string] : undefined;
  if (roots.length !== 1) throw new DomainError('invalid_json', 'The XML body must have exactly one root element.');
  if (root === '' || root === undefined) return {};
  if (typeof root !== 'object' || root === null) throw new DomainError('invalid_json', 'The XML root element must contain one element per parameter.');
  // an element given twice is parsed as an array: refused, as a parameter given twice in a query or form
  for (const [name, value] of Object.entries(root)) {
    if (Array.isArray(value)) throw new DomainError('parameter_invalid', `${name} is given more than once in the body; give it once.`, name);
  }
  return root as Record<string, unknown>;
}
