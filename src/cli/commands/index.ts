/** The command list: one module per command (or command group). */
import type { RegisterCommand } from '../io.js';

export const commands: readonly RegisterCommand[] = [];
