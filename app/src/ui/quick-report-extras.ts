/** The answer to "may a peer contact you?" as the hub takes it. */
export type PeerContactAnswer = 'YES' | 'NO' | 'NOT_ASKED';

/** The hub refuses more kits than this at one scene (a typing error). */
export const MAX_KITS_LEFT_BEHIND = 50;

export interface ReportExtras {
  naloxoneKitsLeftBehind?: number;
  consentToPeerContact?: PeerContactAnswer;
}

/**
 * The two optional questions of the quick report: naloxone kits left at the scene (typed; empty
 * is "not recorded") and the person's answer to "may a peer contact you?" (unanswered is not
 * recorded either). `invalid` when the kits are not a whole number from 0 to 50, so the form can
 * say so before the report is saved on the phone.
 */
export function reportExtras(
  kitsTyped: string,
  peerContact: PeerContactAnswer | null,
): ReportExtras | 'invalid' {
  const extras: ReportExtras = {};
  const kits = kitsTyped.trim();
  if (kits !== '') {
    if (!/^\d{1,3}$/.test(kits) || Number(kits) > MAX_KITS_LEFT_BEHIND) return 'invalid';
    extras.naloxoneKitsLeftBehind = Number(kits);
  }
  if (peerContact) extras.consentToPeerContact = peerContact;
  return extras;
}
