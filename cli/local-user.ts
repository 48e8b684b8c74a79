import { userInfo } from 'node:os';

/**
 * Who labels a match from this machine, when nobody said (`--by`): the OS user. A container
 * without a passwd entry has none, and `userInfo()` throws there; the label then carries no name.
 */
export function localUserName(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}
