/** The files the bin is built from, relative to `root`, sorted. */
export declare const binSources: (root: string) => string[];
/** Builds the bin unless the stamp says it was built from these very sources and is still that build; resolves to whether it built. */
export declare const ensureBuilt: (options: { root: string; bin: string; stamp: string; build: () => void | Promise<void> }) => Promise<boolean>;
