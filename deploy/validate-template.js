#!/usr/bin/env node
// Validates a CloudFormation template with the npm cfn-lint (JavaScript) validator, fed AWS's CloudFormation
// resource specification from @aws-cdk/cfnspec: cfn-lint 1.9.7 bundles a 2019 specification that predates
// EFS access points and Lambda FileSystemConfigs, so its checks (resource types, property names and
// types, required properties, Ref/GetAtt/Sub targets and attributes) run against the newer one.
//   node deploy/validate-template.js [TEMPLATE] [--parsed]
// Prints cfn-lint's result as JSON (with --parsed: the template as cfn-lint's YAML parser reads it) and
// exits 1 when the template is invalid. Needs `npm ci --ignore-scripts` in deploy/ first.
'use strict';
const path = require('path');
const args = process.argv.slice(2);
const template = path.resolve(args.find(a => !a.startsWith('--')) || path.join(__dirname, 'template.yaml'));

const awsData = require('cfn-lint/lib/awsData');
const spec = require('@aws-cdk/cfnspec/spec/specification.json');
awsData.awsResources.ResourceTypes = spec.ResourceTypes;
awsData.awsResources.PropertyTypes = spec.PropertyTypes;
awsData.awsResources.ResourceSpecificationVersion = spec.ResourceSpecificationVersion;

if (args.includes('--parsed')) {
  process.stdout.write(JSON.stringify(require('cfn-lint/lib/parser').openFile(template)) + '\n');
  process.exit(0);
}

// Parameter values only so that cfn-lint can resolve Refs to them; nothing is deployed.
const result = require('cfn-lint/lib/api').validateFile(template, {
  parameters: {
    VpcId: 'vpc-0123456789abcdef0',
    SubnetA: 'subnet-0123456789abcdef0',
    SubnetB: 'subnet-0123456789abcdef1',
    FunctionSecurityGroupId: 'sg-0123456789abcdef0',
    CodeS3Bucket: 'example-bucket',
    RouteTableIds: 'rtb-0123456789abcdef0,rtb-0123456789abcdef1',
  },
});
// cfn-lint 1.9.7 renders Fn::Sub wrongly: parseFnSubStr keys each value by the bare name, so
// 'arn:${AWS::Partition}:…' becomes 'arn:${aws}:…' and its ARN check fails on the leftover '${'. Only
// errors about such a half-rendered value are dropped, and they are counted in the output.
const halfRendered = e => /^Expecting an ARN, got '.*\$\{[^}]*\}.*'$/.test(e.message);
result.ignoredCfnLintSubRenderingErrors = result.errors.crit.filter(halfRendered).length;
result.errors.crit = result.errors.crit.filter(e => !halfRendered(e));
result.templateValid = result.errors.crit.length === 0;
result.specificationVersion = spec.ResourceSpecificationVersion;
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.exit(result.templateValid ? 0 : 1);
