import type { Deployer, DeployRequest, DeployResult } from '../ports/deployer.js';
import type { DemoStack } from './demo-stack.js';

/**
 * The demo's Deployer: both versions already run (the demo stack started them), so a
 * deploy checks that the version it names is up and says where it serves, and a rollback
 * leaves the old version serving (the engine has already set the weight to 0).
 */
export class DemoDeployer implements Deployer {
  readonly name = 'demo';

  constructor(private readonly stack: DemoStack) {}

  async deploy(request: DeployRequest): Promise<DeployResult> {
    if (request.target === 'canary') {
      const up = await this.healthy(this.stack.canary.url);
      return up
        ? { ok: true, message: `${request.version} runs as the canary at ${this.stack.canary.url}` }
        : { ok: false, message: `${request.version} does not answer at ${this.stack.canary.url}` };
    }
    return {
      ok: true,
      message: `${request.version} serves all traffic; ${request.previousVersion} stays warm in the stable pool for an instant rollback`,
    };
  }

  async rollback(request: DeployRequest): Promise<DeployResult> {
    return {
      ok: true,
      message: `${request.previousVersion} serves all traffic again; ${request.version} gets none`,
    };
  }

  private async healthy(url: string): Promise<boolean> {
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}
