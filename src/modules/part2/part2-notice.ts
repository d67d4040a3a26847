/**
 * The 42 CFR §2.32(a)(1) notice to accompany each disclosure of Part 2 records (2024 final rule),
 * word for word. Sent in `extensions.part2Notice` of every GraphQL answer (and subscription
 * message) that carries a Part 2 record, and as the first line of a CSV export of one.
 */
export const PART2_NOTICE =
  'This record which has been disclosed to you is protected by federal confidentiality rules ' +
  '(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony ' +
  'that describes the information contained in this record, in any civil, criminal, ' +
  'administrative, or legislative proceedings by any Federal, State, or local authority, against ' +
  'the patient, unless authorized by the consent of the patient, except as provided at 42 CFR ' +
  '2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the ' +
  'Federal rules prohibit you from making any other use or disclosure of this record unless at ' +
  'least one of the following applies: (i) Further use or disclosure is expressly permitted by the ' +
  'written consent of the individual whose information is being disclosed in this record or as ' +
  'otherwise permitted by 42 CFR part 2. (ii) You are a covered entity or business associate and ' +
  'have received the record for treatment, payment, or health care operations, or (iii) You have ' +
  'received the record from a covered entity or business associate as permitted by 45 CFR part ' +
  '164, subparts A and E. A general authorization for the release of medical or other ' +
  'information is NOT sufficient to meet the required elements of written consent to further use ' +
  'or redisclose the record (see 42 CFR 2.31).';

/** The key of the notice in a GraphQL answer's `extensions`. */
export const PART2_NOTICE_EXTENSION = 'part2Notice';

/** Anything resolved from a labelled row carries the program's id (entities and SQL rows alike). */
export function isPart2Labelled(source: unknown): boolean {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as { part2ProgramId?: unknown }).part2ProgramId === 'string'
  );
}

/** Adds the notice to an answer's extensions when the request resolved a Part 2 record. */
export function withPart2Notice<T extends { extensions?: Record<string, unknown> }>(
  result: T,
  part2RecordReturned: boolean | undefined,
): T {
  if (!part2RecordReturned) return result;
  return {
    ...result,
    extensions: { ...result.extensions, [PART2_NOTICE_EXTENSION]: PART2_NOTICE },
  };
}
