/**
 * Imported first by the bench: the libraries see NODE_ENV=production, as in a deployment
 * (Dockerfile, docker-compose.yml). graphql-js decides at load time; in any other mode its
 * `instanceOf` takes a slow development path on every type check (~15 ms of a statistics answer
 * of 1,500 rows). The hub's own configuration is loaded from the bench's env object
 * (NODE_ENV=benchmark), not from this.
 */
process.env.NODE_ENV = 'production';
