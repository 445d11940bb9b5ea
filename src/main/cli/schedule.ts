import type { Command } from 'commander';

/** Registers this group's commands. Implementations load lazily inside each action. */
export function registerSchedule(program: Command): void {
  void program;
}
