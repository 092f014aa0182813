/**
 * Facts about runs that happen outside a run's events, published on named `node:diagnostics_channel` channels by
 * their single owners: the lifecycle (a run ended, with or without an attempt) and `deliverOnce` (a notification
 * delivery attempt). Anyone may subscribe (metrics do); with no subscriber a publish costs nothing.
 */
import { channel } from 'node:diagnostics_channel';
import type { RunRecord } from './types.ts';

/** Name of the channel that carries {@link RunEnded}. */
export const RUN_ENDED_CHANNEL = 'runner:run-ended';

/** Name of the channel that carries {@link NotificationDelivered}. */
export const NOTIFICATION_CHANNEL = 'runner:notification';

/** How a run came to end. */
export type RunEndWay =
  /** Its attempt finished (succeeded, failed, cancelled). */
  | 'attempt'
  /** A schedule slot was recorded without running (missed or skipped). */
  | 'not-run'
  /** Its wait for a person expired (failed). */
  | 'expired'
  /** It could not start: its workflow or inputs were refused (failed). */
  | 'rejected'
  /** Someone else closed it: its process died or it ignored its abort (failed or cancelled). */
  | 'abandoned';

/**
 * A run reached an end status (succeeded, failed, cancelled, missed, skipped), published once per move there. A
 * queue run whose failed attempt is retried ends `failed` and, after the retry, ends again.
 */
export interface RunEnded {
  /** The record as stored (redacted). */
  run: RunRecord;
  /** How it ended. */
  way: RunEndWay;
}

/** One attempt to deliver a notification, whatever its outcome. */
export interface NotificationDelivered {
  /** The channel's kind: `webhook`, `slack` or `email`. */
  channel: 'webhook' | 'slack' | 'email';
  /** The notice's event (`failed`, `succeeded`, …). */
  event: string;
  /** Whether it was delivered. */
  ok: boolean;
  /** When not delivered: whether another attempt may help. */
  retryable: boolean;
}

const runEnded = channel(RUN_ENDED_CHANNEL);
const notification = channel(NOTIFICATION_CHANNEL);

/** Publishes that a run ended; nothing happens without a subscriber (a function given is not even called). */
export function publishRunEnded(fact: RunEnded | (() => RunEnded)): void {
  if (runEnded.hasSubscribers) runEnded.publish(typeof fact === 'function' ? fact() : fact);
}

/** Publishes one notification delivery attempt (nothing happens without a subscriber). */
export function publishNotification(fact: NotificationDelivered): void {
  if (notification.hasSubscribers) notification.publish(fact);
}

/** Listens to run ends (a listener that throws is ignored); returns the function that stops listening. */
export function onRunEnded(listener: (fact: RunEnded) => void): () => void {
  const handler = (message: unknown) => quietly(() => listener(message as RunEnded));
  runEnded.subscribe(handler);
  return () => void runEnded.unsubscribe(handler);
}

/** Listens to notification deliveries (a listener that throws is ignored); returns the function that stops listening. */
export function onNotification(listener: (fact: NotificationDelivered) => void): () => void {
  const handler = (message: unknown) => quietly(() => listener(message as NotificationDelivered));
  notification.subscribe(handler);
  return () => void notification.unsubscribe(handler);
}

/** A subscriber's error would reach 'uncaughtException' (diagnostics_channel rethrows it on the next tick): drop it. */
function quietly(call: () => void): void {
  try {
    call();
  } catch {
    // Watching runs must never stop the process.
  }
}
