import { Field, InputType, ObjectType } from 'type-graphql';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

@ObjectType('PasswordReset', {
  description:
    'A temporary password: give it to the user in person; it works once, to choose a new one',
})
export class PasswordResetType {
  @Field(() => String, { nullable: true })
  temporaryPassword!: string;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date;
}

@ObjectType('NotificationSettings', {
  description: 'How reminders reach you; their text never names a person or the overdose',
})
export class NotificationSettingsType {
  @Field(() => Boolean, { nullable: true })
  byPush!: boolean;

  @Field(() => Boolean, { nullable: true })
  byEmail!: boolean;

  @Field(() => String, { nullable: true, description: 'en or es' })
  language!: string;

  @Field(() => Number, { nullable: true, description: 'Browsers subscribed to push for you' })
  pushDevices!: number;

  @Field(() => String, {
    nullable: true,
    description: 'The VAPID public key a browser subscribes with; null when push is not set up',
  })
  pushPublicKey?: string | null;
}

@InputType()
export class NotificationSettingsInput {
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  byPush?: boolean;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  byEmail?: boolean;

  @Field(() => String, { nullable: true, description: 'en or es' })
  @IsOptional()
  @IsIn(['en', 'es'])
  language?: string;
}

export { PushSubscriptionInput } from '../../common/push-subscription.input';
