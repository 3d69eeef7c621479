import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_RESULTS } from './paths.ts';
import { startSynapse, type SynapseInfo } from './synapse.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    synapse: SynapseInfo;
  }
}

/**
 * One Synapse per project run, shared by its test files through `inject('synapse')`. Its log
 * is kept only when something failed, as the server side of the story.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startSynapse({ name: project.name });
  const { baseUrl, serverName, registrationSharedSecret } = server;
  project.provide('synapse', { baseUrl, serverName, registrationSharedSecret });

  return async () => {
    const state = project.vitest.state;
    if (state.getCountOfFailedTests() === 0 && state.getFailedFilepaths().length === 0) {
      await server.stop();
      return;
    }
    const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
    const keepLogAt = path.join(TEST_RESULTS, 'logs', `synapse-${project.name}-${timestamp}.log`);
    await server.stop({ keepLogAt });
    console.log(`Synapse log kept at ${keepLogAt}`);
  };
}
