import { Command, CommanderError } from 'commander';
import { UsageError, describeError } from './errors.ts';
import { queryCommand } from './commands/query.ts';
import { serveCommand } from './commands/serve.ts';
import { runCommand } from './commands/run.ts';
import { demoCommand } from './commands/demo.ts';
import { classifyCommand } from './commands/classify.ts';
import { evalCommand } from './commands/eval.ts';
import { subscribeCommands } from './commands/subscribe.ts';
import { feedsCommand } from './commands/feeds.ts';
import { feedbackCommand } from './commands/feedback.ts';

/**
 * `fundwatch`: every subcommand lives in its own module under cli/commands and exports a
 * function that builds its commander Command.
 */
export function buildProgram(): Command {
  const program = new Command('fundwatch')
    .description('Monitor news feeds for one story, classify, store and alert.')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(demoCommand());
  program.addCommand(runCommand());
  program.addCommand(queryCommand());
  program.addCommand(serveCommand());
  program.addCommand(classifyCommand());
  program.addCommand(evalCommand());
  program.addCommand(feedsCommand());
  program.addCommand(feedbackCommand());
  for (const command of subscribeCommands()) program.addCommand(command);
  return program;
}

/** Runs the CLI and returns the exit code; errors are printed as one clear line, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`fundwatch: ${describeError(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
