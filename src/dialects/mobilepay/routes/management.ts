// Management: the merchant's token (create once, reset with the previous one), a terminal's PoS
// (create, delete, information), stores, and whether a patron is checked in at a PoS.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../../app/access.js';
import type { Caller } from '../../../app/context.js';
import type { Terminal } from '../../../app/ports/persistence.js';
import { inTransaction } from '../../../app/unit-of-work.js';
import { issueFirstSecret, resetSecret } from '../../../app/use-cases/dialect-credentials.js';
import { merchantOverview } from '../../../app/use-cases/merchants.js';
import { createPointOfSale, deletePointOfSale, isPatronCheckedIn, terminalByName, terminalByPosId } from '../../../app/use-cases/points-of-sale.js';
import { DomainError } from '../../../core/errors.js';
import { MOBILEPAY_SECRETS } from '../credentials.js';
import type { MobilePayDeps } from '../deps.js';
import { ANSWERS as a, PARAMS as d } from '../openapi.js';
import * as p from '../params.js';
import { guidOf, POLL_DELAY_MS, renderPosInformation, renderStore } from '../render.js';
import { operation, unauthenticatedOperation } from '../transport.js';

export function managementRoutes(m: FastifyInstance, deps: MobilePayDeps): void {
  const { app } = deps;
  const issued = (token: string) => ({ accessToken: token, message: token });
  /** The token calls' parameters are credentials: a missing one is 401, like a wrong one. */
  const credentials = <K extends string>(params: Record<string, unknown>, ...names: K[]): Record<K, string> => {
    const values = names.map((name) => params[name]);
    if (!values.every((value) => typeof value === 'string' && value !== '')) throw new DomainError('missing_api_key', `${names.join(' and ')} are required.`);
    return Object.fromEntries(names.map((name, i) => [name, values[i] as string])) as Record<K, string>;
  };

  unauthenticatedOperation(m, { path: '/manage/token', methods: ['GET', 'POST'], operation: 'token', doc: { id: 'createAccessToken', summary: "Create the merchant's long-lived accessToken (only when it has none)", tag: 'PointOfSalesManagement', params: { bioCode: d.bioCode }, answer: a.token } }, async (params) => {
    const { bioCode } = credentials(params, 'bioCode');
    return issued(await inTransaction(app, (unit) => issueFirstSecret(unit, MOBILEPAY_SECRETS, bioCode)));
  });

  unauthenticatedOperation(m, { path: '/manage/token/reset', methods: ['GET', 'POST'], operation: 'token', doc: { id: 'resetAccessToken', summary: "Replace the merchant's accessToken (the previous one stops working at once)", tag: 'PointOfSalesManagement', params: { bioCode: d.bioCode, previousAccessToken: d.previousAccessToken }, answer: a.token } }, async (params) => {
    const input = credentials(params, 'bioCode', 'previousAccessToken');
    return issued(await inTransaction(app, (unit) => resetSecret(unit, MOBILEPAY_SECRETS, input.bioCode, input.previousAccessToken)));
  });

  operation(m, app, { path: '/manage/create', methods: ['GET', 'POST'], operation: 'pos', doc: { id: 'createPointOfSale', summary: 'Create the PoS of a terminal that has none', tag: 'PointOfSalesManagement', params: { terminalId: d.terminalId }, answer: a.posInformation } }, async ({ params, caller }) => {
    const { terminalId } = p.read({ terminalId: p.terminalId }, params);
    return { posInformation: renderPosInformation(await inTransaction(app, (unit) => createPointOfSale(unit, caller, terminalId))) };
  });

  operation(m, app, { path: '/manage/delete', methods: ['GET', 'DELETE'], operation: 'pos', doc: { id: 'deletePointOfSale', summary: 'Delete the PoS of a terminal (refused while it has an active payment)', tag: 'PointOfSalesManagement', params: { terminalId: d.terminalId }, answer: a.message } }, async ({ params, caller }) => {
    const { terminalId } = p.read({ terminalId: p.terminalId }, params);
    const posId = await inTransaction(app, (unit) => deletePointOfSale(unit, caller, terminalId));
    return { message: `Point of sale ${posId} of terminal ${terminalId} is deleted.` };
  });

  operation(m, app, { path: '/manage/terminal/information', operation: 'pos', doc: { id: 'getTerminalInformation', summary: 'The PoS of a terminal', tag: 'PointOfSalesManagement', params: { terminalId: d.terminalId }, answer: a.posInformation } }, async ({ params, caller }) => {
    const { terminalId } = p.read({ terminalId: p.terminalId }, params);
    const terminal = await terminalByName(app.db.read, caller, terminalId);
    if (terminal.posId === null) throw notFound('point of sale on terminal', terminalId, 'terminalId');
    return { posInformation: renderPosInformation(terminal) };
  });

  operation(m, app, { path: '/manage/stores', operation: 'store', doc: { id: 'listStores', summary: 'The storeIds of the merchant', tag: 'PointOfSalesManagement', params: {}, answer: a.storeIds } }, async ({ caller }) => {
    const { stores } = await merchantOverview(app, caller.merchantId);
    return { storeIds: stores.map((store) => guidOf(store.id)) };
  });

  operation(m, app, { path: '/manage/store', operation: 'store', doc: { id: 'getStore', summary: 'A store of the merchant', tag: 'PointOfSalesManagement', params: { storeId: d.storeId }, answer: a.store } }, async ({ params, caller }) => {
    const { storeId } = p.read({ storeId: p.storeId }, params);
    const { merchant, stores } = await merchantOverview(app, caller.merchantId);
    const store = stores.find((s) => guidOf(s.id) === storeId);
    if (!store) throw notFound('store', storeId, 'storeId');
    return { store: renderStore(store, merchant.name) };
  });

  const checkInStatus = async (terminal: Terminal, caller: Caller) =>
    ({ isUserCheckedIn: await isPatronCheckedIn(app, caller, terminal), loyaltyIds: [], pollDelayInMs: POLL_DELAY_MS });

  operation(m, app, { path: '/manage/checkInStatus/byposId', operation: 'pos', doc: { id: 'getCheckInStatusByPosId', summary: 'Whether a user is checked in at a PoS, by posId', tag: 'PointOfSalesManagement', params: { posId: d.posId }, answer: a.checkIn } }, async ({ params, caller }) => {
    const { posId } = p.read({ posId: p.posId }, params);
    return checkInStatus(await terminalByPosId(app.db.read, caller, posId), caller);
  });

  operation(m, app, { path: '/manage/checkInStatus/byterminalId', operation: 'pos', doc: { id: 'getCheckInStatusByTerminalId', summary: 'Whether a user is checked in at a PoS, by terminalId', tag: 'PointOfSalesManagement', params: { terminalId: d.terminalId }, answer: a.checkIn } }, async ({ params, caller }) => {
    const { terminalId } = p.read({ terminalId: p.terminalId }, params);
    return checkInStatus(await terminalByName(app.db.read, caller, terminalId), caller);
  });
}
