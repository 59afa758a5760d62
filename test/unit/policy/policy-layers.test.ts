import { describe, expect, it } from 'vitest';
import { resolvePlan } from '../../../src/core/plan/resolve-plan.js';
import {
  BUILTIN_POLICY_NAME,
  builtinLayer,
  compilePolicy,
  type PolicyLayer,
  parsePolicyLayer,
} from '../../../src/core/policy/compile-policy.js';

// built-in < file < environment < flags: a third layer stands in for the later two.

function layer(text: string, file: string): PolicyLayer {
  const parsed = parsePolicyLayer(text, file);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.layer;
}

const FILE = `version: 1
services:
  web:
    router: { type: builtin, listen: "127.0.0.1:8080", stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" }
    deployer: { type: command, deploy: ./d.sh, rollback: ./r.sh }
    metrics: { type: builtin }
gates:
  error-rate-no-go: { for: 10m }
`;

describe('policy layers', () => {
  it('a later layer overrides one key of an earlier one, keeping the rest', () => {
    const override = layer('version: 1\ngates:\n  error-rate-no-go: { threshold: 2% }\n', 'flags');
    const result = compilePolicy([builtinLayer(), layer(FILE, 'rollgate.yaml'), override]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.gates['error-rate-no-go']).toMatchObject({
      threshold: 0.02,
      forSeconds: 600,
      comparison: 'delta',
      action: 'no_go',
    });
  });

  it('a section with another type replaces the earlier one instead of mixing settings', () => {
    const override = layer(
      'version: 1\nservices:\n  web:\n    deployer: { type: kubernetes, namespace: n, stableDeployment: a, canaryDeployment: b, container: c, image: "r/web:{version}" }\n',
      'flags',
    );
    const result = compilePolicy([builtinLayer(), layer(FILE, 'rollgate.yaml'), override]);
    expect(result.ok && result.policy.services.web?.environments.production?.deployer).toEqual({
      type: 'kubernetes',
      namespace: 'n',
      stableDeployment: 'a',
      canaryDeployment: 'b',
      container: 'c',
      image: 'r/web:{version}',
    });
  });

  it('blames the layer that introduced the problem, with its position', () => {
    const override = layer('version: 1\ngates:\n  error-rate-no-go:\n    threshold: 2s\n', 'flags');
    const result = compilePolicy([builtinLayer(), layer(FILE, 'rollgate.yaml'), override]);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({
        file: 'flags',
        line: 4,
        column: 16,
        path: 'gates.error-rate-no-go.threshold',
      }),
    ]);
  });

  it('the built-in layer alone compiles but for its missing service', () => {
    const result = compilePolicy([builtinLayer()]);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({
        file: BUILTIN_POLICY_NAME,
        path: 'services',
        message: 'the policy defines no service',
      }),
    ]);
  });

  it('the built-in layer is not changed by compiling over it', () => {
    const before = JSON.stringify(builtinLayer().data);
    const result = compilePolicy([builtinLayer(), layer(FILE, 'rollgate.yaml')]);
    expect(
      result.ok && resolvePlan(result.policy, { releaseType: 'minor' }).judge.gates.length,
    ).toBe(6); // no memory gauge, no critical endpoints
    expect(JSON.stringify(builtinLayer().data)).toBe(before);
  });
});
