// node_http.js server PORT | client PORT - Node.js http (libuv) server and
// client. The server answers GET /size/N with N deterministic bytes, echoes
// POST bodies with their sha256, and on GET /quit closes its listener and
// lets the event loop end (exit 0 only when every handle is closed). The
// client makes 300 requests, 25 at a time, over keep-alive sockets, then a
// 2 MB POST, and prints a deterministic summary.
'use strict';
const http = require('http');
const crypto = require('crypto');
const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);

function body(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i * 31) % 26;
  return b;
}

if (mode === 'server') {
  const server = http.createServer((req, res) => {
    if (req.url === '/quit') {
      res.end('bye\n');
      server.close();
      server.closeIdleConnections && server.closeIdleConnections();
      return;
    }
    if (req.method === 'POST') {
      const h = crypto.createHash('sha256');
      let n = 0;
      req.on('data', (c) => { h.update(c); n += c.length; });
      req.on('end', () => res.end(`${n} ${h.digest('hex')}\n`));
      return;
    }
    const m = /^\/size\/(\d+)$/.exec(req.url);
    if (!m) { res.statusCode = 404; res.end('not found\n'); return; }
    res.setHeader('content-type', 'application/octet-stream');
    res.end(body(Number(m[1])));
  });
  server.keepAliveTimeout = 500;
  server.listen(port, '127.0.0.1');
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 25 });
  const get = (path) => new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve([res.statusCode, Buffer.concat(chunks)]));
    });
    req.on('error', reject);
    req.setTimeout(20000, () => req.destroy(new Error('timeout')));
  });
  (async () => {
    const sizes = [];
    for (let i = 0; i < 300; i++) sizes.push((i * 7919) % 70000);
    const results = await Promise.all(sizes.map((n) => get(`/size/${n}`)));
    let intact = 0;
    const h = crypto.createHash('sha256');
    results.forEach(([code, buf], i) => {
      if (code === 200 && buf.equals(body(sizes[i]))) intact++;
      h.update(buf);
    });
    console.log(`GET: ${results.length} responses, ${intact} intact, digest ${h.digest('hex')}`);
    const [code404] = await get('/nothing');
    console.log(`GET /nothing: ${code404}`);
    const post = body(2 << 20);
    const reply = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', agent }, (res) => {
        let s = '';
        res.on('data', (c) => { s += c; });
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end(post);
    });
    console.log(`POST 2 MB: ${reply.trim()}`);
    agent.destroy();
    const [qc, qb] = await get('/quit');
    console.log(`quit: ${qc} ${qb.toString().trim()}`);
  })().catch((e) => { console.log(`client error: ${e.message}`); process.exitCode = 1; });
}
