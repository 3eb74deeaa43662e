export { CodeServer, CodeServerOptions, delay, freePort } from './codeServer';
export { Workbench, WorkbenchOptions, NotificationInfo, chromiumArgs } from './workbench';
export { runInHostMocha, stageInHostTests, InHostMochaOptions, InHostMochaResult, StagedInHostTests } from './inHostMocha';
export { packageConsumer, consumerDir, consumerId } from './consumer';
export * from './paths';
export { processGroupAlive } from './cleanup';
export { readmeShot, readmeShotsDir, readmeViewport, ReadmeShotOptions } from './readmeShots';
export { measureSecretStorage, MeasureSecretsOptions, MeasuredSecrets, SecretSamples, MEASURE_SECRETS_COMMAND } from './secretsLatency';
