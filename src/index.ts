// Named re-exports only: the public surface of svirt. See README "Library API".

// contract and errors
export * from './types.js';
export * from './errors.js';

// policy: model, loaders (text policy.conf and binary policy.NN)
export * from './policy/model.js';
export { parsePolicyText, loadPolicyFile, loadEmbeddedPolicy, embeddedPolicyPath, type LoadOptions } from './policy/load.js';
export { readBinaryPolicy, isBinaryPolicy } from './policy/binary.js';

// contexts and translation
export { CategorySet, formatCategories, MAX_CATEGORIES } from './context/categories.js';
export { parseContext, parseRange, formatContext, formatRange, formatLevel, contextIsValid } from './context/context.js';
export { levelDom, levelEq, levelIncomp, rangeContains } from './context/mls.js';
export { SetransTable, parseSetrans, loadSetransFile } from './context/setrans.js';
export { chcatList } from './context/chcat.js';

// security server (Wasm), reference evaluator, audit, explain, compute-av protocol
export { createSecurityServer, WasmSecurityServer } from './security/server.js';
export { WasmEngine, type EngineOptions, type BatchViews, type CheckResult } from './wasm/engine.js';
export { BatchRegion, type RegionViews } from './wasm/region.js';
export { referenceComputeAv, condStates, defaultBoolStates } from './security/reference.js';
export { auditRequired, formatAvcRecord, type AvcRecordInput } from './security/audit.js';
export { explainAccess, type Explanation } from './security/explain.js';
export { answerQueries, answerQueryStream, parseQueryLine, type QueryAnswers } from './security/query.js';

// label manager (libvirt sVirt), host state, MCS allocator, SMACK
export { LabelManager, diskPaths, type LabelManagerOptions, type GuestDef, type GuestInput, type GuestRecord } from './label/manager.js';
export type { SecurityDriver } from './label/driver.js';
export { McsAllocator, parsePoolRange, pairCount, seededRng } from './label/mcs-alloc.js';
export { openSqliteStore, createMemoryStore, defaultStatePath, type HostStore } from './label/store.js';
export { SmackDriver } from './label/smack.js';
export { smackAccess, parseSmackAccess } from './smack/access.js';
export { SmackRuleSet, parseSmackRules } from './smack/rules.js';

// simulated host and the stress simulator
export { SimulatedHost } from './host/host.js';
export { runStress, type StressRun } from './sim/stress.js';
export type { StressOptions } from './sim/options.js';
export { checkMany, CheckPool } from './sim/check-many.js';
