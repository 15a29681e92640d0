// `run`: the daemon, until SIGTERM/SIGINT.
import { demoCatalog } from '../../shared/catalog.js';
import { AgentDaemon } from '../daemon/daemon.js';
import { detectInstalled } from '../detect/index.js';
import { agentSocketUrlFor } from '../state/config.js';
import { AGENT_VERSION } from '../version.js';
import { detectRootFor, fileLogger, loadEnrolled } from './cli-helpers.js';
import { EXIT_OK, STATE_DIR_HELP, stateDirOption, type Command } from './types.js';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the agent (what the service starts)',
  synopsis: '[--root DIR] [--state-dir DIR]',
  details: ['--root DIR        detection root (env SEATKEEPER_DETECT_ROOT; default from enroll, else /)', STATE_DIR_HELP],
  options: { ...stateDirOption, root: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const enrolled = await loadEnrolled(ctx);
    if (typeof enrolled === 'number') return enrolled;
    const logger = fileLogger(ctx, { stderr: true });
    const root = detectRootFor(ctx, enrolled.config);
    const daemon = new AgentDaemon({
      paths: ctx.paths,
      config: enrolled.config,
      deviceKey: enrolled.deviceKey,
      agentVersion: AGENT_VERSION,
      socketUrl: enrolled.socketUrl,
      alsoSocketUrls: (enrolled.config.servers ?? []).map(agentSocketUrlFor),
      clock: ctx.env.clock,
      logger,
      scan: () => detectInstalled({ products: demoCatalog, platform: ctx.env.platform, root }),
    });
    const stop = ctx.env.shutdown();
    try {
      await daemon.start();
      const signal = await stop;
      logger.info('daemon: shutting down', { signal });
    } finally {
      await daemon.close();
      await logger.close();
    }
    return EXIT_OK;
  },
};
