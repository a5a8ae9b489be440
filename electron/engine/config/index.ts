// Public face of the config module: schemas, types and loaders for client.json and server.json.
export { ConfigError } from './errors';
export {
  loadClientConfig,
  loadServerConfig,
  parseClientConfig,
  parseServerConfig,
  readConfigFile,
  type LoadOptions,
  type ParseOptions,
} from './load';
export {
  ClientFileSchema,
  DEFAULT_CLIENT_CONFIG,
  type ClientConfig,
  type ClientLink,
  type ClientRouting,
} from './client-schema';
export {
  DEFAULT_SERVER_CONFIG,
  DEFAULT_SERVER_SOCKET,
  ServerFileSchema,
  type ServerConfig,
  type ServerDevice,
} from './server-schema';
export { isKeyShape, KEY_SHAPE_MESSAGE } from './fields';
