import { demoPassword, demoTotpSecret, ROLES, type Role } from '../app/demo-users.js';

/** How to log in to the fleet as a demo user: the text `main` prints and the secret for the traffic. */
export function loginHelp(seed: string | undefined): {
  totpSecret: (username: string) => string;
  text: (baseUrl: string) => string;
} {
  const secretOf = (username: string) =>
    demoTotpSecret(username as Role, seed?.trim() || undefined);
  return {
    totpSecret: secretOf,
    text: (baseUrl) => `Log in (development demo users; passwords and TOTP secrets are NOT secret):
${ROLES.map((role) => `  ${role.padEnd(9)} password ${demoPassword(role).padEnd(22)} TOTP secret ${secretOf(role)}`).join('\n')}
  a code:   node examples/reference-service/dist/fleet/demo-code.js admin
  login:    curl -s ${baseUrl}/auth/login -H 'content-type: application/json' -d '{"username":"admin","password":"${demoPassword('admin')}","code":"'$(node examples/reference-service/dist/fleet/demo-code.js admin)'"}'
  a fault:  curl -s ${baseUrl}/fleet/faults -H "authorization: Bearer <accessToken>" -H 'content-type: application/json' -d '{"route":"*","errorRatio":0.2,"latencyMs":0}'
            (every instance; DELETE clears; POST <instance URL>/api/admin/faults sets one instance's)`,
  };
}
