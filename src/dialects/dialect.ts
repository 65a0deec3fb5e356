// The dialect contract: everything posgate knows of one API surface (the native API, or a provider's)
// is in one object of this shape, listed once in ./registry.ts. The server, the admin API, the CLI,
// the configuration, the logger and webhook delivery iterate the registry and name no dialect.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import type { WebhookFormatRules } from '../app/outbox.js';
import type { RenderDelivery } from '../app/use-cases/deliveries.js';
import type { Work } from '../app/unit-of-work.js';
import { ConfigError } from '../config/config.js';
import { DomainError } from '../core/errors.js';

/** What a dialect is handed when it is mounted. */
export interface DialectContext<Settings = unknown> {
  app: App;
  /** Base URL patrons and POS reach (read per request: known once listening). */
  readonly publicUrl: string;
  /** The dialect's own settings, parsed from the environment by its `settings` schema. */
  settings: Settings;
  /** POSGATE_ADMIN_TOKEN when configured (the admin API's own check otherwise). */
  adminToken: string | null;
  /** Every registered dialect: the admin API issues their credential sets. */
  dialects: readonly Dialect[];
  /** What a webhook endpoint's `format` may be: native and every dialect with a webhook format. */
  webhookFormats: readonly string[];
  /** The formats whose deliveries are not signed with the endpoint's secret: their endpoints get none. */
  secretlessWebhookFormats: readonly string[];
}

/** A dialect's own OpenAPI document: its title and description, and how its callers authenticate. */
export interface DialectDocument {
  title: string;
  description: string;
  /** OpenAPI security schemes by name; every operation requires one of them. */
  securitySchemes?: Record<string, Record<string, unknown>>;
}

/** How a dialect's credential set is made, for the admin API and `posgate credentials --json`. */
export interface CredentialIssuer {
  /**
   * The admin call's body (`POST /admin/v1/merchants/{id}/credentials/{dialect}`): a strict
   * object, with a description on each option. Default: no options.
   */
  options?: z.ZodObject;
  issue(unit: Work, merchantId: string, options: Record<string, unknown>): Promise<unknown>;
}

export interface Dialect<Settings = unknown> {
  /** Lower-case, unique: the key of its set in `posgate credentials --json`, a webhook `format`. */
  name: string;
  /** Where its routes live ('' for the native API, which owns /v1 and /admin/v1). */
  prefix: string;
  /**
   * Its environment variables, validated when posgate starts: a zod object whose keys are the
   * variable names, each with a default and a description (the README's configuration table lists
   * them from here). What it parses to is handed to `mount` as `settings`.
   */
  settings?: z.ZodType<Settings>;
  mount(fastify: FastifyInstance, context: DialectContext<Settings>): Promise<void>;
  credentials?: CredentialIssuer;
  /** Query parameter names (any case) whose values are secret: the logger redacts them from URLs. */
  secretParameters?: readonly string[];
  /**
   * Its own OpenAPI document, served at `<prefix>/openapi.json`: the routes under its prefix, as
   * their schemas describe them (shared/openapi.ts, `dialectOperations`). Without it, its routes
   * are in no document; they are never in the native API's (`/openapi.json`).
   */
  openapi?: DialectDocument;
  /** Its webhook format, when it has one: what an endpoint with `format: <name>` is sent. */
  webhook?(context: DialectContext<Settings>): RenderDelivery;
  /**
   * How its webhook format is signed: with the endpoint's `whsec_` secret (the default, as Standard
   * Webhooks are), or with posgate's own key that receivers verify against a published key set
   * (`'gateway-key'`): an endpoint of such a format is given no secret, since nothing would use it.
   */
  webhookSigning?: 'endpoint-secret' | 'gateway-key';
  /**
   * Where its webhook format's events go (`events`: the types it sends; `ownUrlFirst`: a request made
   * through it with its own webhook URL is not sent to the endpoints of its format): the outbox
   * queues, and a redelivery sends, nothing else. Absent: every event to every target.
   */
  webhookRules?: WebhookFormatRules;
  /**
   * Its own background work, when time alone changes something of its API: made once from its
   * context, then run by the background loop after the engine's own sweeps (every
   * BACKGROUND_INTERVAL_MS, and by the gateway's tick()). Processes run it side by side: it acts
   * in transactions that re-check what they act on, so work one process did is not done again.
   * Answers how many things it did.
   */
  periodic?(context: DialectContext<Settings>): () => Promise<number>;
}

