/**
 * `node dist/fleet/demo-code.js <role>`: prints the current TOTP code of a demo user (viewer,
 * operator, admin), from the same DEMO_TOTP_SEED the fleet uses, so a login is one copy away:
 *
 *   curl -s localhost:8080/auth/login -H 'content-type: application/json' \
 *     -d '{"username":"admin","password":"srekit-demo-admin","code":"'$(node dist/fleet/demo-code.js admin)'"}'
 */
import { generateTotp } from '@srekit/security';
import { ROLES, type Role } from '../app/demo-users.js';
import { loginHelp } from './login-help.js';

const role = process.argv[2];
if (role === undefined || !(ROLES as readonly string[]).includes(role)) {
  process.stderr.write(
    `usage: demo-code <role>\n  ${role === undefined ? 'no role given' : `unknown role "${role}"`}: use one of ${ROLES.join(', ')}.\n`,
  );
  process.exit(2);
}
const secret = loginHelp(process.env.DEMO_TOTP_SEED).totpSecret(role as Role);
process.stdout.write(`${generateTotp(secret, { time: Date.now() })}\n`);
