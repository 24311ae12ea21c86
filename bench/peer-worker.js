'use strict';
// The Node peer's warm figures, measured on request so that XrayClassifier.Bench can interleave them with
// its own: on this noisy 2-core VM the speed drifts 10-40 % from minute to minute, so figures taken minutes
// apart (the peer's own bench.js runs after ours) give ratios that mean little.
//
//   node peer-worker.js PEER_DIR      (env MODEL_PATH, WORKSPACE as for the peer's handler.js)
//
// One JSON command per stdin line, one JSON answer per stdout line:
//   {"op":"ready"}                                       -> {"ok":true,"versions":{...}}
//   {"op":"time","what":"preprocess|run|handler","image":"/abs/file","runs":N}
//                                                        -> {"ms":[N numbers],"status":200}
//   {"op":"archive","endpoint":"http://127.0.0.1:N/","bucket":"b","keys":["k",…],"resultsPrefix":"peer-results/"}
//                                                        -> {"ms":[one number a key],"status":200}
// What is timed is exactly what the peer's bench.js times: preprocess(file on disk), session.run on the
// prepared tensor, and handler(event) with the event already built. "archive" is issue 23's archive job done
// the peer's way, one object at a time: GET the object from the S3-protocol server, the API Gateway event its
// handler takes, handler(event), PUT its answer under resultsPrefix — timed per object, end to end.
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const peerDir = path.resolve(process.argv[2] || '.');
const h = require(path.join(peerDir, 'handler.js'));
const tmp = process.env.WORKSPACE || fs.mkdtempSync('/tmp/peer-worker-');
fs.mkdirSync(tmp, { recursive: true });

const prepared = new Map(); // image path -> { file, event, feeds }

function makeEvent(bytes) {
  // The same event the peer's bench.js builds.
  return {
    resource: '/classify', path: '/classify', httpMethod: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    multiValueHeaders: { 'Content-Type': ['application/octet-stream'] },
    queryStringParameters: null, pathParameters: null, stageVariables: null,
    requestContext: { resourcePath: '/classify', httpMethod: 'POST', stage: 'prod', requestId: 'bench' },
    body: bytes.toString('base64'), isBase64Encoded: true,
  };
}

async function prepare(image) {
  let p = prepared.get(image);
  if (p) return p;
  const bytes = fs.readFileSync(image);
  const file = path.join(tmp, `pre-${path.basename(image)}`);
  fs.writeFileSync(file, bytes);
  const session = await h.getSession();
  const tensor = await h.preprocess(file);
  p = { file, event: makeEvent(bytes), feeds: { [session.inputNames[0]]: tensor }, session };
  prepared.set(image, p);
  return p;
}

async function time(cmd) {
  const p = await prepare(cmd.image);
  const ms = [];
  let status = 200;
  for (let i = 0; i < cmd.runs; i++) {
    const t = performance.now();
    if (cmd.what === 'preprocess') await h.preprocess(p.file);
    else if (cmd.what === 'run') await p.session.run(p.feeds);
    else if (cmd.what === 'handler') status = (await h.handler(p.event)).statusCode;
    else throw new Error(`unknown figure ${cmd.what}`);
    ms.push(performance.now() - t);
  }
  return { ms, status };
}

// An object's URL on a path-style S3-protocol server (s3rver accepts unsigned requests): each key segment encoded.
function objectUrl(endpoint, bucket, key) {
  return new URL(`${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, endpoint).href;
}

async function archive(cmd) {
  const ms = [];
  let status = 200;
  for (const key of cmd.keys) {
    const t = performance.now();
    const got = await fetch(objectUrl(cmd.endpoint, cmd.bucket, key));
    if (!got.ok) throw new Error(`GET ${key}: ${got.status}`);
    const bytes = Buffer.from(await got.arrayBuffer());
    const answer = await h.handler(makeEvent(bytes));
    status = answer.statusCode;
    if (status !== 200) throw new Error(`the peer answered ${status} for ${key}: ${answer.body}`);
    const put = await fetch(objectUrl(cmd.endpoint, cmd.bucket, `${cmd.resultsPrefix}${key}.json`),
      { method: 'PUT', body: answer.body, headers: { 'Content-Type': 'application/json' } });
    if (!put.ok) throw new Error(`PUT result of ${key}: ${put.status}`);
    ms.push(performance.now() - t);
  }
  return { ms, status };
}

async function handle(line) {
  const cmd = JSON.parse(line);
  if (cmd.op === 'ready') {
    await h.getSession();
    const pkg = (name) => JSON.parse(fs.readFileSync(path.join(peerDir, 'node_modules', name, 'package.json'), 'utf8')).version;
    return { ok: true, versions: { node: process.version, onnxruntimeNode: pkg('onnxruntime-node'), sharp: pkg('sharp') } };
  }
  if (cmd.op === 'time') return time(cmd);
  if (cmd.op === 'archive') return archive(cmd);
  throw new Error(`unknown op ${cmd.op}`);
}

// Commands are handled strictly one after another: a figure must never overlap another measurement.
const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  chain = chain.then(() => handle(line))
    .then((answer) => process.stdout.write(JSON.stringify(answer) + '\n'))
    .catch((e) => process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n'));
});
rl.on('close', () => chain.then(() => process.exit(0)));
