/** The server configuration: its types, where it is read from, and how it is checked. */
export {
  loadConfig,
  loadConfigWithSources,
  describeConfigSource,
  defaultConfig,
  type ConfigSource,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load-config';
export {
  pluginConfig,
  type TesseraConfig,
  type ServerConfig,
  type StorageConfig,
  type PostgresConfig,
  type MongodbConfig,
  type StorageEngine,
  type JwtConfig,
  type JwtAlgorithm,
  type LimitsConfig,
  type LoginConfig,
  type PluginsConfig,
  type PluginConfig,
  type LogConfig,
  type DeepPartial,
} from './config-schema';
