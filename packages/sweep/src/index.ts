export { canonicalJson, sweepHash, sweepId, runJobId, variantKey, checkSegment } from './ids';
export { redisOptions, redactUrl, pingRedis, type ConnectionOptions } from './connection';
export { RunStore, type SweepManifest } from './store';
export { checkJobData, FatalRunError, OVERRIDE_KEYS, type RunJobData, type RunOverrides } from './job';
export { RunLock, LockLostError, LockBusyError } from './lock';
export { submitRuns, runJobOptions, DEFAULT_QUEUE, type SubmitOptions, type SubmitResult } from './queue';
export { sweepStatus, queueIdle, type RunStatus, type RunProgress } from './status';
export { startWorker, type WorkerOptions, type SweepWorker, type RunContext } from './worker';
export { sweepReport, reportMarkdown, sweepCurves, type SweepReport, type RunRecord, type VariantSummary, type CurveSeries } from './report';
