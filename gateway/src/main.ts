import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_SITE, startGateway } from './app.js';
import { runAccountCli, STAFF_USAGE } from './auth/cli.js';
import { secretReader } from './auth/secret-prompt.js';
import { ConfigError, loadConfig } from './config/load.js';
import { openDatabase } from './core/db.js';
import { hashSecret } from './register/credentials.js';
import { openRegister } from './register/register.js';
import { SiteFileError } from './register/site-file.js';
import { RulesFileError } from './rules/file.js';
import { openOfflineRules } from './rules/offline-engine.js';
import { runReplayCli } from './rules/replay-cli.js';

const USAGE = `Usage:
  careedge-gateway [--config FILE] [--site FILE]   start the gateway
  careedge-gateway hash-secret SECRET              print the secretHash for a site file
  careedge-gateway replay FILE [--rules A.yaml …]  run a recording through the rules (--help)
${STAFF_USAGE.replace('Usage:\n', '')}

Settings come from the config file (or CAREEDGE_CONFIG), then CAREEDGE_* environment variables;
see "Configuration" in README.md.`;

async function main(): Promise<number> {
  // Its own options: parsed by the replay command, not here.
  if (process.argv[2] === 'replay')
    return runReplayCli(process.argv.slice(3), openOfflineRules, {
      out: (text) => console.log(text),
      err: (text) => console.error(text),
      progressStream: process.stderr,
    });
  if (process.argv[2] === 'staff' || process.argv[2] === 'token')
    return accountCommand(process.argv.slice(2));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      site: { type: 'string', short: 's' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === 'hash-secret') {
    if (!positionals[1]) {
      console.error(USAGE);
      return 2;
    }
    console.log(hashSecret(positionals[1]));
    return 0;
  }
  if (positionals.length > 0) {
    console.error(`unknown command "${positionals[0]}"\n\n${USAGE}`);
    return 2;
  }

  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    const config = loadConfig({
      file: values.config ?? process.env.CAREEDGE_CONFIG,
      env: process.env,
      overrides: values.site ? { siteFile: values.site } : {},
    });
    gateway = await startGateway({ config });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SiteFileError || err instanceof RulesFileError) {
      const { problems } = err;
      const what =
        err instanceof ConfigError
          ? 'configuration'
          : err instanceof SiteFileError
            ? 'site file'
            : 'rules file';
      console.error(`CareEdge refuses to start because the ${what} is not valid:`);
      for (const p of problems) console.error(`  ${p}`);
      return 2;
    }
    throw err;
  }

  const shutdown = async (signal: string) => {
    gateway.context.log.info({ signal }, 'stopping');
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return -1; // keep running
}

/** `staff …` and `token …`: against the configured gateway's database and site. */
async function accountCommand(argv: string[]): Promise<number> {
  const reader = secretReader(process.stdin, process.stderr);
  try {
    return await runAccountCli(
      argv,
      (files) => {
        const config = loadConfig({
          file: files.config ?? process.env.CAREEDGE_CONFIG,
          env: process.env,
          overrides: files.site ? { siteFile: files.site } : {},
        });
        const db = openDatabase(join(config.dataDir, 'careedge.sqlite'));
        return { db, register: openRegister(db, config.siteFile || EXAMPLE_SITE), config };
      },
      { out: (t) => console.log(t), err: (t) => console.error(t), secret: (p) => reader.ask(p) },
    );
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SiteFileError) {
      for (const p of err.problems) console.error(`  ${p}`);
      return 2;
    }
    throw err;
  } finally {
    reader.close();
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: NodeJS.ErrnoException) => {
    // System errors (port in use, permission denied) need the sentence, not a stack trace.
    console.error('CareEdge gateway failed to start:', err.code ? err.message : err);
    process.exit(1);
  },
);
