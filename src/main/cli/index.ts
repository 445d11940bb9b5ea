#!/usr/bin/env node
// The `outbox-monitor` command line: the engine without a window. Each command group lives in
// its own module and loads its implementation lazily, so `classify` starts fast.
import { Command, CommanderError } from 'commander';
import { registerDb } from './db';
import { registerClassify } from './classify';
import { registerOutbox } from './outbox';
import { registerWatch } from './watch';
import { registerSchedule } from './schedule';
import { registerOAuth } from './oauth';
import { UsageError } from './common';
import { StoreError } from '../engine/store/db';

export function buildProgram(): Command {
  const program = new Command('outbox-monitor')
    .description('Outbox Monitor: every send recorded, every failure classified, retries inside quota windows.')
    .version('0.1.0')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });
  registerDb(program);
  registerClassify(program);
  registerOutbox(program);
  registerWatch(program);
  registerSchedule(program);
  registerOAuth(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UsageError) {
      process.stderr.write(`outbox-monitor: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof StoreError) {
      process.stderr.write(`outbox-monitor: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`outbox-monitor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

// Run when executed directly (the built out/main/cli.js, or the launcher in bin/).
if (require.main === module || process.env.OUTBOX_CLI_MAIN === '1') {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
