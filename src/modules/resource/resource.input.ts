import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { MoudType, PaymentAccepted, ResourceService } from './resource-codes';

export const NAME_LENGTH = { min: 2, max: 200 };
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_COST_LENGTH = 500;
export const MAX_ADDRESS_LENGTH = 200;
export const MAX_LANGUAGES = 20;

const FIPS = /^\d{5}$/;
const STATE = /^[A-Z]{2}$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const PHONE = /^\+?[0-9 ().-]{7,20}$/;
/** BCP 47, as far as a directory needs it: a language subtag, optionally a region. */
export const LANGUAGE = /^[A-Za-z]{2,8}(-([A-Za-z]{2}|\d{3}))?$/;
/** One line of text: no control characters, something besides spaces. */
const ONE_LINE = /^(?=.*\S)[^\p{Cc}]*$/u;
/** Free text may break lines, but holds no other control characters. */
const MULTI_LINE = /^(?:[^\p{Cc}]|[\n\r\t])*$/u;

/** Applies several decorators as one, so create and update share each field's rules. */
function all(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

const Name = () =>
  all(
    IsString({ message: 'must be text' }),
    Length(NAME_LENGTH.min, NAME_LENGTH.max, {
      message: `must be ${NAME_LENGTH.min} to ${NAME_LENGTH.max} characters`,
    }),
    Matches(ONE_LINE, { message: 'must be one line of text, not blank' }),
  );

const Text = (max: number, pattern = ONE_LINE) =>
  all(
    IsOptional(),
    IsString({ message: 'must be text' }),
    MaxLength(max, { message: `must be at most ${max} characters` }),
    Matches(pattern, { message: 'must not contain control characters' }),
  );

const Services = () =>
  all(
    IsArray({ message: 'must be a list of services' }),
    ArrayMinSize(1, { message: 'must name at least one service' }),
    ArrayUnique(undefined, { message: 'must not name a service twice' }),
    IsEnum(ResourceService, { each: true, message: 'must hold known services' }),
  );

const EnumList = (values: object, what: string) =>
  all(
    IsOptional(),
    IsArray({ message: `must be a list of ${what}` }),
    ArrayUnique(undefined, { message: `must not name the same ${what} twice` }),
    IsEnum(values, { each: true, message: `must hold known ${what}` }),
  );

const Languages = () =>
  all(
    IsOptional(),
    IsArray({ message: 'must be a list of language codes' }),
    ArrayMaxSize(MAX_LANGUAGES, { message: `must name at most ${MAX_LANGUAGES} languages` }),
    ArrayUnique(undefined, { message: 'must not name a language twice' }),
    Matches(LANGUAGE, {
      each: true,
      message: 'each language must be a code such as en, es or es-MX',
    }),
  );

const County = () => Matches(FIPS, { message: 'must be a five-digit FIPS code' });
const TimeZone = () =>
  all(IsString({ message: 'must be text' }), MaxLength(64, { message: 'is not a time zone' }));

@InputType('OpeningHoursInput')
export class OpeningHoursInput {
  @Field(() => Int, { nullable: false, description: '0 = Sunday … 6 = Saturday' })
  day!: number;

  @Field(() => String, { nullable: false, description: 'HH:MM, 24-hour clock' })
  opens!: string;

  @Field(() => String, {
    nullable: false,
    description: 'HH:MM; earlier than opens runs past midnight, 00:00 means midnight',
  })
  closes!: string;
}

/** The fields both create and update take; opening hours are checked by `hoursProblems`. */
@InputType('ResourceFields')
abstract class ResourceFields {
  @Field(() => String, { nullable: true })
  @Text(MAX_DESCRIPTION_LENGTH, MULTI_LINE)
  description?: string | null;

  @Field(() => [MoudType], {
    nullable: true,
    description: 'Only together with the MOUD service',
  })
  @EnumList(MoudType, 'medications')
  moud?: MoudType[];

  @Field(() => [PaymentAccepted], { nullable: true })
  @EnumList(PaymentAccepted, 'payment kinds')
  paymentAccepted?: PaymentAccepted[];

  @Field(() => String, { nullable: true, description: `At most ${MAX_COST_LENGTH} characters` })
  @Text(MAX_COST_LENGTH)
  typicalCost?: string | null;

  @Field(() => [OpeningHoursInput], { nullable: true, description: 'At most 14 periods' })
  hours?: OpeningHoursInput[];

  @Field(() => String, { nullable: true })
  @Text(MAX_ADDRESS_LENGTH)
  street?: string | null;

  @Field(() => String, { nullable: true })
  @Text(MAX_ADDRESS_LENGTH)
  city?: string | null;

  @Field(() => String, { nullable: true, description: 'Two-letter state code, e.g. NC' })
  @IsOptional()
  @Matches(STATE, { message: 'must be a two-letter state code' })
  state?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(ZIP, { message: 'must be a 5-digit or ZIP+4 code' })
  zip?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  acceptingNewClients?: boolean;

  @Field(() => [String], {
    nullable: true,
    description: `BCP 47 codes such as en, es-MX; at most ${MAX_LANGUAGES}; default en`,
  })
  @Languages()
  languages?: string[];
}

@InputType()
export class CreateResourceInput extends ResourceFields {
  @Field(() => ID, {
    nullable: true,
    description:
      'Owning agency: hub administrators only (omit for a hub-maintained entry); ' +
      'an agency administrator always creates for its own agency',
  })
  @IsOptional()
  @IsString()
  agencyId?: string;

  @Field(() => String, { nullable: false })
  @Name()
  name!: string;

  @Field(() => [ResourceService], { nullable: false })
  @Services()
  services!: ResourceService[];

  @Field(() => String, { nullable: false, description: 'IANA time zone, e.g. America/New_York' })
  @TimeZone()
  timeZone!: string;

  @Field(() => String, { nullable: false, description: 'Five-digit county FIPS code' })
  @County()
  county!: string;
}

/** Only the fields given change; null clears an optional field. */
@InputType()
export class UpdateResourceInput extends ResourceFields {
  @Field(() => ID, {
    nullable: true,
    description: 'Hub administrators only; null makes the entry hub-maintained',
  })
  @IsOptional()
  @IsString()
  agencyId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Name()
  name?: string;

  @Field(() => [ResourceService], { nullable: true })
  @IsOptional()
  @Services()
  services?: ResourceService[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TimeZone()
  timeZone?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @County()
  county?: string;
}

@InputType()
export class ResourceFilter {
  @Field(() => String, { nullable: true, description: 'Five-digit county FIPS code' })
  @IsOptional()
  @County()
  county?: string;

  @Field(() => ResourceService, { nullable: true, description: 'Offers this service' })
  @IsOptional()
  @IsEnum(ResourceService, { message: 'is not a known service' })
  service?: ResourceService;

  @Field(() => MoudType, { nullable: true, description: 'Offers this medication' })
  @IsOptional()
  @IsEnum(MoudType, { message: 'is not a known medication' })
  moud?: MoudType;

  @Field(() => [PaymentAccepted], {
    nullable: true,
    description:
      'Accepts at least one of these: list every way the person can pay, so that no resource ' +
      'they cannot pay is shown',
  })
  @IsOptional()
  @IsArray({ message: 'must be a list of payment kinds' })
  @ArrayMinSize(1, { message: 'must name at least one payment kind (or be omitted)' })
  @IsEnum(PaymentAccepted, { each: true, message: 'must hold known payment kinds' })
  paymentAccepted?: PaymentAccepted[];

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  acceptingNewClients?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Open (true) or closed (false) right now, in each resource\u2019s time zone',
  })
  @IsOptional()
  @IsBoolean()
  openNow?: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Language code; es also finds es-MX, es-MX also finds es',
  })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'must be a code such as en, es or es-MX' })
  language?: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Include withdrawn listings' })
  @IsOptional()
  @IsBoolean()
  includeInactive?: boolean;
}
