/**
 * The run lifecycle: the one writer of run records. Every status change goes through {@link TRANSITIONS}, and every
 * part of a record (attempts, steps, tool calls, outputs, links, usage) is set here, whoever runs the run: the
 * engine (`runner run`, the queue worker, `runner serve`), the producer (`queued`), missed slots, and whoever finds
 * a run its process abandoned. Records reach the store through {@link guardStore}, which redacts them.
 *
 *   (new) ─▶ queued ─▶ running ─▶ succeeded
 *     │        │  ▲      │ ▲ ▲──▶ waiting ─▶ (running | failed | cancelled)
 *     │        ▼  │      ▼ │
 *     │   failed/cancelled ◀┘   (another attempt moves failed or cancelled back to running)
 *     └─▶ missed
 */
import { hostname } from 'node:os';
import type { Workflow } from '../workflow/types.ts';
import { RunEvents } from './events.ts';
import { type GuardedStore, guardStore, isGuarded } from './guarded-store.ts';
import { publishRunEnded } from './run-channels.ts';
import { UserError } from '../shared/errors.ts';
import type {
  ApprovalDecision,
  ApprovalWait,
  AttemptRecord,
  DeliveryAttempt,
  NotificationRecord,
  PendingApproval,
  RunFailure,
  RunRecord,
  RunStatus,
  RunStore,
  StepRecord,
  TokenUsage,
} from './types.ts';
import type { SecretRegistry } from '../shared/secrets.ts';

/** Reads' tool calls are saved to the record at most this often, ms (writes at once). */
const READ_SAVE_EVERY_MS = 1000;

/** Where a run may go from each status. A run is created `queued`, `running` or `missed`. */
export const TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'waiting'],
  waiting: ['running', 'failed', 'cancelled'],
  failed: ['running'],
  cancelled: ['running'],
  succeeded: [],
  // A slot recorded as missed or skipped can still be run later: a backfill (`runner schedule backfill`).
  missed: ['running'],
  skipped: ['running'],
};

/** Statuses a run may be created with. */
export const INITIAL_STATUSES: readonly RunStatus[] = ['queued', 'running', 'missed', 'skipped'];

/** Statuses of a run that has not ended: something is (or should be) working on it. */
export const OPEN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting'];

/** A move the lifecycle does not allow: a bug in the caller, never the user's doing. */
export class TransitionError extends Error {
  constructor(run: RunRecord, to: RunStatus) {
    super(`run ${run.id} cannot go from ${run.status} to ${to}`);
    this.name = 'TransitionError';
  }
}

/** What differs between new runs. */
export type NewRunFields = Pick<RunRecord, 'id' | 'trigger' | 'inputs' | 'mode' | 'backend' | 'model'> & Partial<Pick<RunRecord, 'notes' | 'scheduledAt'>>;

/** Options of {@link RunLifecycle}. */
export interface LifecycleOptions {
  /** Redaction on the way to the store: the process's live secret registry (required unless the store is guarded). */
  secrets?: SecretRegistry;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

/** Who runs an attempt, recorded on it: `host:pid`. */
export function workerIdentity(): string {
  return `${hostname()}:${process.pid}`;
}

/** Who rejected a held call nobody decided on in time. */
export const EXPIRED_BY = '(expired)';

/** What a step that waits for a person leaves for the lifecycle to record. */
export interface WaitDraft {
  calls: Array<Omit<PendingApproval, 'n'>>;
  resume: ApprovalWait['resume'];
  note?: string;
  /** How long the calls may wait, ms (approval.timeout). */
  timeoutMs: number;
}

/** Options of {@link RunLifecycle.begin}. */
export interface BeginOptions {
  /** Who runs the attempt (default: this host and process). */
  worker?: string;
  /** The run's event bus (default: a new one). */
  events?: RunEvents;
  /** The id is brand new (a fresh UUID): no record to read. */
  fresh?: boolean;
  /** Continue the waiting run once its held calls are decided; a run someone else resumed is refused. */
  resume?: boolean;
  /**
   * The caller holds the run alone (a queue job's lock), so an attempt the record shows running is a dead owner's:
   * it is closed and a new attempt starts, also for a resume. Without it a resume finds the run taken.
   */
  exclusive?: boolean;
}

/** What a person who tries to decide on a run that no longer waits is told. */
export function notWaiting(run: RunRecord): UserError {
  const wait = run.approvals?.at(-1);
  const by = wait?.resumedBy ? `; it was resumed by ${wait.resumedBy} at ${wait.closedAt}` : '';
  return new UserError(`run ${run.id} is not waiting for approval (it is ${run.status}${by})`);
}

/** What a second resumer is told. */
function alreadyResumed(run: RunRecord): UserError {
  const wait = run.approvals?.at(-1);
  return wait?.resumedBy
    ? new UserError(`run ${run.id} was already resumed by ${wait.resumedBy} at ${wait.closedAt}; it is ${run.status}`)
    : new UserError(`run ${run.id} is not waiting for approval (it is ${run.status})`);
}

/** `approved by ana at …` */
function decidedBy(decision: ApprovalDecision): string {
  return `${decision.approved ? 'approved' : 'rejected'} by ${decision.by} at ${decision.at}`;
}

/** Runs as the lifecycle sees them: created, started, ended and closed only here. */
export class RunLifecycle {
  /** The guarded store every write goes through. */
  readonly store: GuardedStore;
  readonly #now: () => Date;

