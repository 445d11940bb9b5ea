import type { Command } from 'commander';

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerOutbox(program: Command): void {
  void program;
}
