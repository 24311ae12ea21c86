#!/usr/bin/env node
// Validates the archive state machine's Amazon States Language with asl-validator (pinned in package.json):
// reads deploy/template.yaml as cfn-lint's YAML parser reads it, fills the !Sub in ArchiveStateMachine's
// DefinitionString as CloudFormation would (each parameter's default, an example archive bucket, an example
// function ARN), parses the JSON and runs asl-validator on it (schemas, JSONPath syntax, Resource ARNs).
//   node deploy/validate-asl.js [TEMPLATE]
// Prints {"valid", "errors", "definition"} as JSON and exits 1 when the definition is not valid ASL.
'use strict';
const path = require('path');
const template = path.resolve(process.argv[2] || path.join(__dirname, 'template.yaml'));
const parsed = require('cfn-lint/lib/parser').openFile(template);
const validate = require('asl-validator');

const values = {
  ArchiveBucketName: 'example-archive',
  'Function.Arn': 'arn:aws:lambda:eu-west-1:123456789012:function:xray-classifier',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
};
for (const [name, p] of Object.entries(parsed.Parameters || {})) {
  if (!(name in values) && p.Default !== undefined) values[name] = String(p.Default);
}
const sub = parsed.Resources.ArchiveStateMachine.Properties.DefinitionString["Fn::Sub"];
const unknown = [];
const text = sub.replace(/\$\{([^}!]+)\}/g, (_, name) => {
  if (name in values) return values[name];
  unknown.push(name);
  return '';
});
if (unknown.length) {
  process.stdout.write(JSON.stringify({ valid: false, errors: [`no value for \${${unknown.join('}, ${')}}`] }) + '\n');
  process.exit(1);
}
let definition;
try {
  definition = JSON.parse(text);
} catch (e) {
  process.stdout.write(JSON.stringify({ valid: false, errors: [`not JSON: ${e.message}`], text }) + '\n');
  process.exit(1);
}
const { isValid, errors } = validate(definition);
process.stdout.write(JSON.stringify({ valid: isValid, errors: errors.map(e => e.message ?? e.Message ?? JSON.stringify(e)), definition }, null, 2) + '\n');
process.exit(isValid ? 0 : 1);
