import type { Command } from 'commander';

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerWatch(program: Command): void {
  void program;
}
