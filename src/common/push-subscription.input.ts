import { IsUrl, Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

/**
 * A browser's Web Push subscription (PushSubscription.toJSON()), shared by alert contacts and the
 * field app's reminders: both send with the hub's one VAPID key pair.
 */
@InputType()
export class PushSubscriptionInput {
  @Field({ nullable: false, description: "The push service's endpoint (https)" })
  @Length(10, 2000)
  // https is required where it is sent (alert-senders.ts outside development), not here.
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  endpoint!: string;

  @Field({ nullable: false, description: 'keys.p256dh of the subscription (base64url)' })
  @Matches(/^[A-Za-z0-9_-]{80,100}={0,2}$/, { message: 'must be a base64url P-256 public key' })
  p256dh!: string;

  @Field({ nullable: false, description: 'keys.auth of the subscription (base64url)' })
  @Matches(/^[A-Za-z0-9_-]{16,32}={0,2}$/, { message: 'must be a base64url auth secret' })
  auth!: string;
}
