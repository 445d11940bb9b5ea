#!/usr/bin/env node
// The `outbox-monitor` command line: the engine without a window. Each command group lives in
// its own module and loads its implementation lazily, and this module imports everything lazily,
// so `classify FILE...` (thousands of bounces per call) loads neither commander nor the store.
import type { Command } from 'commander';

export async function buildProgram(): Promise<Command> {
  const [{ Command }, { registerDb }, { registerClassify }, { registerOutbox }, { registerWatch }, { registerSchedule }, { registerOAuth }] = await Promise.all([
    import('commander'),
    import('./db'),
    import('./classify'),
    import('./outbox'),
    import('./watch'),
    import('./schedule'),
    import('./oauth'),
  ]);
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

/** `classify FILE...` with nothing but file names: the same action, without building the program. */
function plainClassifyFiles(argv: string[]): string[] | null {
  if (argv[2] !== 'classify' || argv.length < 4) return null;
  const files = argv.slice(3);
  return files.every((f) => f !== '' && !f.startsWith('-')) ? files : null;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const files = plainClassifyFiles(argv);
    if (files) {
      const { runClassify } = await import('./classify');
      const code = await runClassify(files, {});
      return code !== 0 ? code : typeof process.exitCode === 'number' ? process.exitCode : 0;
    }
    const program = await buildProgram();
    program.exitOverride();
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // the error classes are loaded only now (the store's module wraps an addon it loads on open)
    const [{ CommanderError }, { UsageError }, { StoreError }] = await Promise.all([import('commander'), import('./common'), import('../engine/store/db')]).catch(
      () => [{ CommanderError: null }, { UsageError: null }, { StoreError: null }] as const,
    );
    if (CommanderError && err instanceof CommanderError) return err.exitCode;
    if (UsageError && err instanceof UsageError) {
      process.stderr.write(`outbox-monitor: ${err.message}\n`);
      return err.exitCode;
    }
    if (StoreError && err instanceof StoreError) {
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
