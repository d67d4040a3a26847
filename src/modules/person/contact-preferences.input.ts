import { IsBoolean, IsEnum, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { AddressInput } from './person.input';
import { ContactMethod } from './person-codes';

export const SAFE_CONTACT_TIMES_MAX = 200;
const PHONE = /^\+?[0-9 ().-]{7,20}$/;

// Omitted fields stay as they are; null clears a field that may be empty. Lengths and nulls are
// checked by the service, which names every problem by its argument path.

@InputType('ContactPreferencesInput', {
  description: 'How the person wants to be reached; only what is given changes',
})
export class ContactPreferencesInput {
  @Field(() => ContactMethod, { nullable: true, description: 'Null: no preference' })
  @IsOptional()
  @IsEnum(ContactMethod, { message: 'is not a known contact method' })
  preferredContactMethod?: ContactMethod | null;

  @Field(() => String, {
    nullable: true,
    description: `Such as "weekdays after 5pm", at most ${SAFE_CONTACT_TIMES_MAX} characters; null or blank clears`,
  })
  @IsOptional()
  @IsString({ message: 'must be text' })
  safeContactTimes?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Say nothing about the overdose to anyone else at the address or phone',
  })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  doNotDiscloseToHousehold?: boolean | null;
}

@InputType('PersonContactInput', { description: "The person's phone and home address" })
export class PersonContactInput {
  @Field(() => String, { nullable: true, description: 'Null clears it' })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string | null;

  @Field(() => AddressInput, {
    nullable: true,
    description: 'Replaces the whole home address; null clears it',
  })
  @IsOptional()
  @ValidateNested()
  address?: AddressInput | null;
}
