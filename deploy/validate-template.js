#!/usr/bin/env node
// Validates a CloudFormation template with the npm cfn-lint (JavaScript) validator, fed AWS's CloudFormation
// resource specification from @aws-cdk/cfnspec: cfn-lint 1.9.7 bundles a 2019 specification that predates
// EFS access points and Lambda FileSystemConfigs, so its checks (resource types, property names and
// types, required properties, Ref/GetAtt/Sub targets and attributes) run against the newer one.
//   node deploy/validate-template.js [TEMPLATE] [--parsed] [--resolved] [--parameter Key=Value]... [--each FILE]
// Prints cfn-lint's result as JSON and exits 1 when the template is invalid. --parsed prints the template as
// cfn-lint's YAML parser reads it; --resolved prints it as CloudFormation would deploy it with the given parameter
// values (the rest at their defaults); --each FILE lints every parameter set of FILE (a JSON array of
// {"Name": "value"} objects) and prints an array of results, each with its resolved template. Needs
// `npm ci --ignore-scripts` in deploy/ first.
//
// The template's options (Conditions, Fn::If, AWS::NoValue, resource Conditions) are resolved here, for the given
// parameter values, before cfn-lint sees the template, as CloudFormation resolves them before it creates anything:
// cfn-lint 1.9.7 loses its place in the template after an Fn::If whose branch is a plain mapping (every later
// intrinsic function is then "not supported here") and has no Fn::And. So each option combination is linted as the
// concrete template it deploys; the tests run every combination (Deploy/SecurityTemplateTests).
'use strict';
const path = require('path');
const args = process.argv.slice(2);
const valueArgs = new Set(['--parameter', '--each']);
const positional = args.filter((a, i) => !a.startsWith('--') && !valueArgs.has(args[i - 1]));
const template = path.resolve(positional[0] || path.join(__dirname, 'template.yaml'));
const given = {};
const eachFile = args.includes('--each') ? args[args.indexOf('--each') + 1] : null;
args.forEach((a, i) => {
  if (a !== '--parameter') return;
  const pair = args[i + 1] || '';
  const eq = pair.indexOf('=');
  if (eq <= 0) { process.stderr.write(`--parameter takes Key=Value, not '${pair}'\n`); process.exit(2); }
  given[pair.slice(0, eq)] = pair.slice(eq + 1);
});

const awsData = require('cfn-lint/lib/awsData');
const spec = require('@aws-cdk/cfnspec/spec/specification.json');
awsData.awsResources.ResourceTypes = spec.ResourceTypes;
awsData.awsResources.PropertyTypes = spec.PropertyTypes;
awsData.awsResources.ResourceSpecificationVersion = spec.ResourceSpecificationVersion;

const parsed = require('cfn-lint/lib/parser').openFile(template);

// Parameter values only so that cfn-lint can resolve Refs to them; nothing is deployed.
const sampleValues = {
  VpcId: 'vpc-0123456789abcdef0',
  SubnetA: 'subnet-0123456789abcdef0',
  SubnetB: 'subnet-0123456789abcdef1',
  FunctionSecurityGroupId: 'sg-0123456789abcdef0',
  CodeS3Bucket: 'example-bucket',
  RouteTableIds: 'rtb-0123456789abcdef0,rtb-0123456789abcdef1',
};

/** Lints the template as deployed with these parameter values (the rest sample values or defaults). */
function check(givenValues) {
  const unknown = Object.keys(givenValues).filter(k => !(parsed.Parameters || {}).hasOwnProperty(k));
  if (unknown.length) throw new Error(`the template has no parameter ${unknown.join(', ')}`);
  const values = {};
  for (const [name, p] of Object.entries(parsed.Parameters || {})) {
    const v = givenValues[name] ?? sampleValues[name] ?? p.Default;
    if (v !== undefined) values[name] = String(v);
  }
  let resolved;
  try {
    resolved = resolveOptions(JSON.parse(JSON.stringify(parsed)), values);
  } catch (e) {
    return { templateValid: false, errors: { info: [], warn: [], crit: [{ message: e.message, resource: 'Rules/Conditions' }] }, parameters: values };
  }
  // cfn-lint resolves intrinsic functions in place: it gets a copy.
  const result = require('cfn-lint/lib/api').validateJsonObject(JSON.parse(JSON.stringify(resolved)), { parameters: values });
  // cfn-lint 1.9.7 renders Fn::Sub wrongly: parseFnSubStr keys each value by the bare name, so
  // 'arn:${AWS::Partition}:…' becomes 'arn:${aws}:…' and its ARN check fails on the leftover '${'. Only
  // errors about such a half-rendered value are dropped, and they are counted in the output.
  const halfRendered = e => /^Expecting an ARN, got '.*\$\{[^}]*\}.*'$/.test(e.message);
  result.ignoredCfnLintSubRenderingErrors = result.errors.crit.filter(halfRendered).length;
  result.errors.crit = result.errors.crit.filter(e => !halfRendered(e));
  result.templateValid = result.errors.crit.length === 0;
  result.specificationVersion = spec.ResourceSpecificationVersion;
  result.parameters = values;
  result.resolved = resolved;
  return result;
}