  constructor(store: RunStore, options: LifecycleOptions = {}) {
    if (!isGuarded(store) && !options.secrets) throw new Error('RunLifecycle needs the secret registry or a guarded store');
    this.store = isGuarded(store) ? store : guardStore(store, options.secrets!);
    this.#now = options.now ?? (() => new Date());
  }

  /** Records a run waiting in the queue (queue mode's `enqueue`). */
  async queue(workflow: Workflow, fields: NewRunFields): Promise<RunRecord> {
    const run = newRun(workflow, fields, 'queued', this.#iso());
    await this.store.save(run);
    return run;
  }

  /** Records a schedule slot nothing ran as `missed`; idempotent (false when the slot already has a record). */
  missed(workflow: Workflow, fields: NewRunFields): Promise<boolean> {
    return this.#notRun(workflow, fields, 'missed');
  }

  /**
   * Records a schedule slot left out on purpose as `skipped` (a paused schedule, or `overlap: skip` while the
   * previous run goes on; say which in `fields.notes`); idempotent like {@link missed}.
   */
  skipped(workflow: Workflow, fields: NewRunFields): Promise<boolean> {
    return this.#notRun(workflow, fields, 'skipped');
  }

  async #notRun(workflow: Workflow, fields: NewRunFields, status: 'missed' | 'skipped'): Promise<boolean> {
    if (await this.store.get(fields.id)) return false;
    const run = newRun(workflow, fields, status, this.#iso());
    await this.store.save(run);
    // Redacted only when someone listens: nothing else needs the stored copy here.
    publishRunEnded(() => ({ run: this.store.redact(run), way: 'not-run' }));
    return true;
  }

  /**
   * Claims the notification of `event` through `rule` for this run: true for exactly one caller (whichever
   * process asks first), which then delivers it and reports each attempt with {@link noteDelivery}. False when it
   * was claimed before (another worker, an earlier attempt) or there is no such run.
   */
  async claimNotification(runId: string, claim: Omit<NotificationRecord, 'attempts' | 'deliveredAt' | 'done'>): Promise<boolean> {
    let claimed = false;
    await this.store.update(runId, (current) => {
      claimed = !(current.notifications ?? []).some((n) => n.event === claim.event && n.rule === claim.rule);
      if (!claimed) return undefined;
      current.notifications = [...(current.notifications ?? []), { ...claim, attempts: [] }];
      return current;
    });
    return claimed;
  }

  /** Records one delivery attempt of a claimed notification; `done` when no attempt is left (delivered or given up). */
  async noteDelivery(runId: string, which: { event: string; rule: string }, attempt: DeliveryAttempt, done: boolean): Promise<void> {
    await this.store.update(runId, (current) => {
      const record = current.notifications?.find((n) => n.event === which.event && n.rule === which.rule);
      if (!record) return undefined;
      record.attempts.push(attempt);
      if (attempt.ok) record.deliveredAt = attempt.at;
      if (done || attempt.ok) record.done = true;
      return current;
    });
  }

  /**
   * Starts an attempt: of a new run, or another attempt of the run with `fields.id`. Attempts the record still shows
   * running belong to a worker that is gone (the job is ours now), so they are closed first.
   */
  async begin(workflow: Workflow, fields: NewRunFields, options: BeginOptions = {}): Promise<Attempt> {
    const events = options.events ?? new RunEvents({ redact: this.store.redact });
    const at = this.#iso();
    // A fresh id (a new UUID) cannot have a record yet: no read.
    const existing = options.fresh ? undefined : await this.store.get(fields.id);
    // A new run is created queued and moves to running at once, through the same transition as a queued job.
    const run = existing && existing.id === fields.id ? existing : newRun(workflow, fields, 'queued', at);
    if (run.status === 'waiting') {
      // Only a resume continues a waiting run (after its decisions); a duplicate delivery must not.
      if (!options.resume) throw new TransitionError(run, 'running');
      return this.#resume(run.id, events, options.worker ?? workerIdentity());
    }
    // Someone else resumed it first; only a queue job (whose lock says the earlier owner is gone) takes it over.
    if (options.resume && !options.exclusive) throw alreadyResumed(run);
    if (run.status === 'running') {
      closeRunningAttempts(run, abandonedFailure(run), at);
      move(run, 'failed');
    }
    const attempt: AttemptRecord = {
      number: run.attempts.length + 1,
      status: 'running',
      worker: options.worker ?? workerIdentity(),
      startedAt: at,
      steps: [],
    };
    move(run, 'running');
    run.attempts.push(attempt);
    run.outputs = {};
    delete run.error;
    delete run.endedAt;
    run.startedAt ??= at;
    const handle = new Attempt(run, attempt, this.store, this.#now, events);
    await handle.save();
    events.emit('run_start', { run, attempt: attempt.number });
    return handle;
  }

  /**
   * Ends a run that could not start (its workflow or inputs were rejected before any attempt): the record is created
   * when there is none yet, then failed with the reason. Returns the stored record.
   */
  async reject(workflow: Workflow, fields: NewRunFields, failure: RunFailure): Promise<RunRecord> {
    const existing = await this.store.get(fields.id);
    const run = existing && existing.id === fields.id ? existing : newRun(workflow, fields, 'queued', this.#iso());
    if (!OPEN_STATUSES.includes(run.status)) return this.store.redact(run);
    return this.#end(run, failure, 'failed', 'rejected');
  }

  /**
   * Ends a run that cannot end itself (its process died, it ignored its abort, its job is gone): attempts still
   * running are closed with `failure`, and the run moves to `to`. Returns the stored record, or undefined when the
   * run is unknown or had already ended.
   */
  async abandon(runId: string, failure: RunFailure, to: 'failed' | 'cancelled' = 'failed'): Promise<RunRecord | undefined> {
    const run = await this.store.get(runId);
    if (!run || !OPEN_STATUSES.includes(run.status)) return undefined;
    return this.#end(run, failure, to, 'abandoned');
  }

  /**
   * Closes runs this host's processes left `running`: a record whose last attempt names a process on this host
   * that no longer exists can never finish. Used when `runner serve` starts (its previous process may
   * have been killed) and by `runner runs`. Returns the runs it closed.
   */
  async reapLocal(options: { host?: string; isAlive?: (pid: number) => boolean; limit?: number } = {}): Promise<RunRecord[]> {
    const host = options.host ?? hostname();
    const isAlive = options.isAlive ?? processAlive;
    const closed: RunRecord[] = [];
    for (const run of await this.store.list({ status: 'running', limit: options.limit ?? 200 })) {
      const worker = run.attempts.at(-1)?.worker ?? '';
      const sep = worker.lastIndexOf(':');
      const pid = Number(worker.slice(sep + 1));
      if (sep < 0 || worker.slice(0, sep) !== host || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      const failure: RunFailure = {
        kind: 'infrastructure',
        message: `the process that ran this run (pid ${pid} on ${host}) exited before the run ended; closed when found`,
        retryable: true,
      };
      const done = await this.abandon(run.id, failure, 'failed');
      if (done) closed.push(done);
    }
    return closed;
  }

  /**
   * Lists `rerunId` among the re-runs of the run `originalId` (once; the original's status is untouched). Returns
   * false when there is no such run.
   */
  async noteRerun(originalId: string, rerunId: string): Promise<boolean> {
    const run = await this.store.update(originalId, (current) => {
      if (current.reruns?.includes(rerunId)) return undefined;
      current.reruns = [...(current.reruns ?? []), rerunId];
      return current;
    });
    return run !== undefined;
  }

  /**
   * Records a person's decision on held calls of a waiting run: `pick` names calls by number, or `all` the undecided
   * ones. Returns the stored record and how many calls still wait. A wait past its expiry takes no decisions.
   */
  async decide(runId: string, pick: 'all' | readonly number[], decision: Omit<ApprovalDecision, 'at'>): Promise<{ run: RunRecord; undecided: number }> {
    const found = await this.store.get(runId);
    if (!found) throw new UserError(`no run with id '${runId}'; \`runner runs --status waiting\` lists the runs that wait`);
    // Atomic: two people deciding at once each see the other's decisions, and a resumed run takes none.
    const run = (await this.store.update(found.id, (current) => {
      const wait = current.approvals?.at(-1);
      if (current.status !== 'waiting' || !wait) throw notWaiting(current);
      if (this.#now().getTime() >= Date.parse(wait.expiresAt))
        throw new UserError(`the calls of run ${current.id} waited past ${wait.expiresAt} (approval.timeout); they are rejected`);
      const chosen =
        pick === 'all'
          ? wait.calls.filter((c) => !c.decision)
          : pick.map((n) => {
              const call = wait.calls.find((c) => c.n === n);
              if (!call) throw new UserError(`run ${current.id} has no held call ${n}; its calls are 1 to ${wait.calls.length}`);
              if (call.decision) throw new UserError(`call ${n} of run ${current.id} was already ${decidedBy(call.decision)}`);
              return call;
            });
      if (chosen.length === 0)
        throw new UserError(`every held call of run ${current.id} is already decided; it goes on (runner runs show ${current.id.slice(0, 8)})`);
      const at = this.#iso();
      for (const call of chosen) call.decision = { ...decision, at };
      return current;
    }))!;
    const undecided = run.approvals!.at(-1)!.calls.filter((c) => !c.decision).length;
    return { run: this.store.redact(run), undecided };
  }

  /**
   * Ends a waiting run whose wait expired: its undecided calls are rejected (by {@link EXPIRED_BY}) and it fails
   * with kind `approval`. Returns the stored record, or undefined when the run is not waiting or not yet due.
   */
  async expire(runId: string): Promise<RunRecord | undefined> {
    const found = await this.store.get(runId);
    if (!found) return undefined;
    let expired = false;
    const run = await this.store.update(found.id, (current) => {
      expired = this.#expireIn(current);
      return expired ? current : undefined;
    });
    if (!expired || !run) return undefined;
    const stored = this.store.redact(run);
    publishRunEnded({ run: stored, way: 'expired' });
    return stored;
  }

  /** Ends `run` in place when it waits past its expiry; false (and nothing changed) otherwise. */
  #expireIn(run: RunRecord): boolean {
    const wait = run.approvals?.at(-1);
    if (run.status !== 'waiting' || !wait || this.#now().getTime() < Date.parse(wait.expiresAt)) return false;
    // Every call decided in time: the run only waits for whoever resumes it, and its decisions stand.
    if (wait.calls.every((c) => c.decision)) return false;
    const at = this.#iso();
    const undecided = wait.calls.filter((c) => !c.decision);
    for (const call of undecided) call.decision = { approved: false, by: EXPIRED_BY, at, reason: 'not decided within approval.timeout' };
    wait.closedAt = at;
    delete wait.resume.state;
    const failure: RunFailure = {
      kind: 'approval',
      message: `nobody decided on ${undecided.length} held call(s) before ${wait.expiresAt} (approval.timeout); they were rejected`,
      step: wait.resume.step,
      retryable: false,
    };
    const attempt = run.attempts.at(-1);
    if (attempt?.status === 'waiting') {
      for (const step of attempt.steps) if (step.status === 'waiting') Object.assign(step, { status: 'failed', endedAt: at, error: failure });
      Object.assign(attempt, { status: 'failed', endedAt: at, error: failure });
    }
    move(run, 'failed');
    run.error = failure;
    run.endedAt = at;
    return true;
  }

  /** Expires every waiting run that is due (`serve` and workers call it now and then); returns the runs it ended. */
  async expireDue(options: { limit?: number; claim?: (runId: string) => Promise<boolean> } = {}): Promise<RunRecord[]> {
    const ended: RunRecord[] = [];
    const now = this.#now().getTime();
    for (const run of await this.store.list({ status: 'waiting', limit: options.limit ?? 500 })) {
      const wait = run.approvals?.at(-1);
      if (!wait || now < Date.parse(wait.expiresAt) || wait.calls.every((c) => c.decision)) continue;
      // Several processes may notice the same expiry: the claim spares the others the work (expire is atomic anyway).
      if (options.claim && !(await options.claim(run.id))) continue;
      const done = await this.expire(run.id);
      if (done) ended.push(done);
    }
    return ended;
  }

  /** Reopens a waiting run's last attempt once every held call is decided; the attempt knows where to go on. */
  async #resume(runId: string, events: RunEvents, worker: string): Promise<Attempt> {
    let from: ApprovalWait | undefined;
    // Atomic: of two processes resuming the same run, exactly one gets it; the other is told who did.
    const run = (await this.store.update(runId, (current) => {
      const wait = current.approvals?.at(-1);
      if (current.status !== 'waiting' || !wait) throw alreadyResumed(current);
      if (wait.calls.some((c) => !c.decision)) throw new UserError(`run ${current.id} still waits for decisions on some of its held calls`);
      from = structuredClone(wait);
      wait.closedAt = this.#iso();
      wait.resumedBy = worker;
      // The saved state has done its work; it is the record's largest part.
      delete wait.resume.state;
      move(current, 'running');
      current.attempts.at(-1)!.status = 'running';
      delete current.error;
      delete current.endedAt;
      return current;
    }))!;
    const handle = new Attempt(run, run.attempts.at(-1)!, this.store, this.#now, events, from);
    events.emit('run_start', { run, attempt: run.attempts.length });
    return handle;
  }

  /** Ends an open run from outside its attempt: running attempts closed, status moved, failure kept, saved. */
  async #end(run: RunRecord, failure: RunFailure, to: 'failed' | 'cancelled', way: 'rejected' | 'abandoned'): Promise<RunRecord> {
    const at = this.#iso();
    closeRunningAttempts(run, failure, at);
    move(run, to);
    run.error = failure;
    run.endedAt = at;
    await this.store.save(run);
    const stored = this.store.redact(run);
    publishRunEnded({ run: stored, way });
    return stored;
  }

  #iso(): string {
    return this.#now().toISOString();
  }
}

/** An attempt in progress: the only writer of its steps, tool calls, outputs and usage. */
export class Attempt {
  readonly run: RunRecord;
  readonly attempt: AttemptRecord;
  readonly events: RunEvents;
  /** Set when this attempt resumes after a wait: where it stopped and what was decided. */
  readonly resumeFrom?: ApprovalWait;
  readonly #store: GuardedStore;
  readonly #now: () => Date;
  readonly #unsubscribe: Array<() => void>;
  #saving: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #soon: NodeJS.Timeout | undefined;
  #lastSave = 0;

  constructor(run: RunRecord, attempt: AttemptRecord, store: GuardedStore, now: () => Date, events: RunEvents, resumeFrom?: ApprovalWait) {
    this.run = run;
    this.attempt = attempt;
    this.events = events;
    if (resumeFrom) this.resumeFrom = resumeFrom;
    this.#store = store;
    this.#now = now;
    this.#unsubscribe = [
      events.on('tool_end', ({ step, call, links }) => {
        const record = this.#step(step);
        if (!record) return;
        record.toolCalls.push(call);
        if (call.status === 'ok' && call.effect !== 'read') for (const link of links) if (!run.links.includes(link)) run.links.push(link);
        // Saved as it happens, so the record of an attempt whose worker is killed still shows its calls: a write at
        // once, reads at most once a second (a save per read would cost a fast run a tenth of its time).
        this.#saveSoon(call.effect !== 'read');
      }),
      events.on('turn', ({ step, turn, usage }) => {
        const record = this.#step(step);
        if (!record) return;
        record.turns = turn;
        record.usage = sumUsage(record.usage, usage);
      }),
      events.on('model_retry', ({ step }) => {
        const record = this.#step(step);
        if (record) record.modelRetries = (record.modelRetries ?? 0) + 1;
      }),
    ];
  }

  /**
   * Saves a snapshot; saves are serialised so an older snapshot never lands after a newer one, and saves asked for
   * while one waits its turn are coalesced into it (it snapshots the record when it runs).
   */
  save(): Promise<void> {
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = undefined;
    this.#lastSave = Date.now();
    if (this.#queued) return this.#queued;
    const next = this.#saving.then(() => {
      this.#queued = undefined;
      // The guarded store redacts into a copy before anything async: that copy is the snapshot.
      return this.#store.save(this.run);
    });
    this.#queued = next;
    this.#saving = next.catch(() => {});
    return next;
  }

  /** Saves now when urgent, else at most once a second (a trailing save; any save meanwhile takes its place). */
  #saveSoon(urgent: boolean): void {
    const wait = urgent ? 0 : this.#lastSave + READ_SAVE_EVERY_MS - Date.now();
    if (wait <= 0) {
      void this.save().catch(() => {});
      return;
    }
    this.#soon ??= setTimeout(() => void this.save().catch(() => {}), wait);
    this.#soon.unref?.();
  }

