'use strict';

// What the plugin changes in, and checks of, the template the framework
// compiles, before it is written: nothing of what CloudFormation creates
// changes.

// dependsOnImplied removes from each resource's DependsOn the resources its
// Properties already name through Ref, Fn::GetAtt or Fn::Sub, and returns
// how many it removed. CloudFormation orders those through the reference
// itself, so the entry says nothing more; osls writes one for every
// function's role (and each invoke permission's API), which cfn-lint warns
// of (W3005) and moto's ValidateTemplate refuses.
function dependsOnImplied(template) {
  let removed = 0;
  for (const resource of Object.values(template.Resources || {})) {
    if (resource.DependsOn == null) continue;
    const listed = [].concat(resource.DependsOn);
    const named = referenced(resource.Properties);
    const kept = listed.filter((name) => !named.has(name));
    removed += listed.length - kept.length;
    if (kept.length === 0) delete resource.DependsOn;
    else resource.DependsOn = kept;
  }
  return removed;
}

// referenced is every logical id that value names through an intrinsic
// function.
function referenced(value, names = new Set()) {
  if (Array.isArray(value)) {
    for (const v of value) referenced(v, names);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') names.add(v);
      else if (key === 'Fn::GetAtt') {
        names.add(Array.isArray(v) ? v[0] : String(v).split('.')[0]);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        // ${Name} and ${Name.Attribute}; ${!Literal} is no reference.
        for (const m of String(text).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) names.add(m[1]);
        if (Array.isArray(v)) referenced(v[1], names);
      } else referenced(v, names);
    }
  }
  return names;
}

// IAM's limit on a role's name.
const roleNameLimit = 64;

// roleNameProblems lists every role whose RoleName, as resolved for this
// stage and region, IAM would refuse: CloudFormation would say so only
// minutes into the deploy, and roll back.
function roleNameProblems(template) {
  const problems = [];
  for (const [id, resource] of Object.entries(template.Resources || {})) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const name = resource.Properties && resource.Properties.RoleName;
    if (typeof name !== 'string') continue;
    if (name.length > roleNameLimit) {
      problems.push(
        `${id}: RoleName ${name} is ${name.length} characters and IAM allows ${roleNameLimit}: use a shorter stage name`
      );
    } else if (!/^[\w+=,.@-]+$/.test(name)) {
      problems.push(`${id}: RoleName ${name} has characters IAM refuses (it allows letters, digits and +=,.@_-)`);
    }
  }
  return problems;
}

module.exports = { dependsOnImplied, referenced, roleNameProblems, roleNameLimit };
