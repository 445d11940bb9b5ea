// The relay bench's load: a plain SMTP client over raw sockets, run in a worker thread.
// nodemailer's client cost about half a core at 2,000 msg/s (its DATA encoder writes the body in
// small pieces), on the same two cores as the relay it measures; this one writes each message in
// one piece. It is still real SMTP over 127.0.0.1: EHLO, AUTH PLAIN, then per message
// MAIL/RCPT/DATA sent together (the relay announces PIPELINING, RFC 2920), the dot-stuffed body
// after the 354, and nothing more until the 250 that follows the commit.
// workerData: { port, user, pass, messages, connections, bodies: Uint8Array[] }
// Posts { total: number[], dataEnd: number[] } in ms: MAIL FROM → 250, and end of DATA → 250.
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');

const { port, user, pass, messages, connections, bodies } = workerData;

/** The body as it goes on the wire: lines starting with a dot doubled, ended by CRLF.CRLF. */
function wire(body) {
  let text = Buffer.from(body).toString('latin1').replace(/(^|\n)\./g, '$1..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text}.\r\n`, 'latin1');
}

/** One connection: replies are read line by line and handed, in order, to whoever waits. */
function open() {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const waiting = [];
  let pending = '';
  let failure = null;
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    let end;
    while ((end = pending.indexOf('\r\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      if (line[3] === '-') continue; // a multi-line reply goes on
      const w = waiting.shift();
      if (w) w.resolve(line);
    }
  });
  const fail = (err) => {
    failure = err;
    for (const w of waiting.splice(0)) w.reject(err);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed')));
  const reply = (code) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push({ resolve, reject });
    }).then((line) => {
      if (!line.startsWith(String(code))) throw new Error(`expected ${code}, got: ${line}`);
      return line;
    });
  return { socket, reply };
}

const total = [];
const dataEnd = [];
let next = 0;

async function one(frames) {
  const { socket, reply } = open();
  await reply(220);
  socket.write('EHLO bench.example.test\r\n');
  await reply(250);
  socket.write(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}\r\n`);
  await reply(235);
  while (next < messages) {
    const n = next++;
    const frame = frames[n % frames.length];
    const started = process.hrtime.bigint();
    socket.write(`MAIL FROM:<bench@example.test> SIZE=${frame.length}\r\nRCPT TO:<sink${n % 50}@example.test>\r\nDATA\r\n`);
    await Promise.all([reply(250), reply(250), reply(354)]);
    socket.write(frame);
    const sent = process.hrtime.bigint();
    await reply(250);
    const done = process.hrtime.bigint();
    total.push(Number(done - started) / 1e6);
    dataEnd.push(Number(done - sent) / 1e6);
  }
  socket.write('QUIT\r\n');
  await reply(221);
  socket.end();
}

const frames = bodies.map(wire);
Promise.all(Array.from({ length: connections }, () => one(frames))).then(
  () => parentPort.postMessage({ total, dataEnd }),
  (e) => {
    throw e;
  },
);
