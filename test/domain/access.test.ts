import { describe, expect, it } from 'vitest';
import { fromAnotherOrganization } from '../../src/domain/access.js';

describe('a user from another organization', () => {
  it('is one whose workspace is not the one paylink is installed in, outside an Enterprise Grid org', () => {
    expect(fromAnotherOrganization({ userTeam: 'T0ACME', installedTeam: 'T0001', inEnterprise: false })).toBe(true);
    expect(fromAnotherOrganization({ userTeam: 'T0001', installedTeam: 'T0001', inEnterprise: false })).toBe(false);
  });

  it('is never told from a colleague in a Grid org, nor when Slack names no workspace', () => {
    expect(fromAnotherOrganization({ userTeam: 'T0HOME', installedTeam: 'T0001', inEnterprise: true })).toBe(false);
    expect(fromAnotherOrganization({ installedTeam: 'T0001', inEnterprise: false })).toBe(false);
    expect(fromAnotherOrganization({ userTeam: 'T0ACME', inEnterprise: false })).toBe(false);
  });
});
