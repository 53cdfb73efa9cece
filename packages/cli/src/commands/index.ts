import { budgetCommand } from './budget.js';
import type { Command } from './command.js';
import { gateCommand } from './gate.js';
import { generateCommand } from './generate.js';
import { reportCommand } from './report.js';
import { validateCommand } from './validate.js';

/** Every `srekit` command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  validateCommand,
  generateCommand,
  gateCommand,
  reportCommand,
  budgetCommand,
];
