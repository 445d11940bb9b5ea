// A scripted SMTP provider on 127.0.0.1 for the outbox tests: real smtp-server, answering at
// each stage exactly what the script says (real replies from the fixtures), counting what it
// accepted by Message-ID.
import { SMTPServer } from 'smtp-server';

export type Stage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

export interface Reply {
  code: number;
  /** the reply text as a client shows it (multi-line replies joined by spaces, codes included) */
  text: string;
}

export interface ProviderScript {
  user?: string;
  password?: string;
  /** answer this at the stage instead of accepting */
  failAt?: { stage: Stage; reply: Reply } | null;
  /** per-recipient RCPT refusals */
  rejectRecipients?: Record<string, Reply>;
  /** close the socket after this many bytes of the message body */
  dropMidData?: boolean;
  /** SIZE to announce in EHLO */
  size?: number;
}

export interface ScriptedProvider {
  port: number;
  script: ProviderScript;
  /** Message-ID header → number of times accepted */
  received: Map<string, number>;
  /** raw bytes of every accepted message, in order */
  messages: { from: string; to: string[]; raw: Buffer }[];
  connections: number;
  stop(): Promise<void>;
}

/**
 * Rebuilds the lines of a reply given as one joined string ("550-5.4.5 a 550-5.4.5 b 550 5.4.5 c")
 * so the wire carries a real multi-line reply; smtp-server writes a line per array item.
 */
export function replyLines(reply: Reply): string[] {
  const code = String(reply.code);
  let text = reply.text.trim();
  if (text.startsWith(code + '-') || text.startsWith(code + ' ')) text = text.slice(4);
  const parts = text.split(new RegExp(`\\s+${code}[- ]`));
  return parts.map((p) => p.trim());
}

function refusal(reply: Reply): Error {
  const err = new Error('refused') as Error & { responseCode: number; message: unknown };
  err.responseCode = reply.code;
  // smtp-server writes an array message as a multi-line reply
  (err as { message: unknown }).message = replyLines(reply);
  return err;
}

export async function startProvider(script: ProviderScript = {}): Promise<ScriptedProvider> {
  const state: ScriptedProvider = {
    port: 0,
    script,
    received: new Map(),
    messages: [],
    connections: 0,
    stop: async () => {},
  };
  const at = (stage: Stage) => (state.script.failAt && state.script.failAt.stage === stage ? state.script.failAt.reply : null);
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    size: script.size,
    logger: false,
    closeTimeout: 500,
    onConnect(_session, cb) {
      state.connections++;
      const r = at('connect');
      cb(r ? refusal(r) : undefined);
    },
    onAuth(auth, _session, cb) {
      const r = at('auth');
      if (r) return cb(refusal(r));
      if (auth.username !== (state.script.user ?? 'sender@example.test') || auth.password !== (state.script.password ?? 'secret')) {
        return cb(refusal({ code: 535, text: '535 5.7.8 Error: authentication failed: (reason unavailable)' }));
      }
      cb(null, { user: auth.username });
    },
    onMailFrom(_address, _session, cb) {
      const r = at('mail');
      cb(r ? refusal(r) : undefined);
    },
    onRcptTo(address, _session, cb) {
      const per = state.script.rejectRecipients?.[address.address];
      if (per) return cb(refusal(per));
      const r = at('rcpt');
      cb(r ? refusal(r) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let dropped = false;
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        if (state.script.dropMidData && !dropped) {
          dropped = true;
          // the provider goes away in the middle of the body
          (session as unknown as { _socket?: { destroy(): void } })._socket?.destroy();
          const conn = [...(server as unknown as { connections: Set<{ session: { id: string }; _socket: { destroy(): void } }> }).connections].find((c) => c.session?.id === session.id);
          conn?._socket.destroy();
        }
      });
      stream.on('end', () => {
        if (dropped) return;
        const r = at('data');
        if (r) return cb(refusal(r));
        const raw = Buffer.concat(chunks);
        const id = /^message-id:\s*(\S+)/im.exec(raw.toString('utf8'))?.[1] ?? '(none)';
        state.received.set(id, (state.received.get(id) ?? 0) + 1);
        state.messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((x) => x.address), raw });
        cb(null, 'Ok: queued as SCRIPTED');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as { port: number }).port;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
