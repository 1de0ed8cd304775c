// The world's records: users and repositories as plain data, independent of any base URL. world.ts
// generates them from a seed; world-render.ts renders them as GitHub's bodies for one base URL.

export interface Owner {
  readonly login: string;
  readonly id: number;
  readonly type: 'User' | 'Organization';
}

export interface RepoRecord {
  readonly id: number;
  readonly owner: Owner;
  readonly name: string;
  readonly fullName: string;
  readonly description: string | null;
  readonly language: string | null;
  readonly license: LicenseKey | null;
  readonly topics: readonly string[];
  readonly homepage: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly pushedAt: string;
  readonly size: number;
  readonly stars: number;
  readonly forksCount: number;
  readonly openIssues: number;
  readonly subscribers: number;
  readonly hasPages: boolean;
  readonly parent: RepoRecord | undefined;
  readonly source: RepoRecord | undefined;
}

export const LICENSES = {
  mit: { name: 'MIT License', spdx: 'MIT', id: 13 },
  'apache-2.0': { name: 'Apache License 2.0', spdx: 'Apache-2.0', id: 2 },
  'bsd-3-clause': { name: 'BSD 3-Clause "New" or "Revised" License', spdx: 'BSD-3-Clause', id: 5 },
  'gpl-3.0': { name: 'GNU General Public License v3.0', spdx: 'GPL-3.0', id: 9 },
} as const;
export type LicenseKey = keyof typeof LICENSES;
