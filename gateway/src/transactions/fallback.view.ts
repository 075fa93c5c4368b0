import type { Catalogue } from '../../../contracts/src/catalogue';
import type { FallbackFacts } from '../../../core/transactions/fallback.repository';

/** The manual-fallback part of a transaction view; empty for a transaction that never fell back. */
export interface FallbackView {
  fallback?: FallbackFacts['fallback'];
  provisionalReference?: string | null;
  manualInstructions?: string;
  acknowledgmentUrl?: string;
  replayPending?: boolean;
  manualOutcome?: { outcome: string; agencyRef: string | null; note: string | null; by: string; at: string };
  parkedReason?: FallbackFacts['parkedReason'];
  conflict?: FallbackFacts['conflict'];
}

export function toFallbackView(id: string, serviceCode: string, facts: FallbackFacts | undefined, catalogue: Catalogue): FallbackView {
  if (!facts || (!facts.fallback && !facts.manualOutcome && !facts.parkedReason && !facts.conflict)) return {};
  const service = catalogue.service(serviceCode);
  return {
    fallback: facts.fallback,
    provisionalReference: facts.provisionalRef,
    ...(facts.fallback === 'manual' && service?.manualInstructions ? { manualInstructions: service.manualInstructions } : {}),
    ...(facts.provisionalRef ? { acknowledgmentUrl: `/v1/transactions/${id}/acknowledgment` } : {}),
    replayPending: facts.replayPending,
    ...(facts.manualOutcome ? { manualOutcome: facts.manualOutcome } : {}),
    ...(facts.parkedReason ? { parkedReason: facts.parkedReason } : {}),
    ...(facts.conflict ? { conflict: facts.conflict } : {}),
  };
}
