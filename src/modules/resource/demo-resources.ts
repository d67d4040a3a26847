import { MoudType, PaymentAccepted, ResourceService } from './resource-codes';
import type { OpeningHours } from './treatment-resource.entity';

/** A demo listing: the fields of `CreateResourceInput`, ready for `createResource` or the ORM. */
export interface DemoResource {
  name: string;
  description: string;
  services: ResourceService[];
  moud: MoudType[];
  paymentAccepted: PaymentAccepted[];
  typicalCost: string;
  hours: OpeningHours[];
  timeZone: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  county: string;
  phone: string;
  acceptingNewClients: boolean;
  languages: string[];
}

const TIME_ZONE = 'America/New_York';
const WEEKDAYS = [1, 2, 3, 4, 5];

const daily = (days: number[], opens: string, closes: string): OpeningHours[] =>
  days.map((day) => ({ day, opens, closes }));

/**
 * Four fictional listings in the demo counties (Buncombe 37021, Madison 37115, North Carolina),
 * chosen so that the directory's filters show their point: an uninsured person searching
 * NO_PAYMENT or SLIDING_SCALE finds the buprenorphine clinic and the syringe services program,
 * never the private-insurance-only detox unit. Phone numbers are in the fictional 555-01xx range.
 * The owning agency is left to the caller (none means hub-maintained).
 */
export function demoResources(): DemoResource[] {
  return [
    {
      name: 'Demo Mountain Opioid Treatment Program',
      description:
        'Opioid treatment program (OTP): daily methadone dosing with counseling. ' +
        'Walk-in intake weekday mornings; bring photo ID if you have one.',
      services: [ResourceService.MOUD, ResourceService.OUTPATIENT],
      moud: [MoudType.METHADONE],
      paymentAccepted: [
        PaymentAccepted.MEDICAID,
        PaymentAccepted.MEDICARE,
        PaymentAccepted.SELF_PAY,
      ],
      typicalCost: '$0 with Medicaid or Medicare; self-pay about $90 a week',
      // Dosing starts early so that people can get to work.
      hours: [...daily(WEEKDAYS, '05:30', '13:00'), { day: 6, opens: '07:00', closes: '10:00' }],
      timeZone: TIME_ZONE,
      street: '100 Example Parkway',
      city: 'Asheville',
      state: 'NC',
      zip: '28801',
      county: '37021',
      phone: '828-555-0141',
      acceptingNewClients: true,
      languages: ['en'],
    },
    {
      name: 'Demo Madison Community Bridge Clinic',
      description:
        'Low-barrier buprenorphine: same-day starts, telehealth follow-up, naltrexone on request. ' +
        'Peer support specialists on site.',
      services: [ResourceService.MOUD, ResourceService.OUTPATIENT, ResourceService.PEER_SUPPORT],
      moud: [MoudType.BUPRENORPHINE, MoudType.NALTREXONE],
      paymentAccepted: [
        PaymentAccepted.SLIDING_SCALE,
        PaymentAccepted.NO_PAYMENT,
        PaymentAccepted.MEDICAID,
      ],
      typicalCost: 'Sliding scale from $0; no one turned away for inability to pay',
      hours: daily(WEEKDAYS, '09:00', '17:00'),
      timeZone: TIME_ZONE,
      street: '25 Example Street',
      city: 'Marshall',
      state: 'NC',
      zip: '28753',
      county: '37115',
      phone: '828-555-0152',
      acceptingNewClients: true,
      languages: ['en', 'es'],
    },
    {
      name: 'Demo Harm Reduction Syringe Services Program',
      description:
        'Free, anonymous syringe services: sterile supplies, naloxone kits, fentanyl test strips, ' +
        'sharps disposal and peer support. No ID needed.',
      services: [
        ResourceService.SYRINGE_SERVICES,
        ResourceService.NALOXONE_DISTRIBUTION,
        ResourceService.PEER_SUPPORT,
      ],
      moud: [],
      paymentAccepted: [PaymentAccepted.NO_PAYMENT],
      typicalCost: 'Free',
      // Evening hours; Friday runs past midnight.
      hours: [
        { day: 2, opens: '17:00', closes: '21:00' },
        { day: 4, opens: '17:00', closes: '21:00' },
        { day: 5, opens: '20:00', closes: '01:00' },
      ],
      timeZone: TIME_ZONE,
      street: '7 Example Lane',
      city: 'Asheville',
      state: 'NC',
      zip: '28806',
      county: '37021',
      phone: '828-555-0163',
      acceptingNewClients: true,
      languages: ['en', 'es'],
    },
    {
      name: 'Demo Ridge Withdrawal Management Unit',
      description:
        'Medically monitored inpatient detox, 24 hours a day. Admissions by phone screening ' +
        'during the listed hours.',
      services: [ResourceService.DETOX, ResourceService.RESIDENTIAL],
      moud: [],
      paymentAccepted: [PaymentAccepted.PRIVATE_INSURANCE],
      typicalCost: 'Private insurance only; deductibles and co-pays apply',
      hours: daily([0, 1, 2, 3, 4, 5, 6], '07:00', '19:00'),
      timeZone: TIME_ZONE,
      street: '300 Example Road',
      city: 'Asheville',
      state: 'NC',
      zip: '28803',
      county: '37021',
      phone: '828-555-0174',
      acceptingNewClients: true,
      languages: ['en'],
    },
  ];
}
