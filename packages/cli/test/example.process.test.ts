import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A directory with a `baton` that runs the bin from source, as `npm install @baton/cli` would put one on the PATH. */
const shimDir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
writeFileSync(join(shimDir, 'baton'), `#!/bin/sh\nexec "${process.execPath}" --conditions=@baton/source --import tsx "${ROOT}packages/cli/src/bin.ts" "$@"\n`);
chmodSync(join(shimDir, 'baton'), 0o755);

describe('examples/cli.sh (the session in docs/operations.md)', () => {
  afterAll(() => rmSync(shimDir, { recursive: true, force: true }));

  it('runs every command on the memory: demo and shows the expected failure as one line', async () => {
    const { stdout, stderr } = await run('sh', ['examples/cli.sh'], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}`, TSX_TSCONFIG_PATH: `${ROOT}tsconfig.base.json` },
    });
    expect(stdout).toMatch(/^queue +waiting +active +delayed +dead +paused\nemails +2 +1 +1 +2 +no\nreports +2 +0 +0 +0 +yes$/m);
    expect(stdout).toContain('{"queue":"emails","waiting":2,"active":1,"delayed":1,"dead":2'); // then deadDropped, where counted
    expect(stdout).toMatch(/^welcome-alan +1 +0 +died \S+ ago: Error: template "welcome" has no subject$/m);
    expect(stdout).toMatch(/^lastError +Error: SMTP 550: mailbox unavailable$/m);
    expect(stdout).toContain('redriven 2');
    expect(stdout).toContain('purged 2 finished tasks');
    expect(stdout).toMatch(/^node-1 +\S+ ago +\S+ ago +host=web-1 pid=4101$/m);
    expect(stdout).toMatch(/^state +held by fence 1, expires in \S+ unless extended$/m);
    expect(stdout).toContain('queued welcome-ada-2');
    expect(stdout).toMatch(/exit code 2\n(.|\n)*exit code 1\n$/);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^baton: the payload is not JSON/),
      'baton: no task "no-such-task" in queue "emails" (unknown, or its end was forgotten)',
    ]);
  }, 90_000);
});
