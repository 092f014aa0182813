/**
 * Real receivers for notification tests: an HTTP server on 127.0.0.1 that records each request's raw body and
 * headers and answers with the statuses it is told, and an SMTP server (the `smtp-server` package) that requires a
 * login and keeps each message, parsed.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as sent (signatures are over these bytes). */
  body: string;
}

/** A running HTTP receiver. */
export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  readonly requests: Received[];
  close(): Promise<void>;
}

/** An answer that never comes: the request is held open until the receiver closes. */
export const HANG = 0;

/** Starts a receiver that answers the statuses of `answers` in turn, then `then` (default 200) to every request. */
export async function startReceiver(answers: readonly number[] = [], then = 200): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers[requests.length] ?? then;
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (status === HANG) return;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver trouble');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A running SMTP server. */
export interface SmtpReceiver {
  /** `smtp://<user>:<pass>@127.0.0.1:<port>` */
  url: string;
  readonly messages: ParsedMail[];
  /** Logins refused so far. */
  readonly refusedLogins: number;
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 that accepts mail only after a login as `user` with `pass`. */
export async function startSmtp(user: string, pass: string): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) return callback(null, { user });
      refused++;
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    messages,
    get refusedLogins() {
      return refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
