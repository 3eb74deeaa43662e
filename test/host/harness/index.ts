export { CodeServer, CodeServerOptions, delay, freePort } from './codeServer';
export { Workbench, WorkbenchOptions, NotificationInfo, chromiumArgs } from './workbench';
export { runInHostMocha, stageInHostTests, InHostMochaOptions, InHostMochaResult, StagedInHostTests } from './inHostMocha';
export { packageConsumer, consumerDir, consumerId } from './consumer';
export * from './paths';
export { processGroupAlive } from './cleanup';
export { readmeShot, readmeShotsDir, readmeViewport, ReadmeShotOptions } from './readmeShots';
