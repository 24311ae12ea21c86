#!/usr/bin/env node
// Runs s3rver (a real S3-protocol server) on 127.0.0.1 for the upload-bucket tests:
//   node serve.js DIRECTORY BUCKET [--fail-with STATUS] [--enforce-post-policy]
// Listens on a free port and prints {"port":N} on one line once it accepts connections. The bucket is
// created empty. --fail-with answers every request with that status and an S3 error body (a failing S3).
// --enforce-post-policy makes browser-form uploads (POST /BUCKET) obey their policy's expiration and
// content-length-range as S3 does (s3rver stores them unchecked): an expired form gets 403 AccessDenied,
// a file outside the range 400 EntityTooLarge/EntityTooSmall, and nothing is stored.
// Either way a form upload is answered only once its object file is complete on disk: s3rver 3.7.1
// answers when the last byte has been hashed, before its write stream has finished, so a GET right after
// could read a shorter file than the ETag describes (S3 itself is read-after-write consistent).
// Exits when its standard input closes, so a test run that dies never leaves a server behind.
'use strict';
const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');

const [directory, bucket, ...rest] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: node serve.js DIRECTORY BUCKET [--fail-with STATUS]\n');
  process.exit(2);
}
const failIndex = rest.indexOf('--fail-with');
const failWith = failIndex >= 0 ? Number(rest[failIndex + 1]) : undefined;
const enforcePostPolicy = rest.includes('--enforce-post-policy');

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
if (failWith) {
  // Ahead of s3rver's own middleware (Koa composes the array when the server starts listening).
  server.middleware.unshift(async ctx => {
    ctx.status = failWith;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>' +
      '<Message>Injected by serve.js --fail-with</Message></Error>';
  });
}
server.middleware.unshift(postFormMiddleware);

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

// Reads the whole form, checks the policy S3 would check (with --enforce-post-policy), lets s3rver read
// the same bytes, and answers once the stored object is complete.
async function postFormMiddleware(ctx, next) {
  const isForm = ctx.method === 'POST' && ctx.path.replace(/\/+$/, '') === `/${bucket}` &&
    /^multipart\/form-data/i.test(ctx.get('content-type'));
  if (!isForm) return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const body = Buffer.concat(chunks);

  const Busboy = require('busboy');
  const fields = {};
  let fileBytes = -1;
  await new Promise((resolve, reject) => {
    const busboy = new Busboy({ headers: ctx.req.headers, limits: { fieldSize: 1 << 20 } });
    busboy.on('field', (name, value) => { if (fileBytes < 0) fields[name.toLowerCase()] = value; });
    busboy.on('file', (name, file) => {
      if (name !== 'file' || fileBytes >= 0) return file.resume();
      fileBytes = 0;
      file.on('data', d => { fileBytes += d.length; });
    });
    busboy.on('finish', resolve);
    busboy.on('error', reject);
    busboy.end(body);
  });

  if (enforcePostPolicy && !fields.policy) return s3Error(ctx, 403, 'AccessDenied', 'Bucket POST must contain a field named Policy.');
  const policy = enforcePostPolicy ? JSON.parse(Buffer.from(fields.policy, 'base64').toString('utf8')) : { expiration: '9999-12-31T00:00:00Z' };
  if (!(new Date(policy.expiration) > new Date()))
    return s3Error(ctx, 403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  for (const condition of policy.conditions || []) {
    if (Array.isArray(condition) && condition[0] === 'content-length-range') {
      if (fileBytes > condition[2]) return s3Error(ctx, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      if (fileBytes < condition[1]) return s3Error(ctx, 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
    }
  }
  // s3rver reads the form with ctx.req.pipe(busboy): give it the bytes already read.
  ctx.req.pipe = destination => { destination.end(body); return destination; };
  await next();
  if (ctx.status >= 200 && ctx.status < 300 && fields.key) await untilStored(fields.key, fileBytes);
}

async function untilStored(key, bytes) {
  const file = path.join(directory, bucket, key + '._S3rver_object');
  for (let waited = 0; waited < 10000; waited += 10) {
    try { if (fs.statSync(file).size === bytes) return; } catch { /* not there yet */ }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

server.run().then(
  address => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  err => { process.stderr.write(`s3rver failed to start: ${err.stack || err}\n`); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