// process.exitCode, not process.exit(): exit() would cut a large answer written to a pipe at 64 KiB.
try {
  if (args.includes('--parsed')) {
    process.stdout.write(JSON.stringify(parsed) + '\n');
  } else if (eachFile) {
    // One process for many combinations: the specification is loaded once.
    const results = JSON.parse(require('fs').readFileSync(eachFile, 'utf8')).map(check);
    process.stdout.write(JSON.stringify(results) + '\n');
    process.exitCode = results.every(r => r.templateValid) ? 0 : 1;
  } else {
    const result = check(given);
    if (args.includes('--resolved')) {
      if (!result.resolved) throw new Error(result.errors.crit[0].message);
      process.stdout.write(JSON.stringify(result.resolved) + '\n');
    } else {
      delete result.resolved;
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      process.exitCode = result.templateValid ? 0 : 1;
    }
  }
} catch (e) {
  process.stderr.write(e.message + '\n');
  process.exitCode = 2;
}

/** The template CloudFormation deploys for these parameter values: Conditions evaluated, resources and outputs whose
 * Condition is false left out, each Fn::If replaced by its chosen branch, AWS::NoValue removed. Throws, as
 * CloudFormation refuses the stack, when a Rules assertion fails; and on a reference to an unknown condition or a
 * DependsOn on a resource that is left out. */
function resolveOptions(t, values) {
  const conditions = t.Conditions || {};
  const memo = {};
  const scalar = node => {
    if (node !== null && typeof node === 'object' && 'Ref' in node) {
      if (!(node.Ref in values)) throw new Error(`a condition compares Ref ${node.Ref}, which is not a parameter with a value`);
      return values[node.Ref];
    }
    if (node !== null && typeof node === 'object') throw new Error(`conditions here compare parameters and literals, not ${JSON.stringify(node)}`);
    return String(node);
  };
  const condition = name => {
    if (!(name in conditions)) throw new Error(`unknown condition '${name}'`);
    if (!(name in memo)) memo[name] = evaluate(conditions[name]);
    return memo[name];
  };
  const evaluate = node => {
    const [fn] = Object.keys(node);
    const a = node[fn];
    switch (fn) {
      case 'Fn::Equals': return scalar(a[0]) === scalar(a[1]);
      case 'Fn::Not': return !evaluate(a[0]);
      case 'Fn::Or': return a.some(evaluate);
      case 'Fn::And': return a.every(evaluate);
      case 'Condition': return condition(a);
      default: throw new Error(`condition function ${fn} is not supported`);
    }
  };
  const NoValue = Symbol('NoValue');
  const resolve = node => {
    if (Array.isArray(node)) return node.map(resolve).filter(v => v !== NoValue);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = node['Fn::If'];
      return resolve(condition(name) ? whenTrue : whenFalse);
    }
    if (keys.length === 1 && keys[0] === 'Ref' && node.Ref === 'AWS::NoValue') return NoValue;
    const out = {};
    for (const k of keys) {
      const v = resolve(node[k]);
      if (v !== NoValue) out[k] = v;
    }
    return out;
  };
  const kept = section => Object.fromEntries(Object.entries(section || {})
    .filter(([, v]) => v.Condition === undefined || condition(v.Condition))
    .map(([k, v]) => { const { Condition, ...rest } = v; return [k, resolve(rest)]; }));
  for (const name of Object.keys(conditions)) condition(name);
  for (const [name, rule] of Object.entries(t.Rules || {})) {
    if (rule.RuleCondition !== undefined && !evaluate(rule.RuleCondition)) continue;
    for (const a of rule.Assertions || []) {
      if (!evaluate(a.Assert)) throw new Error(`rule ${name}: ${a.AssertDescription || 'assertion failed'}`);
    }
  }
  const out = { ...t, Resources: kept(t.Resources) };
  if (t.Outputs) out.Outputs = kept(t.Outputs);
  delete out.Conditions;
  delete out.Rules;
  for (const [id, r] of Object.entries(out.Resources)) {
    for (const d of [].concat(r.DependsOn || [])) {
      if (!(d in out.Resources)) throw new Error(`${id} depends on ${d}, which these parameters leave out`);
    }
  }
  return out;
}
