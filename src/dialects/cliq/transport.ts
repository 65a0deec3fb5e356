// How a CLIQ call is routed: a POST whose body (a form or a JSON object) is handed to the handler
// as its fields; `call` names it in a refusal's message (errors.ts); `documentation` is its part of
// the dialect's OpenAPI document (openapi.ts).
import type { FastifyInstance } from 'fastify';
import type { Documentation } from './openapi.js';
import { paramsOf, type Params } from './params.js';

export function route(c: FastifyInstance, call: string, path: string, documentation: Documentation, handler: (params: Params) => Promise<unknown>): void {
  c.post(path, { config: { call }, ...documentation }, async (request) => handler(paramsOf(request.body)));
}
