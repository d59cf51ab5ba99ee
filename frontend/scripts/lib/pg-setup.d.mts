export declare const MIGRATIONS_DIR: string;
export declare function servicesEnvFile(env?: Record<string, string | undefined>, start?: string): string | null;
export declare function serviceSetting(key: string, env?: Record<string, string | undefined>, start?: string): string;
export declare function adminPgUrl(env?: Record<string, string | undefined>, start?: string): string;
export declare function assertReachable(url: string): Promise<void>;
export declare function withDatabase(url: string, database: string): string;
export declare function applyMigrations(url: string, dir?: string): Promise<string[]>;
export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}
export declare function createScratchDb(adminUrl: string, prefix?: string, migrationsDir?: string): Promise<ScratchDb>;
