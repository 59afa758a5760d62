import type { Deployer, DeployRequest, DeployResult } from '../../src/ports/deployer.js';

/** A deployer in memory: records calls; deploy or rollback can fail N times (or always). */
export class FakeDeployer implements Deployer {
  readonly name = 'fake-deployer';
  readonly calls: { op: 'deploy' | 'rollback'; request: DeployRequest; ok: boolean }[] = [];
  private failures = { deploy: 0, rollback: 0 };
  /** How a failure shows: a thrown error, or a result with ok: false. */
  failureMode: 'throw' | 'result' = 'throw';

  failNext(op: 'deploy' | 'rollback', n: number): void {
    this.failures[op] = n;
  }

  count(op: 'deploy' | 'rollback', ok?: boolean): number {
    return this.calls.filter((c) => c.op === op && (ok === undefined || c.ok === ok)).length;
  }

  private async run(op: 'deploy' | 'rollback', request: DeployRequest): Promise<DeployResult> {
    if (this.failures[op] > 0) {
      this.failures[op] -= 1;
      this.calls.push({ op, request, ok: false });
      if (this.failureMode === 'throw') throw new Error(`${op} script exited with 1 (fake)`);
      return { ok: false, message: `${op} script exited with 1 (fake)` };
    }
    this.calls.push({ op, request, ok: true });
    const version = op === 'deploy' ? request.version : request.previousVersion;
    return { ok: true, message: `${version} ready`, output: `${op} ${version}` };
  }

  deploy(request: DeployRequest): Promise<DeployResult> {
    return this.run('deploy', request);
  }

  rollback(request: DeployRequest): Promise<DeployResult> {
    return this.run('rollback', request);
  }
}
