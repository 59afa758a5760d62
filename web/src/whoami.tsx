import { createContext, useContext } from 'react';
import type { Role, WhoAmI } from './api/api-types.js';

export const WhoAmIContext = createContext<WhoAmI | undefined>(undefined);

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the signed-in actor may run commands (operator or admin); false until known. */
export function useCanOperate(): boolean {
  const me = useContext(WhoAmIContext);
  return me !== undefined && RANK[me.role] >= RANK.operator;
}

export function useWhoAmI(): WhoAmI | undefined {
  return useContext(WhoAmIContext);
}
