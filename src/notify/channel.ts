/**
 * A rule's channel made ready to send: `{env: NAME}` values read the way every workflow secret is read
 * (`config.lookupEnv`, which registers the value in the live secret registry, so it is redacted from records and
 * logs), and the target a record may show, which never holds a secret.
 */
import type { RunnerConfig } from '../config/config.ts';
import { UserError } from '../shared/errors.ts';
import type { NotifyChannel, NotifyRule, SecretValue } from '../workflow/types.ts';

/** A channel with its secrets read. */
export type ResolvedChannel = { kind: 'webhook'; url: string; secret?: string } | { kind: 'slack'; url: string } | { kind: 'email'; to: string[] };

/** What resolving needs of the configuration. */
export type SecretSource = Pick<RunnerConfig, 'lookupEnv' | 'secrets'>;

/**
 * Reads the channel's secrets. Throws {@link UserError} when a named variable is unset. An HMAC secret written
 * in the file joins the registry too: it must not show in a record either.
 */
export function resolveChannel(channel: NotifyChannel, config: SecretSource): ResolvedChannel {
  switch (channel.kind) {
    case 'webhook': {
      const url = read(channel.url, config, 'webhook.url');
      if (channel.secret === undefined) return { kind: 'webhook', url };
      const secret = read(channel.secret, config, 'webhook.secret');
      config.secrets.add(secret);
      return { kind: 'webhook', url, secret };
    }
    case 'slack':
      return { kind: 'slack', url: read(channel.url, config, 'slack.url') };
    case 'email':
      return { kind: 'email', to: [...channel.to] };
  }
}

/**
 * Reads every secret of `rules` now, so the registry knows them before a run writes anything that could hold one
 * (a value that is unset is left for the delivery to report).
 */
export function registerSecrets(rules: readonly NotifyRule[], config: SecretSource): void {
  for (const { channel } of rules) {
    if (channel.kind === 'email') continue;
    const values = channel.kind === 'webhook' && channel.secret !== undefined ? [channel.url, channel.secret] : [channel.url];
    for (const value of values) {
      if (typeof value !== 'string') config.lookupEnv(value.env);
      else if (value === (channel as { secret?: SecretValue }).secret) config.secrets.add(value);
    }
  }
}

/**
 * Where a channel sends, as a record or a log line may show it: the recipients of an email; a URL's origin and
 * path when the URL is written in the file; only its origin (`https://hooks.example.com/…`) when it comes from
 * the environment, whose path is often the credential (Slack's is). Never a query or user info.
 */
export function targetOf(channel: NotifyChannel, config: Pick<RunnerConfig, 'lookupEnv'>): string {
  if (channel.kind === 'email') return channel.to.join(', ');
  if (typeof channel.url === 'string') {
    const url = parse(channel.url);
    return url ? `${url.origin}${url.pathname}` : '(not a URL)';
  }
  const value = config.lookupEnv(channel.url.env);
  if (!value) return `$${channel.url.env} (unset)`;
  const url = parse(value);
  return url ? `${url.origin}/…` : `$${channel.url.env} (not a URL)`;
}

function read(value: SecretValue, config: SecretSource, where: string): string {
  if (typeof value === 'string') return value;
  const found = config.lookupEnv(value.env);
  if (!found) throw new UserError(`notify ${where} needs the environment variable ${value.env}; set it or put it in .env`);
  return found;
}

function parse(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