/** Each dialect's settings, from the environment; a bad value is an error naming the variable. */
export function parseDialectSettings(dialects: readonly Dialect[], env: Readonly<Record<string, string | undefined>>): Map<string, unknown> {
  const settings = new Map<string, unknown>();
  for (const dialect of dialects) {
    if (!dialect.settings) continue;
    const parsed = dialect.settings.safeParse(env);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    settings.set(dialect.name, parsed.data);
  }
  return settings;
}

/** One environment variable a dialect declares, as the README's configuration table shows it. */
export interface DeclaredVariable {
  dialect: string;
  name: string;
  default: string;
  description: string;
}

export function declaredVariables(dialects: readonly Dialect[]): DeclaredVariable[] {
  return dialects.flatMap((dialect) => {
    if (!dialect.settings) return [];
    if (!(dialect.settings instanceof z.ZodObject)) throw new Error(`${dialect.name}: settings must be a zod object keyed by variable name, so that they can be listed`);
    return Object.entries(dialect.settings.shape as Record<string, z.ZodType>).map(([name, schema]) => {
      const fallback = schema.safeParse(undefined);
      return { dialect: dialect.name, name, default: fallback.success ? String(fallback.data ?? '') : '', description: schema.description ?? '' };
    });
  });
}

/** The README's table of the dialects' variables (test/readme-settings.test.ts keeps it in step). */
export function settingsTable(dialects: readonly Dialect[]): string {
  return '| variable | default | meaning |\n|---|---|---|\n' + declaredVariables(dialects).map((v) => `| \`${v.name}\` | \`${v.default}\` | ${v.description} |`).join('\n');
}

/** The admin call's options for a dialect's set, checked by its own schema (no options: `{}` only). */
export function credentialOptions(issuer: CredentialIssuer, body: unknown): Record<string, unknown> {
  const parsed = (issuer.options ?? z.strictObject({})).safeParse(body ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? 'field';
    throw new DomainError('unknown_field', `Unknown field ${key}: this set takes ${Object.keys(issuer.options?.shape ?? {}).join(', ') || 'no options'}.`, key);
  }
  const param = issue.path.join('.') || 'body';
  throw new DomainError('parameter_invalid', `${param}: ${issue.message}`, param);
}

/** Finds a dialect by a name from a request: own names only, never a prototype's member. */
export function dialectNamed(dialects: readonly Dialect[], name: string): Dialect | undefined {
  return dialects.find((dialect) => dialect.name === name);
}

/** The dialect named in an admin call or CLI option that issues credential sets; not found otherwise. */
export function credentialDialect(dialects: readonly Dialect[], name: string): Dialect & { credentials: CredentialIssuer } {
  const dialect = dialectNamed(dialects, name);
  if (dialect?.credentials) return dialect as Dialect & { credentials: CredentialIssuer };
  const available = dialects.filter((d) => d.credentials).map((d) => d.name);
  throw new DomainError('not_found', `No dialect ${name} with credentials here; available: ${available.join(', ')}.`, 'dialect');
}

/** What a webhook endpoint's `format` may be: every dialect with a webhook format. */
export function webhookFormats(dialects: readonly Dialect[]): string[] {
  return dialects.filter((dialect) => dialect.webhook).map((dialect) => dialect.name);
}

/** Each webhook format's rules, by format, where its dialect has some (Dialect.webhookRules). */
export function webhookRulesByFormat(dialects: readonly Dialect[]): Record<string, WebhookFormatRules> {
  return Object.fromEntries(dialects.flatMap((dialect) => (dialect.webhook && dialect.webhookRules ? [[dialect.name, dialect.webhookRules] as const] : [])));
}

/** The webhook formats signed with posgate's own key, not the endpoint's secret: their endpoints get no secret. */
export function secretlessWebhookFormats(dialects: readonly Dialect[]): string[] {
  return dialects.filter((dialect) => dialect.webhook && dialect.webhookSigning === 'gateway-key').map((dialect) => dialect.name);
}

/** Each dialect's set maker by name, for the demo merchant (`posgate credentials --json`). */
export function credentialIssuers(dialects: readonly Dialect[]): Record<string, (unit: Work, merchantId: string) => Promise<unknown>> {
  return Object.fromEntries(dialects.flatMap((dialect) => (dialect.credentials ? [[dialect.name, (unit: Work, merchantId: string) => dialect.credentials!.issue(unit, merchantId, {})] as const] : [])));
}
