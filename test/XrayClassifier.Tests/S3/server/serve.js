#!/usr/bin/env node
// Runs s3rver (a real S3-protocol server) on 127.0.0.1 for the upload-bucket tests:
//   node serve.js DIRECTORY BUCKET [--fail-with STATUS]
// Listens on a free port and prints {"port":N} on one line once it accepts connections. The bucket is
// created empty. --fail-with answers every request with that status and an S3 error body (a failing S3).
// Exits when its standard input closes, so a test run that dies never leaves a server behind.
'use strict';
const S3rver = require('s3rver');

const [directory, bucket, ...rest] = process.argv.slice(2);
if (!directory || !bucket) {
  process.stderr.write('usage: node serve.js DIRECTORY BUCKET [--fail-with STATUS]\n');
  process.exit(2);
}
const failIndex = rest.indexOf('--fail-with');
const failWith = failIndex >= 0 ? Number(rest[failIndex + 1]) : undefined;

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
server.run().then(
  address => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  err => { process.stderr.write(`s3rver failed to start: ${err.stack || err}\n`); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
