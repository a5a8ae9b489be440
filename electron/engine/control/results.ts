// Result schemas per control method (control.ts defines the params). Both ends use them: the
// server for what it returns, clients to validate what they receive.
import { z } from 'zod';
import { EngineStatusSchema, HelloResultSchema, HistoryResultSchema, type MethodName } from '../../protocol/control';

export const MethodResults = {
  hello: HelloResultSchema,
  status: EngineStatusSchema,
  /** the snapshot; notifications follow */
  watch: EngineStatusSchema,
  setTargetState: z.object({}),
  setLinkMode: z.object({}),
  setLinkCap: z.object({}),
  history: HistoryResultSchema,
} as const satisfies Record<MethodName, z.ZodType>;

export type MethodResultOf<M extends MethodName> = z.infer<(typeof MethodResults)[M]>;
