import { describe, expect, it } from 'vitest';
import { CLI_ERROR_CODES, EXIT_CODES } from '../src/cli/errors.js';
import { colourEnabled } from '../src/cli/style.js';
import { COMMANDS } from '../src/commands/index.js';
import { cliVersion } from '../src/main.js';
import { runCli } from './fixtures/run-cli.js';

describe('srekit (top level)', () => {
  it('prints the help listing every command with --help, -h and `help`', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await runCli(argv);
      expect(result.code).toBe(EXIT_CODES.ok);
      for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command.name}  `);
      expect(result.stdout).toContain('Exit codes: 0 ok');
      expect(result.stderr).toBe('');
    }
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: srekit <command>');
  });

  it('prints the version of package.json', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${cliVersion()}\n`);
    expect(cliVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const json = await runCli(['--version', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ name: '@srekit/cli', version: cliVersion() });
  });

  it('rejects an unknown command with exit 2 and a did-you-mean', async () => {
    const result = await runCli(['genrate', '--slos', 'x.yaml']);
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'srekit: unknown command "genrate". Did you mean `srekit generate`? Commands: validate, generate, gate, report, budget.',
    );
    expect(result.stderr).toContain(CLI_ERROR_CODES.UNKNOWN_COMMAND);
  });

  it('gives no suggestion when nothing is close', async () => {
    const result = await runCli(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Did you mean');
  });

  it('answers an unknown command with a JSON error when --json is given', async () => {
    const result = await runCli(['budgte', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      command: null,
      ok: false,
      exitCode: 2,
      error: {
        code: CLI_ERROR_CODES.UNKNOWN_COMMAND,
        message: expect.stringContaining('srekit budget'),
      },
    });
  });

  it('shows help for `help <command>` and rejects `help <unknown>`', async () => {
    const ok = await runCli(['help', 'gate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Usage: srekit gate --slos');
    const bad = await runCli(['help', 'gat']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Did you mean `srekit gate`?');
  });

  it.each(COMMANDS.map((command) => [command.name]))(
    '`%s --help` shows usage, flags and examples',
    async (name) => {
      const result = await runCli([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: srekit ${name}`);
      expect(result.stdout).toContain('--json');
      expect(result.stdout).toContain('Examples:');
      expect(result.stdout).toContain('Exit codes:');
    },
  );

  it('rejects an unknown flag with exit 2, the closest flag, the usage line and a JSON error', async () => {
    const result = await runCli(['generate', '--slo', 'slos/checkout.yaml']);
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain(
      'srekit: unknown flag --slo for `srekit generate`. Did you mean --slos?',
    );
    expect(result.stderr).toContain('Usage: srekit generate --slos <files…>');
    expect(result.stderr).toContain(CLI_ERROR_CODES.UNKNOWN_OPTION);
    const json = await runCli(['gate', '--min-budget', '0.5', '--json']);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as {
      command: string;
      error: { code: string; message: string };
    };
    expect(body.command).toBe('gate');
    expect(body.error.code).toBe(CLI_ERROR_CODES.UNKNOWN_OPTION);
    expect(body.error.message).toContain('Did you mean --min-budget-remaining?');
  });

  it('names a flag whose value is missing, and a boolean flag given a value', async () => {
    const missing = await runCli(['generate', '--alerts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--alerts needs a value: --alerts <dir>.');
    expect(missing.stderr).toContain(CLI_ERROR_CODES.MISSING_ARGUMENT);
    const valued = await runCli(['generate', '--check=yes']);
    expect(valued.code).toBe(2);
    expect(valued.stderr).toContain('--check takes no value (got "yes").');
  });
});

describe('colour', () => {
  it('is on only on a TTY, never with NO_COLOR, always with FORCE_COLOR', () => {
    expect(colourEnabled({ env: {}, isTTY: true })).toBe(true);
    expect(colourEnabled({ env: {}, isTTY: false })).toBe(false);
    expect(colourEnabled({ env: { NO_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(colourEnabled({ env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
    expect(colourEnabled({ env: { FORCE_COLOR: '1' }, isTTY: false })).toBe(true);
    expect(colourEnabled({ env: { FORCE_COLOR: '0' }, isTTY: false })).toBe(false);
    expect(colourEnabled({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
  });

  it('colours the output on a terminal and not in a pipe', async () => {
    const tty = await runCli(['validate', 'slos/typo.yaml'], { isTTY: true });
    expect(tty.stdout).toContain('\u001b[31m');
    const pipe = await runCli(['validate', 'slos/typo.yaml']);
    expect(pipe.stdout).not.toContain('\u001b[');
    const noColor = await runCli(['validate', 'slos/typo.yaml'], {
      isTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(noColor.stdout).not.toContain('\u001b[');
    const forced = await runCli(['validate', 'slos/typo.yaml'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[31m');
  });
});

describe('progress line', () => {
  it('is written to stderr and erased on a terminal, never off one or with --json', async () => {
    const tty = await runCli(['validate', 'slos/checkout.yaml'], {
      isTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(tty.stderr).toContain('reading 1 spec file…');
    expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
    const pipe = await runCli(['validate', 'slos/checkout.yaml']);
    expect(pipe.stderr).toBe('');
    const json = await runCli(['validate', 'slos/checkout.yaml', '--json'], { isTTY: true });
    expect(json.stderr).toBe('');
  });
});
