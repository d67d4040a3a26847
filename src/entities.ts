import { Agency } from './modules/agency/agency.entity';
import { ApiKey } from './modules/agency/api-key.entity';
import { User } from './modules/agency/user.entity';

/** Every entity of the hub; the ORM, the migrations and the tests read this one list. */
export const ENTITIES = [Agency, User, ApiKey];
