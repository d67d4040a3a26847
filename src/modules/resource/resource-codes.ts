import { registerEnumType } from 'type-graphql';

/** Services, after FindTreatment.gov type codes and the hub's harm-reduction needs. */
export enum ResourceService {
  MOUD = 'MOUD',
  DETOX = 'DETOX',
  OUTPATIENT = 'OUTPATIENT',
  INTENSIVE_OUTPATIENT = 'INTENSIVE_OUTPATIENT',
  RESIDENTIAL = 'RESIDENTIAL',
  SYRINGE_SERVICES = 'SYRINGE_SERVICES',
  NALOXONE_DISTRIBUTION = 'NALOXONE_DISTRIBUTION',
  PEER_SUPPORT = 'PEER_SUPPORT',
  HOUSING = 'HOUSING',
  MENTAL_HEALTH = 'MENTAL_HEALTH',
}

/** FindTreatment.gov MAT codes: METH methadone, BU buprenorphine, NU naltrexone. */
export enum MoudType {
  METHADONE = 'METHADONE',
  BUPRENORPHINE = 'BUPRENORPHINE',
  NALTREXONE = 'NALTREXONE',
}

/** FindTreatment.gov payment codes (MD, MC, PI, NP, SS, SF, MI, ITU, PA). */
export enum PaymentAccepted {
  MEDICAID = 'MEDICAID',
  MEDICARE = 'MEDICARE',
  PRIVATE_INSURANCE = 'PRIVATE_INSURANCE',
  NO_PAYMENT = 'NO_PAYMENT',
  SLIDING_SCALE = 'SLIDING_SCALE',
  SELF_PAY = 'SELF_PAY',
  MILITARY = 'MILITARY',
  IHS_TRIBAL = 'IHS_TRIBAL',
  PAYMENT_ASSISTANCE = 'PAYMENT_ASSISTANCE',
}

registerEnumType(ResourceService, { name: 'ResourceService' });
registerEnumType(MoudType, { name: 'MoudType' });
registerEnumType(PaymentAccepted, { name: 'PaymentAccepted' });