  /** Adds a note a reader of the record must see (once). */
  note(text: string): void {
    if (!this.run.notes.includes(text)) this.run.notes.push(text);
  }

  /** Opens a step record. */
  startStep(step: Pick<StepRecord, 'id' | 'kind' | 'title'>, index: number, total: number): StepRecord {
    const record: StepRecord = { ...step, status: 'running', toolCalls: [], startedAt: this.#now().toISOString() };
    if (record.title === undefined) delete record.title;
    this.attempt.steps.push(record);
    this.events.emit('step_start', { step: record, index, total });
    return record;
  }

  /** Records what a prompt step sent: its rendered prompt and instructions, and the model. */
  describeStep(step: StepRecord, sent: Pick<StepRecord, 'prompt' | 'instructions' | 'model'>): void {
    Object.assign(step, sent);
  }

  /**
   * Closes a step with its output, or its failure, and saves the record unless `save` is false: the caller then
   * ends the attempt at once ({@link finish}), whose save holds the step's end too.
   */
  async endStep(step: StepRecord, outcome: { output: unknown } | { error: RunFailure }, options: { save?: boolean } = {}): Promise<void> {
    step.endedAt = this.#now().toISOString();
    if ('output' in outcome) {
      step.status = 'succeeded';
      step.output = outcome.output;
      this.run.outputs[step.id] = outcome.output;
    } else {
      step.status = outcome.error.kind === 'cancelled' ? 'cancelled' : 'failed';
      step.error = outcome.error;
    }
    if (step.usage) this.run.usage = sumUsage(this.run.usage, step.usage);
    this.events.emit('step_end', { step });
    if (options.save !== false) await this.save();
  }

  /** Reopens the step this attempt waited in (it resumes), or opens it anew when the record lacks it. */
  resumeStep(step: Pick<StepRecord, 'id' | 'kind' | 'title'>, index: number, total: number): StepRecord {
    const record = this.attempt.steps.findLast((s) => s.id === step.id && s.status === 'waiting');
    if (!record) return this.startStep(step, index, total);
    record.status = 'running';
    this.events.emit('step_start', { step: record, index, total });
    return record;
  }

  /**
   * Pauses the attempt and the run for a person: the step waits, the run becomes `waiting` with the held calls and
   * where to go on. Nothing is left running (no slot, no session, no lock). Returns the stored record.
   */
  async wait(step: StepRecord, draft: WaitDraft): Promise<RunRecord> {
    const at = this.#now();
    move(this.run, 'waiting');
    step.status = 'waiting';
    this.attempt.status = 'waiting';
    const wait: ApprovalWait = {
      since: at.toISOString(),
      expiresAt: new Date(at.getTime() + draft.timeoutMs).toISOString(),
      ...(draft.note ? { note: draft.note } : {}),
      calls: draft.calls.map((call, i) => ({ ...call, n: i + 1 })),
      resume: draft.resume,
    };
    this.run.approvals = [...(this.run.approvals ?? []), wait];
    for (const stop of this.#unsubscribe) stop();
    await this.save();
    const stored = this.#store.redact(this.run);
    this.events.emit('run_end', { run: stored });
    return stored;
  }

  /** Ends the attempt and the run: succeeded without a failure, else failed or cancelled. Returns the stored record. */
  async finish(failure?: RunFailure): Promise<RunRecord> {
    const at = this.#now().toISOString();
    const status = !failure ? 'succeeded' : failure.kind === 'cancelled' ? 'cancelled' : 'failed';
    // The move first: a refused one must leave the attempt as it was.
    move(this.run, status);
    for (const step of this.attempt.steps) {
      if (step.status !== 'running') continue;
      Object.assign(step, { status: status === 'cancelled' ? 'cancelled' : 'failed', endedAt: at });
      if (step.usage) this.run.usage = sumUsage(this.run.usage, step.usage);
    }
    this.attempt.status = status;
    this.attempt.endedAt = at;
    this.run.endedAt = at;
    if (failure) {
      this.attempt.error = failure;
      this.run.error = failure;
    } else delete this.run.error;
    for (const stop of this.#unsubscribe) stop();
    await this.save();
    // (save() cleared any trailing save still waiting.)
    const stored = this.#store.redact(this.run);
    // A fenced attempt's end was not written: the job's new owner ends the run.
    if (!this.#store.fenced) publishRunEnded({ run: stored, way: 'attempt' });
    this.events.emit('run_end', { run: stored });
    return stored;
  }

  /** The running step with this id (the latest one). */
  #step(id: string): StepRecord | undefined {
    for (let i = this.attempt.steps.length - 1; i >= 0; i--) {
      const step = this.attempt.steps[i]!;
      if (step.id === id) return step;
    }
    return undefined;
  }
}

/** A run record of `workflow` with no attempts, outputs, links or usage yet. */
function newRun(workflow: Workflow, fields: NewRunFields, status: RunStatus, createdAt: string): RunRecord {
  if (!INITIAL_STATUSES.includes(status)) throw new Error(`a run cannot be created ${status}`);
  return {
    workflow: workflow.name,
    workflowHash: workflow.hash,
    workflowFile: workflow.file,
    workflowSource: workflow.source,
    notes: [],
    ...fields,
    status,
    attempts: [],
    outputs: {},
    links: [],
    usage: { requests: 0, inputTokens: 0, outputTokens: 0 },
    createdAt,
  };
}

/** Moves `run` to `to`, or throws {@link TransitionError}. */
function move(run: RunRecord, to: RunStatus): void {
  if (!TRANSITIONS[run.status].includes(to)) throw new TransitionError(run, to);
  run.status = to;
}

/** Closes every attempt (and its steps) still marked running, with the status the failure gives them all. */
function closeRunningAttempts(run: RunRecord, failure: RunFailure, at: string): void {
  const status = failure.kind === 'cancelled' ? 'cancelled' : 'failed';
  for (const attempt of run.attempts) {
    if (attempt.status !== 'running') continue;
    for (const step of attempt.steps) {
      if (step.status !== 'running') continue;
      Object.assign(step, { status, endedAt: at, error: failure });
      if (step.usage) run.usage = sumUsage(run.usage, step.usage);
    }
    Object.assign(attempt, { status, endedAt: at, error: failure });
  }
}

function abandonedFailure(run: RunRecord): RunFailure {
  const worker = run.attempts.findLast((a) => a.status === 'running')?.worker ?? '(unknown)';
  return { kind: 'infrastructure', message: `worker ${worker} stopped answering during this attempt and lost the job; it ran again`, retryable: true };
}

function sumUsage(into: TokenUsage | undefined, add: TokenUsage): TokenUsage {
  return {
    requests: (into?.requests ?? 0) + add.requests,
    inputTokens: (into?.inputTokens ?? 0) + add.inputTokens,
    outputTokens: (into?.outputTokens ?? 0) + add.outputTokens,
  };
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
