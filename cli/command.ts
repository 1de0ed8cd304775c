// What every `rosetta` subcommand is: a module under cli/commands exporting `command`. Its own
// module, so the commands and the entry point that loads them both import it, and neither the other.
export interface Command {
  /** One line for `rosetta --help`. */
  readonly summary: string;
  /** The command's own `--help`. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}
