import { isSrekitError } from '@srekit/core';
import { describe, expect, it } from 'vitest';
import { parsePermission } from './permission.js';
import { Rbac } from './rbac.js';

const policy = {
  roles: {
    viewer: { permissions: ['orders:read', 'profile:read'] },
    clerk: { inherits: ['viewer'], permissions: ['orders:create'] },
    admin: { inherits: ['clerk'], permissions: ['orders:*'] },
    auditor: { permissions: ['*:read'] },
    root: { permissions: ['*'] },
  },
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('Rbac', () => {
  const rbac = new Rbac(policy);

  it('grants a role its own permissions only', () => {
    expect(rbac.can(['viewer'], 'orders:read')).toBe(true);
    expect(rbac.can(['viewer'], 'orders:create')).toBe(false);
    expect(rbac.can(['viewer'], 'orders:delete')).toBe(false);
  });

  it('resolves inheritance transitively', () => {
    expect(rbac.permissionsOf('clerk')).toEqual(['orders:create', 'orders:read', 'profile:read']);
    expect(rbac.permissionsOf('admin')).toEqual([
      'orders:*',
      'orders:create',
      'orders:read',
      'profile:read',
    ]);
    expect(rbac.can(['admin'], 'profile:read')).toBe(true);
    expect(rbac.permissionsOf('nobody')).toEqual([]);
  });

  it('matches wildcards per part', () => {
    expect(rbac.can(['admin'], 'orders:delete')).toBe(true);
    expect(rbac.can(['admin'], 'invoices:delete')).toBe(false);
    expect(rbac.can(['auditor'], 'invoices:read')).toBe(true);
    expect(rbac.can(['auditor'], 'invoices:delete')).toBe(false);
    expect(rbac.can(['root'], 'anything:at-all')).toBe(true);
  });

  it('treats a wildcard in the request as asking for the wildcard itself', () => {
    expect(rbac.can(['admin'], 'orders:*')).toBe(true);
    expect(rbac.can(['clerk'], 'orders:*')).toBe(false);
    expect(rbac.can(['auditor'], 'orders:*')).toBe(false);
    expect(rbac.can(['root'], 'orders:*')).toBe(true);
  });

  it('grants nothing for unknown roles, no roles or malformed permissions', () => {
    expect(rbac.can(['superuser'], 'orders:read')).toBe(false);
    expect(rbac.can([], 'orders:read')).toBe(false);
    expect(rbac.can(undefined, 'orders:read')).toBe(false);
    expect(rbac.can(['root'], 'orders')).toBe(false);
    expect(rbac.can(['root'], 'orders:read:extra')).toBe(false);
    expect(rbac.can(['root'], 'Orders:Read')).toBe(false);
  });

  it('unions the permissions of several roles', () => {
    expect(rbac.can(['viewer', 'auditor'], 'invoices:read')).toBe(true);
  });

  it('knows which roles inherit which', () => {
    expect(rbac.hasRole(['admin'], 'viewer')).toBe(true);
    expect(rbac.hasRole(['viewer'], 'admin')).toBe(false);
    expect(rbac.hasRole(['ghost'], 'viewer')).toBe(false);
  });

  it('names the cycle when roles inherit in a circle', () => {
    const error = thrown(
      () =>
        new Rbac({
          roles: { a: { inherits: ['b'] }, b: { inherits: ['c'] }, c: { inherits: ['a'] }, d: {} },
        }),
    );
    expect(isSrekitError(error) && error.code).toBe('ERR_SREKIT_SECURITY_INVALID_OPTION');
    expect(error.message).toContain('a → b → c → a');
  });

  it('refuses a role that inherits itself', () => {
    expect(() => new Rbac({ roles: { a: { inherits: ['a'] } } })).toThrow('a → a');
  });

  it('refuses an unknown inherited role, naming it', () => {
    const error = thrown(() => new Rbac({ roles: { admin: { inherits: ['viewr'] }, viewer: {} } }));
    expect(error.message).toContain('"viewr"');
    expect(error.message).toContain('roles.admin.inherits');
  });

  it('refuses malformed permissions at construction', () => {
    for (const bad of [
      'orders',
      'orders:',
      ':read',
      'orders:read:x',
      'Orders:read',
      'orders :read',
      '**',
    ]) {
      expect(() => new Rbac({ roles: { r: { permissions: [bad] } } }), bad).toThrow(
        /roles\.r\.permissions/,
      );
    }
  });

  it('refuses a policy without roles', () => {
    expect(() => new Rbac({} as never)).toThrow(/ERR_SREKIT_SECURITY_INVALID_OPTION/);
  });
});

describe('parsePermission', () => {
  it('splits resource and action and reads `*` as `*:*`', () => {
    expect(parsePermission('orders:read')).toEqual({ resource: 'orders', action: 'read' });
    expect(parsePermission('*')).toEqual({ resource: '*', action: '*' });
    expect(parsePermission('billing.invoices:re-send')).toEqual({
      resource: 'billing.invoices',
      action: 're-send',
    });
    expect(parsePermission('orders:re*')).toBeUndefined();
  });
});
